from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnSecurity(StorqReturnsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Storq Returns Company B"})
        cls.stock_user = cls._make_user("storq_return_user", "stock.group_stock_user")
        cls.stock_manager = cls._make_user("storq_return_manager", "stock.group_stock_manager")
        cls.sales_user = cls._make_user("storq_return_sales", "sales_team.group_sale_salesman")
        cls.serials_sales_user = cls._make_user(
            "storq_return_serials_sales", "sales_team.group_sale_salesman,storq_serials.group_storq_user"
        )
        cls.user_b = cls._make_user("storq_return_user_b", "stock.group_stock_manager", company=cls.company_b)

    def _delivered_unit(self, serial):
        lots = self._receive([serial])
        return lots, self._sell(self.customer, lots)

    def _return_as(self, user, serial, disposition):
        """The return wizard of `user` for `serial` from the customer, checked."""
        wizard = (
            self.env["storq.serial.return"]
            .with_user(user)
            .create(
                {
                    "partner_id": self.customer.id,
                    "serial_text": serial,
                    "default_reason_id": self.reasons["defective"].id,
                    "default_disposition": disposition,
                }
            )
        )
        wizard.action_check()
        return wizard

    def test_user_without_the_serial_group_cannot_return(self):
        lots, _order = self._delivered_unit("SEC0001")
        Return = self.env["storq.serial.return"].with_user(self.sales_user)
        with self.assertRaises(AccessError):
            Return.create({"partner_id": self.customer.id, "serial_text": "SEC0001"})
        with self.assertRaises(AccessError):
            self.env["storq.serial.return.record"].with_user(self.sales_user).search([])
        with self.assertRaises(AccessError):
            self.env["storq.return.report"].with_user(self.sales_user).search([])
        # An existing return opened by someone else cannot be applied by this user either.
        wizard = self.env["storq.serial.return"].create(
            {"partner_id": self.customer.id, "serial_text": "SEC0001"}
        )
        wizard.action_check()
        with self.assertRaises(AccessError):
            wizard.with_user(self.sales_user).action_apply()
        self.assertEqual(lots.storq_state, "delivered")

    def test_serials_user_without_inventory_rights_checks_but_cannot_apply(self):
        lots, _order = self._delivered_unit("SEC0004")
        wizard = self._return_as(self.serials_sales_user, "SEC0004", "restock")
        self.assertEqual(wizard.accepted_count, 1, "a salesperson can check a customer's unit")
        with self.assertRaisesRegex(UserError, "needs the Inventory / User rights"):
            wizard.action_apply()
        self.assertEqual(lots.storq_state, "delivered")
        self.assertFalse(self.env["storq.serial.return.record"].search([("lot_id", "=", lots.id)]))

    def test_inventory_user_returns_units(self):
        lots, order = self._delivered_unit("SEC0002")
        wizard = self._return_as(self.stock_user, "SEC0002", "repair")
        self.assertEqual(wizard.accepted_count, 1, wizard.line_ids.verdict)
        action = wizard.action_apply()
        record = self.env["storq.serial.return.record"].with_user(self.stock_user).search(action["domain"])
        self.assertEqual((record.lot_id, record.user_id, record.sale_id), (lots, self.stock_user, order))
        self.assertEqual(lots.storq_state, "in_repair")
        self.assertTrue(
            self.env["storq.return.report"].with_user(self.stock_user).search([("lot_id", "=", lots.id)])
        )
        # Users read the history they made, never rewrite it.
        with self.assertRaises(AccessError):
            record.with_user(self.stock_user).write({"note": "rewritten"})
        with self.assertRaises(AccessError):
            self.env["storq.serial.return.record"].with_user(self.stock_user).create(
                {
                    "lot_id": lots.id,
                    "product_id": self.laptop.id,
                    "reason_id": self.reasons["recall"].id,
                    "disposition": "scrap",
                    "company_id": self.company.id,
                }
            )

    def test_managers_configure_reasons_users_read_them(self):
        Reason = self.env["storq.return.reason"]
        self.assertIn(self.reasons["warranty"], Reason.with_user(self.stock_user).search([]))
        with self.assertRaises(AccessError):
            self.reasons["other"].with_user(self.stock_user).write({"note_required": False})
        with self.assertRaises(AccessError):
            Reason.with_user(self.stock_user).create({"name": "Mine", "code": "mine"})
        reason = Reason.with_user(self.stock_manager).create({"name": "Cosmetic", "code": "cosmetic"})
        reason.with_user(self.stock_manager).write({"note_required": True})
        # A company's own reason is not offered to the other companies.
        own = Reason.with_user(self.user_b).create(
            {"name": "B only", "code": "b_only", "company_id": self.company_b.id}
        )
        self.assertNotIn(own, Reason.with_user(self.stock_user).search([]))

    def test_user_of_another_company_cannot_return_the_unit(self):
        lots, _order = self._delivered_unit("SEC0003")
        self.assertFalse(lots.company_id, "the product is shared: its unit belongs to who delivered it")
        customer = self.customer.with_user(self.user_b)
        wizard = (
            self.env["storq.serial.return"]
            .with_user(self.user_b)
            .with_company(self.company_b)
            .create({"partner_id": customer.id, "serial_text": "SEC0003"})
        )
        self.assertEqual(wizard.company_id, self.company_b)
        wizard.action_check()
        self.assertEqual(wizard.line_ids.status, "error")
        self.assertIn("not a known unit", wizard.line_ids.verdict)
        self.assertFalse(self._suspicious(lots), "nothing is written on a unit the user cannot see")
        self.assertEqual(lots.storq_state, "delivered")
        # Nor can a company B transfer take it back from the customer.
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", self.company_b.id)])
        picking = (
            self.env["stock.picking"]
            .with_company(self.company_b)
            .create(
                {
                    "picking_type_id": warehouse_b.in_type_id.id,
                    "partner_id": self.customer.id,
                    "location_id": self.customer_location.id,
                    "location_dest_id": warehouse_b.lot_stock_id.id,
                    "company_id": self.company_b.id,
                }
            )
        )
        move = self.env["stock.move"].create(
            {
                "name": self.laptop.name,
                "picking_id": picking.id,
                "product_id": self.laptop.id,
                "product_uom_qty": 1,
                "location_id": self.customer_location.id,
                "location_dest_id": warehouse_b.lot_stock_id.id,
                "company_id": self.company_b.id,
            }
        )
        picking.action_confirm()
        self._set_unit_lines(move, [{"lot_id": lots.id, "picked": True, "company_id": self.company_b.id}])
        with self.assertRaisesRegex(UserError, "unit of another company"):
            picking.button_validate()
        self.assertEqual(lots.storq_state, "delivered")
        # Nor are company A's returns visible to company B.
        wizard = self._return_wizard(self.customer, ["SEC0003"])
        wizard.action_apply()
        self.assertFalse(self.env["storq.serial.return.record"].with_user(self.user_b).search([]))
        self.assertFalse(
            self.env["storq.return.report"].with_user(self.user_b).search([("lot_id", "=", lots.id)])
        )
