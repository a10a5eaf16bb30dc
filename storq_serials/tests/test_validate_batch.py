from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import models as odoo_models
from odoo.addons.stock_account.models.stock_move import StockMove as StockAccountMove
from odoo.tests import tagged

from ..models.stock_quant import OWN_MODULE
from ..tools.overrides import is_overridden
from .common import StorqSerialsCase

T_RECEIPT = datetime(2026, 3, 2, 8, 0, 0)
T_DELIVERY = datetime(2026, 3, 9, 14, 30, 0)

# Columns of a lot or a move line that no flow sets on its own (ids, audit columns).
SKIPPED_COLUMNS = {"id", "create_date", "create_uid", "write_date", "write_uid"}


@tagged("post_install", "-at_install")
class TestValidateBatch(StorqSerialsCase):
    """What validation writes in one batch for serial-controlled units is what Odoo writes.

    Each scenario runs for `phone` (under serial control: the batched paths) and for
    `plain_serial_product` (tracked by serial, not under control: Odoo's own path); the rows
    they leave are compared column by column, except the product, the unit record and the
    columns that hold ids.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.phone.is_storable = True

    imei_prefix = "35209911"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _columns(self, model):
        """The stored columns of `model` that Odoo's modules define (not this module's)."""
        return sorted(
            name
            for name, field in self.env[model]._fields.items()
            if field.store
            and field.column_type
            and name not in SKIPPED_COLUMNS
            and not name.startswith("storq_")
            and field.type != "properties"
        )

    def _rows(self, records, key):
        """Rows of `records`, sorted by `key(record)`: every column, ids of relations told
        apart only by what they point to where it differs between the two products."""
        self.env.flush_all()
        model = records._name
        columns = self._columns(model)
        quoted = ", ".join(f'"{column}"' for column in columns)
        self.env.cr.execute(f"SELECT id, {quoted} FROM {records._table} WHERE id = ANY(%s)", [records.ids])
        by_id = {row[0]: dict(zip(columns, row[1:], strict=True)) for row in self.env.cr.fetchall()}
        rows = []
        for record in records:
            row = by_id[record.id]
            row.pop("product_id", None)
            if model == "stock.move.line":
                row["lot_id"] = record.lot_id.name
                for name in ("move_id", "picking_id", "reference"):
                    row.pop(name, None)
            if model == "stock.lot":
                row.pop("name", None)
            if model == "stock.quant":
                row["lot_id"] = record.lot_id.name
            rows.append((key(record), row))
        return sorted(rows, key=lambda item: item[0])

    def _receive_both(self, serials):
        """Receive `serials` of each product; (batched calls, controlled rows, Odoo's rows)."""
        Line = type(self.env["stock.move.line"])
        original = Line._storq_create_and_assign_lots
        calls = []

        def spy(lines):
            calls.append(len(lines))
            return original(lines)

        results = []
        with patch.object(Line, "_storq_create_and_assign_lots", spy):
            for product in (self.phone, self.plain_serial_product):
                with freeze_time(T_RECEIPT):
                    picking = self._receipt(product, serials)
                    picking.move_ids.picked = True
                    picking.button_validate()
                self.assertEqual(picking.state, "done")
                lines = picking.move_line_ids
                quants = self.env["stock.quant"].search([("lot_id", "in", lines.lot_id.ids)])
                results.append(
                    (
                        self._rows(lines, lambda line: line.lot_id.name),
                        self._rows(lines.lot_id, lambda lot: lot.name),
                        self._rows(quants, lambda quant: (quant.lot_id.name, quant.location_id.id)),
                    )
                )
        return calls, results[0], results[1]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_receipt_lots_and_lines_match_odoo(self):
        serials = self._imeis(6, 100)
        calls, controlled, odoo = self._receive_both(serials)
        self.assertEqual(calls, [6], "the receipt's lots are not assigned in one batch")
        self.assertEqual(controlled[0], odoo[0], "move lines differ from Odoo's")
        self.assertEqual(controlled[1], odoo[1], "lots differ from Odoo's")
        self.assertEqual(controlled[2], odoo[2], "quants differ from Odoo's")
        self.assertEqual(len(controlled[2]), 12)
        self.assertEqual([name for name, _row in controlled[1]], sorted(serials))
        lots = self.Lot.search([("product_id", "=", self.phone.id), ("name", "in", serials)])
        self.assertEqual(set(lots.mapped("storq_state")), {"in_stock"})
        self.assertEqual(len(lots.storq_event_ids), 6)

    def test_write_extended_elsewhere_keeps_odoo_path(self):
        """When another module overrides `stock.move.line.write`, each line is written by Odoo's
        `_create_and_assign_production_lot` (the override runs), with the same rows."""
        self.assertFalse(self.env["stock.move.line"]._storq_write_is_extended())
        Line = type(self.env["stock.move.line"])
        with patch.object(Line, "_storq_write_is_extended", lambda lines: True):
            calls, controlled, odoo = self._receive_both(self._imeis(3, 200))
        self.assertEqual(calls, [])
        self.assertEqual(controlled, odoo)

    def test_assignable_lines(self):
        """A receipt's lines are assigned in the batch; a line whose move reserves at its source
        (a serial typed on a delivery) is left to Odoo's path."""
        serials = self._imeis(3, 300)
        picking = self._receipt(self.phone, serials)
        lines = picking.move_line_ids
        self.assertEqual(lines._storq_lot_assignable(), lines)
        delivery = self._confirmed_transfer(
            self.phone,
            1,
            self.stock_location,
            self.customer_location,
            self.env.ref("stock.picking_type_out"),
        )
        typed = self._set_unit_lines(delivery.move_ids, [{"lot_name": serials[1]}])
        self.assertFalse(typed._storq_lot_assignable(), "a line that reserves at its source")

    def _delivery(self, product, serials):
        """A delivery of the units `serials` of `product`, in stock since T_RECEIPT, with its
        lines set to them (picked), ready to validate."""
        with freeze_time(T_RECEIPT):
            units = self._stock_units(product, serials)
        delivery = self._confirmed_transfer(
            product,
            len(units),
            self.stock_location,
            self.customer_location,
            self.env.ref("stock.picking_type_out"),
        )
        self._set_unit_lines(delivery.move_ids, [{"lot_id": unit.id, "picked": True} for unit in units])
        return delivery

    def test_delivery_quants_and_lines_match_odoo(self):
        """A delivery takes each unit from its one quant in stock: the quants are locked in one
        query and written as Odoo writes them; quants and lines are Odoo's, row for row."""
        serials = self._imeis(5, 400)
        Line = type(self.env["stock.move.line"])
        original = Line._storq_take_from_held_quant
        taken = []
        validating = []

        def spy(line, *args):
            result = original(line, *args)
            if validating:
                taken.append((line.product_id, result is not None))
            return result

        results = []
        with patch.object(Line, "_storq_take_from_held_quant", spy):
            for product in (self.phone, self.plain_serial_product):
                delivery = self._delivery(product, serials)
                validating.append(True)
                with freeze_time(T_DELIVERY):
                    delivery.button_validate()
                validating.clear()
                self.assertEqual(delivery.state, "done")
                lines = delivery.move_line_ids
                quants = self.env["stock.quant"].search([("lot_id", "in", lines.lot_id.ids)])
                results.append(
                    (
                        self._rows(lines, lambda line: line.lot_id.name),
                        self._rows(quants, lambda quant: (quant.lot_id.name, quant.location_id.id)),
                    )
                )
        # The reservation released, then the unit taken: two calls per unit, none for Odoo's.
        self.assertEqual([done for product, done in taken if product == self.phone], [True] * 10)
        self.assertFalse([done for product, done in taken if product != self.phone and done])
        self.assertEqual(results[0][0], results[1][0], "move lines differ from Odoo's")
        self.assertEqual(results[0][1], results[1][1], "quants differ from Odoo's")
        in_stock = [row for _key, row in results[0][1] if row["location_id"] == self.stock_location.id]
        self.assertEqual({(row["quantity"], row["reserved_quantity"]) for row in in_stock}, {(0, 0)})
        self.assertEqual({row["in_date"] for _key, row in results[0][1]}, {T_RECEIPT})
        lots = self.Lot.search([("product_id", "=", self.phone.id), ("name", "in", serials)])
        self.assertEqual(set(lots.mapped("storq_state")), {"delivered"})

    def _validate_both(self, prepare, serials):
        """Validate, for each product, the transfer `prepare(product, serials)` returns; per
        product: (calls of `_storq_take_from_held_quant` that took the batch path, what each
        `_synchronize_quant` returned, rows of the lines, rows of the lots' quants)."""
        Line = type(self.env["stock.move.line"])
        original_take = Line._storq_take_from_held_quant
        original_sync = Line._synchronize_quant
        taken, returned, results = [], [], []

        def take_spy(line, *args):
            result = original_take(line, *args)
            taken.append(result is not None)
            return result

        def sync_spy(line, quantity, location, action="available", in_date=False, **quants_value):
            result = original_sync(line, quantity, location, action=action, in_date=in_date, **quants_value)
            returned.append((line.lot_id.name, quantity, location.usage, action, result))
            return result

        for product in (self.phone, self.plain_serial_product):
            picking = prepare(product, serials)
            taken.clear()
            returned.clear()
            with (
                patch.object(Line, "_storq_take_from_held_quant", take_spy),
                patch.object(Line, "_synchronize_quant", sync_spy),
                freeze_time(T_DELIVERY),
            ):
                picking.button_validate()
            self.assertEqual(picking.state, "done")
            lines = picking.move_line_ids
            quants = self.env["stock.quant"].search([("lot_id", "in", lines.lot_id.ids)])
            results.append(
                (
                    sum(taken),
                    sorted(returned),
                    self._rows(lines, lambda line: line.lot_id.name),
                    self._rows(quants, lambda quant: (quant.lot_id.name, quant.location_id.id)),
                )
            )
        return results

    def _assert_same_as_odoo(self, results, batched):
        controlled, odoo = results
        self.assertEqual(controlled[0], batched, "calls that took the batch path")
        self.assertEqual(odoo[0], 0, "a product not under serial control took the batch path")
        self.assertEqual(controlled[1], odoo[1], "_synchronize_quant returned other values than Odoo's")
        self.assertEqual(controlled[2], odoo[2], "move lines differ from Odoo's")
        self.assertEqual(controlled[3], odoo[3], "quants differ from Odoo's")

    def test_delivery_returns_odoo_values(self):
        """Each `_synchronize_quant` of a delivery returns what Odoo's returns (stock_account
        reads them), and leaves Odoo's rows."""
        results = self._validate_both(self._delivery, self._imeis(4, 1300))
        self._assert_same_as_odoo(results, batched=8)

    def test_partly_reserved_delivery_matches_odoo(self):
        """Lines whose units' quants hold no reservation (cleaned, or reserved elsewhere and
        released) release nothing (Odoo's `max(0, ...)`) and still take the unit."""

        def prepare(product, serials):
            delivery = self._delivery(product, serials)
            quants = self.env["stock.quant"].search(
                [
                    ("lot_id", "in", delivery.move_line_ids.lot_id[:2].ids),
                    ("location_id", "=", self.stock_location.id),
                ]
            )
            quants.sudo().write({"reserved_quantity": 0})
            return delivery

        results = self._validate_both(prepare, self._imeis(4, 1400))
        self._assert_same_as_odoo(results, batched=8)
        in_stock = [row for _key, row in results[0][3] if row["location_id"] == self.stock_location.id]
        self.assertEqual({(row["quantity"], row["reserved_quantity"]) for row in in_stock}, {(0, 0)})

    def test_internal_move_matches_odoo(self):
        """An internal move takes each unit from its quant in stock and puts it on a shelf:
        Odoo's rows and return values."""
        shelf = self.env["stock.location"].create({"name": "Shelf T", "location_id": self.stock_location.id})

        def prepare(product, serials):
            with freeze_time(T_RECEIPT):
                units = self._stock_units(product, serials)
            picking = self._confirmed_transfer(
                product, len(units), self.stock_location, shelf, self.env.ref("stock.picking_type_internal")
            )
            self._set_unit_lines(picking.move_ids, [{"lot_id": unit.id, "picked": True} for unit in units])
            return picking

        results = self._validate_both(prepare, self._imeis(3, 1500))
        self._assert_same_as_odoo(results, batched=6)
        on_shelf = [row for _key, row in results[0][3] if row["location_id"] == shelf.id]
        self.assertEqual({(row["quantity"], row["in_date"]) for row in on_shelf}, {(1, T_RECEIPT)})

    def test_unit_reserved_elsewhere_matches_odoo(self):
        """A unit also reserved by another transfer: its release is batched, its quantity would
        leave the quant's availability negative, so Odoo's path takes it (after the batch's
        quants are settled) and frees the other transfer's reservation; Odoo's rows."""

        def prepare(product, serials):
            delivery = self._delivery(product, serials)
            other = self._confirmed_transfer(
                product,
                1,
                self.stock_location,
                self.customer_location,
                self.env.ref("stock.picking_type_out"),
            )
            self._set_unit_lines(other.move_ids, [{"lot_id": delivery.move_line_ids.lot_id[1].id}])
            return delivery

        results = self._validate_both(prepare, self._imeis(3, 1600))
        self._assert_same_as_odoo(results, batched=5)

    def test_update_extended_elsewhere_keeps_odoo_path(self):
        """When another module overrides how quants are updated, each unit takes Odoo's path
        (the override runs), with the same quants."""
        self.assertFalse(self.env["stock.quant"]._storq_update_is_extended())
        delivery = self._delivery(self.phone, self._imeis(3, 800))
        Quant = type(self.env["stock.quant"])
        original_update = Quant._update_available_quantity
        calls = []

        def update_spy(quants, product, location, *args, **kwargs):
            calls.append(location)
            return original_update(quants, product, location, *args, **kwargs)

        with (
            patch.object(Quant, "_storq_update_is_extended", lambda quants: True),
            patch.object(Quant, "_update_available_quantity", update_spy),
        ):
            delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        self.assertEqual(calls, [self.stock_location] * 6)
        quants = self.env["stock.quant"].search([("lot_id", "in", delivery.move_line_ids.lot_id.ids)])
        by_usage = {(q.location_id.usage, q.quantity, q.reserved_quantity) for q in quants}
        # (and the inventory adjustment's quants that put the units in stock)
        self.assertEqual(by_usage, {("internal", 0, 0), ("customer", 1, 0), ("inventory", -1, 0)})

    def test_quant_locked_elsewhere_takes_odoo_path(self):
        """A quant another transaction holds is skipped by the batch lock as by Odoo's: that
        unit takes Odoo's path (which skips it too), the others the batch."""
        delivery = self._delivery(self.phone, self._imeis(3, 500))
        Line = type(self.env["stock.move.line"])
        original_lock = Line._storq_lock_cached_quants
        original_take = Line._storq_take_from_held_quant
        held = self.env["stock.quant"].search(
            [
                ("lot_id", "=", delivery.move_line_ids[:1].lot_id.id),
                ("location_id", "=", self.stock_location.id),
            ]
        )

        def lock_all_but_one(line, pending, quants_cache):
            return original_lock(line, pending, quants_cache) - set(held.ids)

        taken = []

        def take_spy(line, *args):
            result = original_take(line, *args)
            taken.append((line.lot_id == held.lot_id, result is not None))
            return result

        with (
            patch.object(Line, "_storq_lock_cached_quants", lock_all_but_one),
            patch.object(Line, "_storq_take_from_held_quant", take_spy),
        ):
            delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        # The held unit's two calls (its reservation, then its quantity) took Odoo's path.
        self.assertEqual(sorted(taken), [(False, True)] * 4 + [(True, False)] * 2)
        self.assertEqual((held.quantity, held.reserved_quantity), (0, 0))

    def test_outgoing_lines_for_valuation_are_stock_accounts(self):
        """The outgoing lines valuation reads are stock_account's, in its order: not a line
        that is not picked, nor one owned by a partner; none for a receipt."""
        moves = self._delivery(self.phone, self._imeis(5, 500)).move_ids
        lines = moves.move_line_ids
        self.assertFalse(is_overridden(type(moves), StockAccountMove, "_get_out_move_lines", OWN_MODULE))
        lines[1].picked = False
        owner = self.env["res.partner"].create({"name": "Consignor"})
        self.env.cr.execute("UPDATE stock_move_line SET owner_id = %s WHERE id = %s", [owner.id, lines[3].id])
        self.env.invalidate_all()
        expected = StockAccountMove._get_out_move_lines(moves)
        self.assertEqual(expected, lines[0] + lines[2] + lines[4])
        self.assertEqual(moves._get_out_move_lines().ids, expected.ids)
        receipt = self._receipt(self.phone, self._imeis(2, 550))
        receipt.move_line_ids.picked = True
        self.assertFalse(StockAccountMove._get_out_move_lines(receipt.move_ids))
        self.assertFalse(receipt.move_ids._get_out_move_lines())

    def test_delivery_validation_is_constant_in_queries(self):
        """Validating a delivery of serial-controlled units takes the same queries for 10 and
        200 units (the ORM's 100-row chunks lifted, as for receipts in test_query_counts)."""
        self._validation_queries(self._delivery(self.phone, self._imeis(2, 600)))  # warm the caches
        with (
            patch.object(odoo_models, "INSERT_BATCH_SIZE", 1000),
            patch.object(odoo_models, "UPDATE_BATCH_SIZE", 1000),
        ):
            small = self._validation_queries(self._delivery(self.phone, self._imeis(10, 700)))
            large = self._validation_queries(self._delivery(self.phone, self._imeis(200, 1000)))
        self.assertEqual(small, large, f"queries for 10 and 200 units: {small}, {large}")

    def test_internal_move_validation_is_constant_in_queries(self):
        """Validating an internal move of serial-controlled units takes the same queries for 10
        and 200 units."""
        shelf = self.env["stock.location"].create({"name": "Shelf Q", "location_id": self.stock_location.id})
        internal = self.env.ref("stock.picking_type_internal")

        def internal_move(serials):
            units = self._stock_units(self.phone, serials)
            picking = self._confirmed_transfer(self.phone, len(units), self.stock_location, shelf, internal)
            self._set_unit_lines(picking.move_ids, [{"lot_id": unit.id, "picked": True} for unit in units])
            return picking

        self._validation_queries(internal_move(self._imeis(2, 1700)))  # warm the caches
        with (
            patch.object(odoo_models, "INSERT_BATCH_SIZE", 1000),
            patch.object(odoo_models, "UPDATE_BATCH_SIZE", 1000),
        ):
            small = self._validation_queries(internal_move(self._imeis(10, 1800)))
            large = self._validation_queries(internal_move(self._imeis(200, 1900)))
        self.assertEqual(small, large, f"queries for 10 and 200 units: {small}, {large}")

    def _validation_queries(self, picking):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        picking.button_validate()
        self.env.flush_all()
        self.assertEqual(picking.state, "done")
        return self.cr.sql_log_count - before
