import datetime

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from ..tools.serial_order import serial_key
from .common_recall import RecallCase

# Queries of a preview with one range, whatever the number of units.
PREVIEW_QUERIES = 9


@tagged("post_install", "-at_install")
class TestRecallSelection(RecallCase):
    """A recall selects exactly the units its criteria name, ranges in natural serial order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gadget2 = cls.env["product.product"].create(
            {"name": "Test gadget 2", "type": "consu", "storq_serial_control": True}
        )
        names = [
            "SN-0098", "SN-0099", "SN-0100", "SN-0101", "SN-0102",  # SN-0103..0105 never received
            "SN-100", "SN-00100", "XSN-0100", "SN-0100-B", "sn-0100x",
            "A9", "A10", "A11", "A12", "A13", "A09", "A010",
        ]  # fmt: skip
        cls.units = {unit.name: unit for unit in cls._stock_units(cls.gadget, names)}
        cls.other_units = {unit.name: unit for unit in cls._stock_units(cls.gadget2, ["SN-0100", "SN-0104"])}
        cls.laptops = {
            unit.name: unit for unit in cls._stock_units(cls.laptop, ["LPT0099", "LPT0100", "LPT0101"])
        }

    def _names(self, recall):
        return sorted(
            f"{lot.product_id.default_code or lot.product_id.name}:{lot.name}"
            for lot in self._selected(recall)
        )

    def test_padding_and_prefix(self):
        recall = self._recall([("SN-0099", "SN-0101", self.gadget)])
        self.assertEqual(
            self._names(recall), ["Test gadget:SN-0099", "Test gadget:SN-0100", "Test gadget:SN-0101"]
        )

    def test_range_without_product_takes_every_product(self):
        recall = self._recall([("SN-0099", "SN-0101")])
        self.assertEqual(
            self._names(recall),
            ["Test gadget 2:SN-0100", "Test gadget:SN-0099", "Test gadget:SN-0100", "Test gadget:SN-0101"],
        )
        # narrowed by the products of the recall
        recall.product_ids = self.gadget2
        self.assertEqual(self._names(recall), ["Test gadget 2:SN-0100"])

    def test_unpadded_bounds_and_mixed_lengths(self):
        recall = self._recall([("A9", "A12", self.gadget)])
        self.assertEqual(sorted(self._selected(recall).mapped("name")), ["A10", "A11", "A12", "A9"])

    def test_lower_case_bounds_and_suffix(self):
        recall = self._recall([("sn-0100-b", "SN-0100-B")])
        self.assertEqual(self._selected(recall).mapped("name"), ["SN-0100-B"])
        recall = self._recall([("SN-0100X", "SN-0100X")])
        self.assertEqual(self._selected(recall).mapped("name"), ["sn-0100x"])

    def test_several_products_with_different_formats(self):
        recall = self._recall([("SN-0100", "SN-0102", self.gadget), ("LPT0100", "LPT0199", self.laptop)])
        self.assertEqual(
            self._names(recall),
            [
                "LAPTOP-1:LPT0100",
                "LAPTOP-1:LPT0101",
                "Test gadget:SN-0100",
                "Test gadget:SN-0101",
                "Test gadget:SN-0102",
            ],
        )

    def test_serial_list_with_bad_lines(self):
        recall = self._recall(
            serial_list="SN-0100\n  a11 \n\nNOPE-1\n" + "X" * 200 + "\n",
            product_ids=[(6, 0, self.gadget.ids)],
        )
        self.assertEqual(sorted(self._selected(recall).mapped("name")), ["A11", "SN-0100"])
        recall.action_preview()
        self.assertEqual(recall.preview_data["unknown_serials"], ["NOPE-1"])
        self.assertEqual(len(recall.preview_data["list_errors"]), 1)
        self.assertIn("Line 5", recall.preview_data["list_errors"][0])
        self.assertIn("skipped", recall.preview_html)

    def test_refused_ranges_say_what_to_do(self):
        with self.assertRaisesRegex(ValidationError, "padded to different widths"):
            self._recall([("SN-099", "SN-1000")])
        with self.assertRaisesRegex(ValidationError, "goes backwards"):
            self._recall([("SN-0101", "SN-0099")])
        with self.assertRaisesRegex(ValidationError, "mixes two prefixes"):
            self._recall([("SN-0101", "XN-0199")])

    def test_a_recall_needs_products_ranges_or_serials(self):
        recall = self._recall(supplier_id=self.customer.id)
        with self.assertRaisesRegex(UserError, "selects no units"):
            recall.action_preview()

    def test_situation_and_dates(self):
        delivered = self.units["SN-0100"]
        self._deliver(self.customer, delivered)
        recall = self._recall([("SN-0098", "SN-0102", self.gadget)])
        self.assertEqual(len(self._selected(recall)), 5)
        recall.include_in_stock = False
        self.assertEqual(self._selected(recall), delivered)
        recall.write({"include_in_stock": True, "include_delivered": False})
        self.assertEqual(len(self._selected(recall)), 4)
        today = fields.Date.context_today(recall)
        recall.write({"include_delivered": True, "delivery_date_from": today})
        self.assertEqual(self._selected(recall), delivered)
        recall.write({"delivery_date_from": False, "delivery_date_to": today - datetime.timedelta(days=1)})
        self.assertFalse(self._selected(recall))

    def test_dates_are_the_users_days(self):
        # Delivered at 23:30 UTC on 30 June: 1 July in Brussels, 30 June in Honolulu.
        with freeze_time("2026-06-30 23:30:00"):
            delivered = self.units["SN-0100"]
            self._deliver(self.customer, delivered)
        recall = self._recall([("SN-0098", "SN-0102", self.gadget)], include_in_stock=False)
        july_1, june_30 = datetime.date(2026, 7, 1), datetime.date(2026, 6, 30)
        cases = (("Europe/Brussels", july_1, june_30), ("Pacific/Honolulu", june_30, july_1))
        for tz, day, other_day in cases:
            local = recall.with_context(tz=tz)
            local.write({"delivery_date_from": day, "delivery_date_to": day})
            self.assertEqual(self._selected(local), delivered, tz)
            local.write({"delivery_date_from": other_day, "delivery_date_to": other_day})
            self.assertFalse(self._selected(local), tz)

    def test_preview_counts_situations_and_gaps(self):
        self._deliver(self.customer, self.units["SN-0100"])
        reserved = self.units["SN-0101"]
        delivery = self._sale(self.customer, self.gadget, 1).picking_ids
        delivery.move_ids.move_line_ids.unlink()
        self._set_unit_lines(delivery.move_ids, [{"lot_id": reserved.id}])
        recall = self._recall([("SN-0095", "SN-0105", self.gadget)])
        recall.action_preview()
        data = recall.preview_data
        self.assertEqual(data["count"], 5)
        situations = data["situations"]
        self.assertEqual(
            situations["in_stock"]["count"],
            3,
            (situations, delivery.move_ids.move_line_ids.read(["state", "lot_id", "picking_id"])),
        )
        self.assertEqual(situations["in_stock"]["details"], [[self.stock_location.display_name, 3]])
        self.assertEqual(situations["reserved"]["count"], 1)
        self.assertEqual(situations["at_customer"]["details"], [[self.customer.display_name, 1]])
        self.assertEqual(recall.gap_count, 6)
        self.assertEqual(data["gaps"], ["SN-0095", "SN-0096", "SN-0097", "SN-0103", "SN-0104", "SN-0105"])
        self.assertIn("SN-0103", recall.preview_html)
        self.assertEqual(recall.preview_count, 5)

    def test_preview_gaps_of_unpadded_ranges(self):
        recall = self._recall([("A7", "A14", self.gadget)])
        recall.action_preview()
        self.assertEqual(recall.preview_data["gaps"], ["A7", "A8", "A14"])
        self.assertEqual(recall.gap_count, 3)

    def test_preview_query_count_does_not_grow(self):
        recall_small = self._recall([("Q-0001", "Q-1000", self.gadget)])
        recall_large = self._recall([("Q-0001", "Q-1000", self.gadget)])
        recall_small.action_preview()  # warm the caches
        recall_large.action_preview()
        self._stock_units(self.gadget, [f"Q-{n:04d}" for n in range(1, 6)])
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        with self.assertQueryCount(__system__=PREVIEW_QUERIES):
            recall_small.action_preview()
        small = self.env.cr.sql_log_count - start
        self.assertEqual(recall_small.preview_count, 5)
        self._stock_units(self.gadget, [f"Q-{n:04d}" for n in range(6, 200)])
        self.env.invalidate_all()
        start = self.env.cr.sql_log_count
        with self.assertQueryCount(__system__=PREVIEW_QUERIES):
            recall_large.action_preview()
        self.assertLessEqual(self.env.cr.sql_log_count - start, small)
        self.assertEqual(recall_large.preview_count, 199)
        self.assertEqual(recall_large.gap_count, 801)

    def test_serial_key_follows_renames_and_sql_fill(self):
        unit = self.units["A13"]
        unit.sudo().write({"name": "B-0042"})
        self.assertEqual(
            (
                unit.storq_serial_prefix,
                unit.storq_serial_digits,
                unit.storq_serial_width,
                unit.storq_serial_suffix,
            ),
            ("B-", "0042", 4, ""),
        )
        # the SQL fill of existing units gives what the ORM computes
        self.env.flush_all()
        self.env["stock.lot"]._storq_fill_serial_keys()
        self.env.cr.execute(
            "SELECT name, storq_serial_prefix, storq_serial_digits, storq_serial_width, storq_serial_suffix"
            "  FROM stock_lot"
        )
        for name, prefix, digits, width, suffix in self.env.cr.fetchall():
            key = serial_key(name)
            self.assertEqual((prefix, digits, width, suffix), tuple(key.values()), name)

    def test_client_cannot_write_the_key(self):
        with self.assertRaises(AccessError):
            self.units["A9"].with_user(self.manager).write({"storq_serial_prefix": "X"})

    def test_correct_serial_moves_the_unit_into_the_range(self):
        unit = self.units["SN-00100"]
        recall = self._recall([("SN-0099", "SN-0103", self.gadget)])
        self.assertNotIn(unit, self._selected(recall), "SN-00100 has another width")
        wizard = (
            self.env["storq.unit.rename"]
            .with_user(self.manager)
            .create({"lot_id": unit.id, "new_serial": "SN-0103", "reason": "Typo at receipt"})
        )
        wizard.action_apply()
        self.assertEqual(unit.name, "SN-0103")
        self.assertIn(unit, self._selected(recall))

    def test_form_sequence_and_range_size(self):
        with Form(self.env["storq.recall"].with_user(self.manager)) as form:
            form.title = "Form recall"
            form.risk_class = "1"
            form.source = "supplier"
            form.external_ref = "SUP-2026-77"
            with form.range_ids.new() as rng:
                rng.product_id = self.gadget
                rng.serial_from = "A9"
                rng.serial_to = "A12"
        recall = form.record
        self.assertTrue(recall.name.startswith("RCL/"), recall.name)
        self.assertEqual(recall.range_ids.size, "4")
        self.assertEqual(recall.user_id, self.manager)
        recall.with_user(self.manager).action_preview()
        self.assertEqual(recall.preview_count, 4)

    def test_preview_and_lines_keep_units_that_left(self):
        returned = self.laptops["LPT0099"]
        self._return_to_vendor(returned)
        recall = self._recall([("LPT0099", "LPT0101", self.laptop)], user=self.manager).with_user(
            self.manager
        )
        recall.action_preview()
        self.assertEqual(recall.preview_data["situations"]["returned_to_vendor"]["count"], 1)
        recall.include_returned_to_vendor = False
        recall.action_preview()
        self.assertNotIn("returned_to_vendor", recall.preview_data["situations"])
        recall.include_returned_to_vendor = True
        recall.action_confirm()
        line = recall.line_ids.filtered(lambda line: line.lot_id == returned)
        self.assertEqual(
            (line.situation, line.location_id.id, line.partner_id.id), ("returned_to_vendor", False, False)
        )
