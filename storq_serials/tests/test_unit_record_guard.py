from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_returns import StorqReturnsCase

# One forged value per record field, as an RPC client or an import would send them.
FORGED = {
    "storq_state": "delivered",
    "storq_delivered_date": "2026-01-05 10:00:00",
    "storq_received_date": "2026-01-01 10:00:00",
    "storq_blocked": True,
    "storq_block_reason": "Mine",
    "storq_location_id": False,
}


@tagged("post_install", "-at_install")
class TestUnitRecordGuard(StorqReturnsCase):
    """Only the module's own server code writes the unit record: no user of any group does,
    whether by RPC, import, copy or a default in the context."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = cls._make_user("storq_guard_stock_user", "stock.group_stock_user")
        cls.stock_manager = cls._make_user("storq_guard_stock_manager", "stock.group_stock_manager")
        cls.serial_manager = cls._make_user(
            "storq_guard_serial_manager", "stock.group_stock_user,storq_serials.group_storq_manager"
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.users = cls.stock_user | cls.stock_manager | cls.serial_manager | cls.admin

    def _forged_values(self):
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        return dict(
            FORGED,
            storq_partner_id=self.customer.id,
            storq_sale_id=order.id,
            storq_supplier_id=self.vendor.id,
            storq_location_id=self.customer_location.id,
        )

    def test_no_user_writes_the_record(self):
        unit = self._receive(["GRD0001"])
        before = unit.read(list(FORGED) + ["storq_partner_id", "storq_sale_id", "storq_supplier_id"])
        events = unit.storq_event_ids
        forged = self._forged_values()
        for user in self.users:
            for name, value in forged.items():
                with self.subTest(user=user.login, field=name), self.assertRaises(AccessError):
                    unit.with_user(user).write({name: value})
            with self.subTest(user=user.login), self.assertRaisesRegex(AccessError, "Correct Record"):
                unit.with_user(user).write({"storq_state": "in_stock", "storq_partner_id": False})
        unit.invalidate_recordset()
        self.assertEqual(unit.read(list(before[0])), before, "the record is untouched")
        self.assertEqual(unit.storq_event_ids, events, "and nothing happened to its history")

    def test_nor_the_serial_control_flag_nor_the_history(self):
        unit = self._receive(["GRD0002"])
        with self.assertRaises(AccessError):
            unit.with_user(self.stock_manager).write({"storq_serial_control": False})
        with self.assertRaises(AccessError):
            unit.with_user(self.admin).write(
                {"storq_event_ids": [(0, 0, {"event_type": "delivered", "note": "forged"})]}
            )
        self.assertTrue(unit.storq_serial_control)
        self.assertEqual(unit.storq_event_ids.mapped("event_type"), ["received"])

    def test_no_user_creates_a_unit_with_a_record(self):
        forged = self._forged_values()
        for user in self.users:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Lot.with_user(user).create(dict(forged, product_id=self.laptop.id, name="GRD0003"))
            # Defaults sent in the context (as a client sends them) are refused too.
            with self.subTest(user=user.login, via="context"), self.assertRaises(AccessError):
                self.Lot.with_user(user).with_context(
                    default_storq_state="delivered", default_storq_partner_id=self.customer.id
                ).create({"product_id": self.laptop.id, "name": "GRD0003"})
        self.assertFalse(self.Lot.search([("name", "=", "GRD0003")]))
        # A unit without a record is created as before; the moves give it one.
        unit = self.Lot.with_user(self.stock_user).create({"product_id": self.laptop.id, "name": "GRD0003"})
        self.assertFalse(unit.storq_state)

    def test_import_is_refused(self):
        unit = self._receive(["GRD0004"])
        result = self.Lot.with_user(self.stock_manager).load(
            [".id", "name", "product_id/.id", "storq_state", "storq_partner_id/.id"],
            [[unit.id, "GRD0004", self.laptop.id, "delivered", self.customer.id]],
        )
        self.assertFalse(result["ids"])
        self.assertIn("Correct Record", " ".join(message["message"] for message in result["messages"]))
        self.assertEqual((unit.storq_state, unit.storq_partner_id), ("in_stock", self.customer.browse()))
        result = self.Lot.with_user(self.stock_manager).load(
            ["name", "product_id/.id", "storq_state"], [["GRD0005", self.laptop.id, "delivered"]]
        )
        self.assertFalse(result["ids"])
        self.assertFalse(self.Lot.search([("name", "=", "GRD0005")]))

    def test_copy_does_not_carry_the_record(self):
        order = self._sell(self.customer, self._receive(["GRD0006"]))
        unit = order.picking_ids.move_line_ids.lot_id
        copy = unit.with_user(self.stock_manager).copy({"name": "GRD0007"})
        self.assertEqual(copy.name, "GRD0007")
        for name in (
            "storq_state",
            "storq_partner_id",
            "storq_sale_id",
            "storq_delivered_date",
            "storq_supplier_id",
        ):
            self.assertTrue(unit[name], name)
            self.assertFalse(copy[name], name)
        with self.assertRaises(AccessError):
            unit.with_user(self.stock_manager).copy({"name": "GRD0008", "storq_state": "delivered"})

    def test_forged_delivery_cannot_be_taken_back(self):
        """The issue's scenario: a unit never sold marked delivered, then returned."""
        unit = self._receive(["GRD0009"])
        order = self.env["sale.order"].create({"partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            unit.with_user(self.stock_user).write(
                {"storq_state": "delivered", "storq_partner_id": self.customer.id, "storq_sale_id": order.id}
            )
        wizard = self._return_wizard(self.customer, ["GRD0009"])
        self.assertEqual(wizard.accepted_count, 0)
        self.assertIn("still in stock", wizard.line_ids.verdict)

    def test_the_module_still_writes_it(self):
        """Receipts, deliveries and blocks keep the record (in superuser mode)."""
        unit = self._receive(["GRD0010"])
        self.assertEqual((unit.storq_state, unit.storq_supplier_id), ("in_stock", self.vendor))
        unit.with_user(self.stock_manager)._storq_block("Recall")
        self.assertTrue(unit.storq_blocked)
        unit.with_user(self.stock_manager)._storq_unblock()
        self._sell(self.customer, unit)
        self.assertEqual((unit.storq_state, unit.storq_partner_id), ("delivered", self.customer))
