import psycopg2

from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import StorqSerialsCase

CONSTRAINT = "storq_stock_lot_unique_serial"


@tagged("post_install", "-at_install")
class TestSerialUniqueness(StorqSerialsCase):
    """Uniqueness the database guarantees: per product, across a company's products when its
    option is on, and between units without a company and units with one."""

    def _insert(self, product, name, company):
        """A unit written behind the ORM's back (with the values the ORM gives it), as a
        concurrent request's would land after our checks."""
        self.env.flush_all()
        if company:
            wide = company.storq_serial_unique_per_company
        else:
            wide = self.env["res.company"]._storq_any_unique_across_products()
        self.cr.execute(
            "INSERT INTO stock_lot (name, product_id, company_id, storq_serial_control, "
            "storq_serial_unique_company_wide) VALUES (%s, %s, %s, true, %s) RETURNING id",
            [name, product.id, company.id or None, wide],
        )
        return self.Lot.browse(self.cr.fetchone()[0])

    def _assert_refused_by_database(self, product, name, company):
        with (
            self.assertRaises(psycopg2.IntegrityError),
            self.cr.savepoint(),
            mute_logger("odoo.sql_db"),
        ):
            self._insert(product, name, company)

    def _constraint_exists(self):
        return self.Lot._storq_unique_constraint_exists()

    def _drop_constraint(self):
        self.env.flush_all()
        self.cr.execute(f"ALTER TABLE stock_lot DROP CONSTRAINT {CONSTRAINT}")

    def test_constraint_exists_after_install(self):
        self.assertTrue(self._constraint_exists())
        self.assertTrue(self.env["res.config.settings"].create({}).storq_serial_unique_guaranteed)

    def test_unit_without_company_conflicts_with_one_in_a_company(self):
        lot = self.Lot.create(
            {"product_id": self.gadget.id, "name": "NOCO-0001", "company_id": self.company.id}
        )
        self.assertEqual(lot.company_id, self.company)
        self._assert_refused_by_database(self.gadget, "NOCO-0001", self.env["res.company"])
        other = self._insert(self.gadget, "NOCO-0002", self.env["res.company"])
        self._assert_refused_by_database(self.gadget, "NOCO-0002", self.company)
        # The same serial on another product stays allowed without the company's option.
        self.assertTrue(self._insert(self.laptop, "NOCO-0002", self.company))
        self.assertTrue(other)

    def test_company_wide_option_is_enforced_by_the_database(self):
        self.company.storq_serial_unique_per_company = True
        lot = self._create_lots(self.laptop, ["AB12CD3"])
        self.assertFalse(lot.company_id, "a unit of a product without a company has none")
        self.assertTrue(lot.storq_serial_unique_company_wide, "seen by the company with the option")
        self._assert_refused_by_database(self.gadget, "AB12CD3", self.company)
        self._assert_refused_by_database(self.gadget, "AB12CD3", self.env["res.company"])
        in_company = self.Lot.create(
            {"product_id": self.laptop.id, "name": "CD34EF5", "company_id": self.company.id}
        )
        self.assertTrue(in_company.storq_serial_unique_company_wide)
        self._assert_refused_by_database(self.gadget, "CD34EF5", self.company)
        self._assert_refused_by_database(self.gadget, "CD34EF5", self.env["res.company"])
        # Another company, without the option, is not concerned: it sees the serial once per product.
        other_company = self.env["res.company"].create({"name": "Other serials company"})
        self.assertTrue(self._insert(self.gadget, "AB12CD3", other_company))
        self.assertTrue(self._insert(self.gadget, "CD34EF5", other_company))

    def test_python_check_follows_the_same_rule_for_units_without_company(self):
        """What the constraint refuses, the check refuses first, with its message."""
        self.company.storq_serial_unique_per_company = True
        self._create_lots(self.laptop, ["AB12CD3"])
        no_company = self.env["res.company"]
        verdict = self.env["storq.serial.validation"]._check_serials([(self.gadget, "AB12CD3", no_company)])[
            0
        ]
        self.assertRegex(verdict.error, "already the serial of a unit of .*Test laptop")
        self.assertFalse(self._create_lots(self.gadget, ["SHRD002"]).company_id)
        with self.assertRaisesRegex(
            ValidationError, "SHRD002 is already the serial of a unit of .*Test gadget"
        ):
            self._create_lots(self.laptop, ["SHRD002"])

    def test_option_is_refused_while_units_of_two_products_share_a_serial(self):
        self._create_lots(self.laptop, ["AB12CD3"])
        self._create_lots(self.gadget, ["AB12CD3"])
        with self.assertRaises(UserError) as caught:
            self.company.storq_serial_unique_per_company = True
        message = str(caught.exception)
        self.assertIn("AB12CD3", message)
        self.assertIn("Test laptop", message)
        self.assertIn("Test gadget", message)
        self.assertIn("Correct the serial of one unit", message)
        self.assertFalse(self.company.storq_serial_unique_per_company)
        with self.assertRaises(UserError):
            self.env["res.config.settings"].create({"storq_serial_unique_per_company": True}).execute()

    def test_option_off_again_clears_the_units_copy(self):
        self.company.storq_serial_unique_per_company = True
        lot = self._create_lots(self.laptop, ["AB12CD3"])
        self.company.storq_serial_unique_per_company = False
        self.assertFalse(lot.storq_serial_unique_company_wide)
        self.assertTrue(self._create_lots(self.gadget, ["AB12CD3"]))

    def test_duplicates_postpone_the_constraint_until_the_hygiene_job_finds_them_gone(self):
        lot = self._create_lots(self.gadget, ["OLD-0001"])
        self._drop_constraint()
        duplicate = self._insert(self.gadget, "OLD-0001", lot.company_id)
        with self.assertLogs("odoo.addons.storq_serials.models.stock_lot_unique", "WARNING"):
            self.Lot.init()
        self.assertFalse(self._constraint_exists())
        self.assertFalse(self.env["res.config.settings"].create({}).storq_serial_unique_guaranteed)

        Issue = self.env["storq.serial.hygiene.issue"]
        Issue._refresh_issues()
        blockers = Issue.search([("issue_type", "=", "unique_blocker")])
        self.assertEqual(blockers.lot_id, lot | duplicate)
        self.assertIn("does not guarantee unique serials", blockers[0].detail)
        self.assertFalse(self._constraint_exists())

        self.cr.execute("DELETE FROM stock_lot WHERE id = %s", [duplicate.id])
        self.Lot.invalidate_model()
        Issue._refresh_issues()
        self.assertTrue(self._constraint_exists(), "the daily job creates it once the data allows")
        self.assertFalse(Issue.search([("issue_type", "=", "unique_blocker")]))

    def test_managers_create_the_constraint_or_learn_what_keeps_it_away(self):
        manager = self._make_user(
            "unique_manager", "stock.group_stock_manager,storq_serials.group_storq_manager"
        )
        user = self._make_user("unique_user", "stock.group_stock_user,storq_serials.group_storq_user")
        lot = self._create_lots(self.gadget, ["OLD-0002"])
        self._drop_constraint()
        duplicate = self._insert(self.gadget, "OLD-0002", lot.company_id)
        Lot = self.Lot.with_user(manager)
        with self.assertRaises(UserError) as caught:
            Lot.action_storq_guarantee_unique_serials()
        self.assertIn("OLD-0002", str(caught.exception))
        self.assertIn("Correct the serial of one unit", str(caught.exception))
        with self.assertRaisesRegex(UserError, "Only serial managers"):
            self.env["storq.serial.hygiene.issue"].with_user(user).action_guarantee_unique_serials()
        self.cr.execute("DELETE FROM stock_lot WHERE id = %s", [duplicate.id])
        self.Lot.invalidate_model()
        action = self.env["storq.serial.hygiene.issue"].with_user(manager).action_guarantee_unique_serials()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self._constraint_exists())

    def test_the_units_copy_of_the_option_cannot_be_forged(self):
        self.company.storq_serial_unique_per_company = True
        user = self._make_user("unique_forger", "stock.group_stock_manager,storq_serials.group_storq_manager")
        lot = self._create_lots(self.laptop, ["AB12CD3"])
        lot.with_user(user).write({"storq_serial_unique_company_wide": False})
        self.assertTrue(lot.storq_serial_unique_company_wide)
        forged = self.Lot.with_user(user).create(
            {"product_id": self.gadget.id, "name": "FORGED-1", "storq_serial_unique_company_wide": False}
        )
        self.assertTrue(forged.storq_serial_unique_company_wide)

    def test_new_company_with_the_option_is_refused_while_units_without_company_share_a_serial(self):
        self._create_lots(self.laptop, ["AB12CD3"])
        self._create_lots(self.gadget, ["AB12CD3"])
        with self.assertRaisesRegex(UserError, "AB12CD3"):
            self.env["res.company"].create(
                {"name": "Strict company", "storq_serial_unique_per_company": True}
            )
