from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialSecurity(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Storq Company B"})
        cls.serial_user = cls._make_user("storq_serial_user", "stock.group_stock_user")
        cls.serial_manager = cls._make_user("storq_serial_manager", "stock.group_stock_manager")
        cls.sales_user = cls._make_user("storq_sales_user", "sales_team.group_sale_salesman")
        cls.user_b = cls._make_user("storq_user_b", "stock.group_stock_manager", company=cls.company_b)
        cls.rule_b = cls.Format.with_company(cls.company_b).create(
            {"name": "Company B rule", "company_id": cls.company_b.id, "example": "B-1"}
        )

    def test_stock_users_get_the_serial_user_group(self):
        self.assertTrue(self.serial_user.has_group("storq_serials.group_storq_user"))
        self.assertFalse(self.serial_user.has_group("storq_serials.group_storq_manager"))
        self.assertTrue(self.serial_manager.has_group("storq_serials.group_storq_manager"))
        self.assertFalse(self.sales_user.has_group("storq_serials.group_storq_user"))

    def test_user_reads_rules_but_cannot_change_them(self):
        rules = self.Format.with_user(self.serial_user).search([])
        self.assertIn(self.imei_rule, rules)
        with self.assertRaises(AccessError):
            self.Format.with_user(self.serial_user).create({"name": "Mine", "example": "X1"})
        with self.assertRaises(AccessError):
            self.imei_rule.with_user(self.serial_user).write({"min_length": 14})
        with self.assertRaises(AccessError):
            self.imei_rule.with_user(self.serial_user).unlink()

    def test_user_without_serial_group_cannot_read_rules(self):
        with self.assertRaises(AccessError):
            self.Format.with_user(self.sales_user).search([])

    def test_manager_configures_rules_and_control(self):
        rule = self.Format.with_user(self.serial_manager).create({"name": "Manager rule", "example": "M-1"})
        rule.with_user(self.serial_manager).write({"min_length": 3})
        product = (
            self.env["product.product"]
            .with_user(self.serial_manager)
            .create(
                {
                    "name": "Managed",
                    "type": "consu",
                    "storq_serial_control": True,
                    "storq_serial_format_id": rule.id,
                }
            )
        )
        self.assertEqual(product.tracking, "serial")

    def test_serial_checks_hold_for_restricted_users(self):
        """The checks run with the user's rights but see every code and unit (no bypass, no leak)."""
        self.env["product.product"].with_company(self.company_b).create(
            {
                "name": "Company B thing",
                "type": "consu",
                "default_code": "B-SECRET-1",
                "company_id": self.company_b.id,
            }
        )
        lots = self.Lot.with_user(self.serial_user)
        with self.assertRaisesRegex(Exception, "looks like a product or location code"):
            lots.create({"product_id": self.gadget.id, "name": "B-SECRET-1"})
        lot = lots.create({"product_id": self.laptop.id, "name": "sn 2lp6yc7"})
        self.assertEqual(lot.name, "2LP6YC7")

    def test_multi_company_rules(self):
        visible_a = self.Format.with_user(self.serial_manager).search([])
        self.assertNotIn(self.rule_b, visible_a)
        visible_b = self.Format.with_user(self.user_b).search([])
        self.assertIn(self.rule_b, visible_b)
        shared = self.imei_rule  # no company: shared
        self.assertIn(shared, visible_b)
        with self.assertRaises(AccessError):
            self.rule_b.with_user(self.serial_manager).read(["name"])

    def test_hygiene_issues_follow_companies(self):
        product_b = (
            self.env["product.product"]
            .with_company(self.company_b)
            .create(
                {
                    "name": "B phone",
                    "type": "consu",
                    "company_id": self.company_b.id,
                    "storq_serial_control": True,
                }
            )
        )
        lot_b = self.Lot.with_company(self.company_b).create({"product_id": product_b.id, "name": "B-0001"})
        lot_a = self.Lot.create(
            {"product_id": self.gadget.id, "name": "A-0001", "company_id": self.company.id}
        )
        # Break the rule behind Odoo's back, as old data would.
        self.env.cr.execute(
            "UPDATE stock_lot SET name = lower(name) || ' ' WHERE id IN %s", [(lot_a.id, lot_b.id)]
        )
        self.Lot.invalidate_model(["name"])
        self.env["storq.serial.hygiene.issue"]._refresh_issues()
        issues_a = self.env["storq.serial.hygiene.issue"].with_user(self.serial_manager).search([])
        self.assertIn(lot_a, issues_a.lot_id)
        self.assertNotIn(lot_b, issues_a.lot_id)
        issues_b = self.env["storq.serial.hygiene.issue"].with_user(self.user_b).search([])
        self.assertIn(lot_b, issues_b.lot_id)
        self.assertNotIn(lot_a, issues_b.lot_id)
        with self.assertRaises(AccessError):
            self.env["storq.serial.hygiene.issue"].with_user(self.serial_user).action_refresh()
