from unittest.mock import patch

from odoo import Command
from odoo import models as odoo_models
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialSpeed(StorqSerialsCase):
    """Generating, importing or pasting N serials on a move: queries that do not grow with N.

    The ORM writes rows 100 at a time; the chunks are made larger here so that what is
    compared is the number of batches, not the rows per chunk.
    """

    def setUp(self):
        super().setUp()
        for name, size in (("INSERT_BATCH_SIZE", 5000), ("UPDATE_BATCH_SIZE", 5000)):
            patcher = patch.object(odoo_models, name, size)
            patcher.start()
            self.addCleanup(patcher.stop)

    def _cold_receipt(self, product, count):
        picking = self._receipt(product, [], quantity=count)
        self.assertEqual(len(picking.move_ids.move_line_ids), count, "one line per unit to receive")
        self.env.flush_all()
        self.env.invalidate_all()
        _ = product.storq_serial_control
        return picking.move_ids

    def _generate_queries(self, product, size, first):
        move = self._cold_receipt(product, size)
        before = self.cr.sql_log_count
        move._generate_serial_numbers(first, size)
        self.env.flush_all()
        self.assertEqual(len(move.move_line_ids.filtered("lot_name")), size)
        return self.cr.sql_log_count - before

    def test_generate_serials_is_constant_in_queries(self):
        """Generate Serials on a receipt (`stock.move._generate_serial_numbers`) writes each of
        the receipt's lines: the serials are checked once for the whole move, not per line."""
        self._generate_queries(self.gadget, 2, "WARM-0001")
        self._generate_queries(self.plain_serial_product, 2, "WARM-0001")
        small = self._generate_queries(self.gadget, 10, "GEN-A-0001")
        move = self._cold_receipt(self.gadget, 1000)
        with self.assertQueryCount(small):
            move._generate_serial_numbers("GEN-B-0001", 1000)
            self.env.flush_all()
        self.assertEqual(len(move.move_line_ids.filtered("lot_name")), 1000)
        plain = self._generate_queries(self.plain_serial_product, 1000, "GEN-C-0001")
        self.assertLessEqual(small - plain, 6, f"storq {small} queries against plain Odoo's {plain}")

    def _import_queries(self, product, names):
        """Import Serials as the web client does: the dialog's values, then one save of the move."""
        move = self._cold_receipt(product, len(names))
        context = {
            "default_product_id": product.id,
            "default_tracking": "serial",
            "default_location_dest_id": move.location_dest_id.id,
            "default_location_id": move.location_id.id,
            "default_picking_id": move.picking_id.id,
            "default_move_id": move.id,
            "default_picking_type_id": move.picking_type_id.id,
            "default_company_id": move.company_id.id,
        }
        before = self.cr.sql_log_count
        vals_list = self.env["stock.move"].action_generate_lot_line_vals(
            context, "import", False, 0, "\n".join(names)
        )
        lines = move.move_line_ids.sorted("id")
        commands = [
            Command.update(
                line.id,
                {key: value["id"] if isinstance(value, dict) else value for key, value in vals.items()},
            )
            for line, vals in zip(lines, vals_list)
        ]
        move.picking_id.write({"move_ids": [Command.update(move.id, {"move_line_ids": commands})]})
        self.env.flush_all()
        queries = self.cr.sql_log_count - before
        self.assertEqual(sorted(move.move_line_ids.mapped("lot_name")), sorted(names))
        return queries

    def test_import_serials_saved_on_existing_lines_is_constant_in_queries(self):
        """Odoo itself spends a query per line here (the putaway strategy of each pasted serial):
        what serial control adds to it must not grow with the list."""
        self._import_queries(self.gadget, ["WARM-I-1", "WARM-I-2"])
        self._import_queries(self.plain_serial_product, ["WARM-I-1", "WARM-I-2"])
        overheads = []
        for size, prefix in ((10, "IMP-A"), (1000, "IMP-B")):
            names = [f"{prefix}-{n:04d}" for n in range(size)]
            controlled = self._import_queries(self.gadget, names)
            plain = self._import_queries(self.plain_serial_product, names)
            overheads.append(controlled - plain)
        self.assertEqual(overheads[0], overheads[1], f"added queries for 10 and 1,000 serials: {overheads}")
        self.assertLessEqual(overheads[0], 5)
