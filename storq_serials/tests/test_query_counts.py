from unittest.mock import patch

from odoo import models as odoo_models
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StorqSerialsCase

# Queries for one batch check, whatever its size: the product category (for its format
# rule), the product code guard, existing units, similar serials (two: the bounds of each
# product's serials, then the candidates through the indexes).
CHECK_QUERIES = 5


@tagged("post_install", "-at_install")
class TestSerialQueryCounts(StorqSerialsCase):
    def _check(self, names):
        validation = self.env["storq.serial.validation"]
        entries = [(self.phone, name, self.company) for name in names]
        return validation._check_serials(entries, warn_similar=True)

    def test_batch_check_is_constant_in_queries(self):
        # Existing units so every query has something to find.
        self._create_lots(self.phone, self._imeis(50, start=900000))
        self._check(self._imeis(2))  # warm the rule cache and the product prefetch
        for size in (10, 1000):
            names = self._imeis(size)
            self.env.invalidate_all()
            _ = self.phone.storq_serial_control  # the product record is read once per batch anyway
            _ = self.company.storq_serial_unique_per_company
            with self.assertQueryCount(CHECK_QUERIES):
                verdicts = self._check(names)
            self.assertEqual(len(verdicts), size)
            self.assertFalse([v for v in verdicts if v.error])

    def _count_lot_creation(self, product, names):
        vals_list = [{"product_id": product.id, "name": name} for name in names]
        self.env.invalidate_all()
        # What any request has in cache already: the user, its company, the product.
        _ = self.env.user.company_id.storq_serial_unique_per_company
        _ = product.storq_serial_control
        before = self.cr.sql_log_count
        self.Lot.create(vals_list)
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def test_lot_creation_overhead_does_not_grow_with_the_batch(self):
        """Odoo's own lot creation grows with the batch (flushes in chunks); what serial
        control adds to it, compared with a product outside serial control, must not."""
        self._count_lot_creation(self.phone, self._imeis(2, 500000))  # warm caches
        self._count_lot_creation(self.plain_serial_product, ["warm-1", "warm-2"])
        overheads = []
        for size, start in ((10, 100000), (1000, 200000)):
            names = self._imeis(size, start)
            controlled = self._count_lot_creation(self.phone, names)
            plain = self._count_lot_creation(self.plain_serial_product, names)
            overheads.append(controlled - plain)
        self.assertEqual(overheads[0], overheads[1], f"added queries for 10 and 1000 lots: {overheads}")
        self.assertLessEqual(overheads[0], CHECK_QUERIES)

    def test_move_line_serial_check_is_constant(self):
        counts = []
        for size, start in ((10, 300000), (1000, 400000)):
            picking = self._receipt(self.phone, [], quantity=size)
            move = picking.move_ids
            move.move_line_ids.unlink()
            vals_list = [
                {
                    "move_id": move.id,
                    "picking_id": picking.id,
                    "product_id": self.phone.id,
                    "lot_name": name,
                    "quantity": 1,
                    "location_id": self.supplier_location.id,
                    "location_dest_id": self.stock_location.id,
                }
                for name in self._imeis(size, start)
            ]
            lines = self.env["stock.move.line"].create(vals_list)
            self.env.flush_all()
            self.env.invalidate_all()
            _ = self.phone.storq_serial_control
            before = self.cr.sql_log_count
            lines._storq_check_lot_names()
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1], f"queries for 10 and 1000 move lines: {counts}")

    def test_unit_records_and_events_are_written_in_constant_queries(self):
        counts = []
        for size, start in ((10, 600000), (1000, 700000)):
            picking = self._receipt(self.phone, self._imeis(size, start))
            picking.button_validate()
            lines = picking.move_line_ids
            self.assertEqual(len(lines.lot_id.storq_event_ids), size)
            self.env.invalidate_all()
            _ = self.env.user.company_id
            before = self.cr.sql_log_count
            self.env["stock.lot"]._storq_record_moves(lines)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1], f"queries for 10 and 1000 units: {counts}")

    def _saved_receipt(self, product, serials):
        """A receipt of `serials` saved and ready to validate, with a cold ORM cache."""
        picking = self._receipt(product, serials)
        self.env.flush_all()
        self.env.invalidate_all()
        return picking

    def _validation_queries(self, product, serials):
        picking = self._saved_receipt(product, serials)
        before = self.cr.sql_log_count
        picking.button_validate()
        self.env.flush_all()
        self.assertEqual(picking.state, "done")
        return self.cr.sql_log_count - before

    def test_receipt_validation_is_constant_in_queries(self):
        """Validating a receipt of serial-controlled units takes the same queries for 10 and
        200 units: their lots, quants, unit records and events are each written in one batch.

        The ORM splits its INSERTs and UPDATEs in chunks of 100 rows; the chunks are made larger
        here so that what is compared is the number of batches, not the rows per chunk.
        """
        self.phone.is_storable = True
        self._validation_queries(self.phone, self._imeis(2, 800000))  # warm the caches
        self._validation_queries(self.plain_serial_product, ["warm-a", "warm-b"])
        with (
            patch.object(odoo_models, "INSERT_BATCH_SIZE", 1000),
            patch.object(odoo_models, "UPDATE_BATCH_SIZE", 1000),
        ):
            small = self._validation_queries(self.phone, self._imeis(10, 810000))
            picking = self._saved_receipt(self.phone, self._imeis(200, 820000))
            with self.assertQueryCount(small):
                picking.button_validate()
            self.assertEqual(len(picking.move_line_ids.lot_id.quant_ids), 400)
            # Odoo's own path creates the quants one by one: the measure does see them.
            plain_small = self._validation_queries(self.plain_serial_product, [f"P-{n}" for n in range(10)])
            plain_large = self._validation_queries(self.plain_serial_product, [f"Q-{n}" for n in range(200)])
        self.assertGreaterEqual(plain_large - plain_small, 2 * 190)

    def _delivery_lines(self, size, start):
        """The lines of a delivery of `size` units in stock, half of them blocked (refused)."""
        units = self._stock_units(self.phone, self._imeis(size, start))
        units[: size // 2]._storq_block("Recall")
        delivery = self._confirmed_transfer(
            self.phone,
            size,
            self.stock_location,
            self.env.ref("stock.stock_location_customers"),
            self.env.ref("stock.picking_type_out"),
        )
        vals = [{"lot_id": unit.id, "picked": True} for unit in units]
        lines = self._set_unit_lines(delivery.move_ids, vals)
        self.env.flush_all()
        self.env.invalidate_all()
        # What `_action_done` has read of the lines before the rulebook.
        _ = lines.mapped(
            lambda line: (
                line.product_id.storq_serial_control,
                line.product_uom_id.rounding,
                line.quantity,
                line.lot_name,
                line.location_id.usage,
                line.location_dest_id.usage,
            )
        )
        return lines

    def test_rulebook_validation_check_is_constant_in_queries(self):
        """The rulebook's check of a delivery's lines costs the same for 10 and 200 lines: the
        units, the moves (their product and final location), then what the refusal names."""
        counts = []
        for size, start in ((10, 850000), (200, 860000)):
            lines = self._delivery_lines(size, start)
            before = self.cr.sql_log_count
            with self.assertRaises(UserError) as refusal:
                self.env["storq.unit.rulebook"]._storq_check_move_lines(lines)
            counts.append(self.cr.sql_log_count - before)
            self.assertIn("is blocked (Recall)", str(refusal.exception))
        self.assertEqual(counts[0], counts[1], f"queries for 10 and 200 lines: {counts}")
