"""The company check of move lines and lots, done for the whole batch (company_check_batch.py):
the same verdict as Odoo's record-by-record check, and Odoo's own message when it fails."""

from unittest.mock import patch

from odoo import models
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models.company_check_batch import companies_consistent
from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestCompanyCheckBatch(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other = cls.env["res.company"].create({"name": "Check Other Co"})
        cls.other_stock = cls.env["stock.warehouse"].search([("company_id", "=", cls.other.id)]).lot_stock_id
        cls.other_lot = cls.Lot.create(
            {"product_id": cls.gadget.id, "name": "CHK-OTHER", "company_id": cls.other.id}
        )

    def _receipt_lines(self, names):
        picking = self._confirmed_transfer(
            self.gadget, len(names), self.supplier_location, self.stock_location, self.receipt_type
        )
        lots = self._create_lots(self.gadget, names)
        return self._set_unit_lines(picking.move_ids, [{"lot_id": lot.id} for lot in lots])

    def _odoo_verdict(self, records):
        """None when Odoo's own `_check_company` passes, else its message."""
        try:
            models.BaseModel._check_company(records)
        except UserError as error:
            return str(error)
        return None

    def _module_verdict(self, records):
        try:
            records._check_company()
        except UserError as error:
            return str(error)
        return None

    def _sql_set(self, records, column, value):
        """Set a column under the ORM (its own write would refuse an inconsistent value)."""
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE {records._table} SET {column} = %s WHERE id = ANY(%s)", [value, records.ids]
        )
        records.invalidate_recordset()

    def test_consistent_lines_pass_in_one_check(self):
        lines = self._receipt_lines(["CHK-0001", "CHK-0002", "CHK-0003"])
        self.assertTrue(companies_consistent(lines))
        self.assertIsNone(self._odoo_verdict(lines))
        # The lines' values are filtered once per field, not once per line.
        Lot = type(self.env["stock.lot"])
        with patch.object(Lot, "filtered_domain", autospec=True, side_effect=Lot.filtered_domain) as spy:
            self.assertIsNone(self._module_verdict(lines))
        self.assertEqual(spy.call_count, 1)

    def test_a_line_with_a_lot_of_another_company_gets_odoos_message(self):
        lines = self._receipt_lines(["CHK-0011", "CHK-0012", "CHK-0013"])
        self._sql_set(lines[1], "lot_id", self.other_lot.id)
        self.assertFalse(companies_consistent(lines))
        expected = self._odoo_verdict(lines)
        self.assertIn("CHK-OTHER", expected)
        self.assertEqual(self._module_verdict(lines), expected)

    def test_lines_of_two_companies_each_with_their_own_values(self):
        lines = self._receipt_lines(["CHK-0021", "CHK-0022"])
        other_lot = self.Lot.create(
            {"product_id": self.gadget.id, "name": "CHK-0023", "company_id": self.other.id}
        )
        self._sql_set(lines[0], "company_id", self.other.id)
        self._sql_set(lines[0], "lot_id", other_lot.id)
        self._sql_set(lines[0], "location_dest_id", self.other_stock.id)
        self.assertFalse(companies_consistent(lines))  # still our transfer's line
        self.assertEqual(self._module_verdict(lines), self._odoo_verdict(lines))
        self._sql_set(lines[0], "picking_id", None)
        self._sql_set(lines[0], "move_id", None)
        # Line 0 is the other company's, with its lot and shelf; line 1 is ours.
        self.assertTrue(companies_consistent(lines))
        self.assertIsNone(self._odoo_verdict(lines))
        self.assertIsNone(self._module_verdict(lines))
        # Our shelf on the other company's line: refused, as Odoo refuses it.
        self._sql_set(lines[0], "location_dest_id", self.stock_location.id)
        self.assertFalse(companies_consistent(lines))
        self.assertEqual(self._module_verdict(lines), self._odoo_verdict(lines))
        self.assertIsNotNone(self._odoo_verdict(lines))

    def test_checked_fields_only(self):
        lines = self._receipt_lines(["CHK-0031", "CHK-0032"])
        self._sql_set(lines[0], "lot_id", self.other_lot.id)
        self.assertTrue(companies_consistent(lines, ["location_id", "location_dest_id"]))
        self.assertFalse(companies_consistent(lines, ["lot_id"]))
        self.assertFalse(companies_consistent(lines, ["company_id"]))  # every field, as Odoo does
        self.assertEqual(self._module_verdict(lines), self._odoo_verdict(lines))

    def test_new_lots_of_a_product_of_another_company_get_odoos_message(self):
        product = self.env["product.product"].create(
            {
                "name": "Other gadget",
                "type": "consu",
                "storq_serial_control": True,
                "company_id": self.other.id,
            }
        )
        lots = self.Lot.with_company(self.other).create(
            [
                {"product_id": product.id, "name": name, "company_id": self.other.id}
                for name in ("CHK-41", "CHK-42")
            ]
        )
        self.assertTrue(companies_consistent(lots))
        self._sql_set(lots[1], "company_id", self.company.id)
        self.assertFalse(companies_consistent(lots))
        self.assertEqual(self._module_verdict(lots), self._odoo_verdict(lots))
        self.assertIn("Other gadget", self._module_verdict(lots))
        with self.assertRaisesRegex(UserError, "Other gadget"):
            self.Lot.create(
                [
                    {"product_id": product.id, "name": name, "company_id": self.company.id}
                    for name in ("CHK-43", "CHK-44")
                ]
            )
