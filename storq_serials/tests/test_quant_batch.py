from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..models import stock_quant as stock_quant_module
from .common import StorqSerialsCase

T_RECEIPT = datetime(2026, 3, 2, 8, 0, 0)
T_LATER = datetime(2026, 3, 9, 14, 30, 0)
# Queries of a batch of new quants, with its flush, whatever its size (see
# test_insert_queries_do_not_grow).
BATCH_QUERIES = 5


@tagged("post_install", "-at_install")
class TestQuantBatch(StorqSerialsCase):
    """Quants of serial-controlled units created in one batch are the quants Odoo creates.

    Each scenario runs twice with the same serials: for `phone` (under serial control: the
    batched path) and for `plain_serial_product` (tracked by serial, not under control:
    Odoo's own path). The quants they leave must be identical, row for row.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.phone.is_storable = True
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf Q", "location_id": cls.stock_location.id, "usage": "internal"}
        )
        cls.customer = cls.env["res.partner"].create({"name": "Quant Customer"})
        cls.owner = cls.env["res.partner"].create({"name": "Consignment Owner"})

    imei_prefix = "35209900"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _transfer(self, product, picking_type, source, destination, unit_vals):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "partner_id": self.customer.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": len(unit_vals),
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._set_unit_lines(picking.move_ids, unit_vals)
        picking.move_ids.picked = True
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking

    def _receive(self, product, serials, **line_vals):
        return self._transfer(
            product,
            self.receipt_type,
            self.supplier_location,
            self.stock_location,
            [{"lot_name": serial, **line_vals} for serial in serials],
        )

    def _lots(self, product, serials):
        lots = self.Lot.search([("product_id", "=", product.id), ("name", "in", serials)])
        by_name = {lot.name: lot for lot in lots}
        return [by_name[serial] for serial in serials]

    def _quant_rows(self, product):
        quants = self.env["stock.quant"].search([("product_id", "=", product.id)])
        return sorted(
            (
                quant.lot_id.name or "",
                quant.location_id.complete_name,
                quant.quantity,
                quant.reserved_quantity,
                quant.in_date,
                quant.company_id.id,
                bool(quant.package_id),
                quant.owner_id.id,
                # the stored fields Odoo computes on a new quant
                quant.storage_category_id.id,
                quant.inventory_date,
                quant.inventory_quantity,
                quant.inventory_diff_quantity,
                quant.inventory_quantity_set,
                quant.user_id.id,
            )
            for quant in quants
        )

    def _run_both(self, scenario):
        """Quant rows of `scenario(product)` for the batched and Odoo's path, and the batches made;
        the batches are inserted by `_storq_insert_quants` unless `create` is extended."""
        batches = []
        inserted = []
        Quant = type(self.env["stock.quant"])
        original = Quant._storq_create_quants
        original_insert = Quant._storq_insert_rows

        def spy(quants, vals_list):
            batches.append(len(vals_list))
            return original(quants, vals_list)

        def insert_spy(quants, fnames, rows):
            inserted.append(len(rows))
            return original_insert(quants, fnames, rows)

        with (
            patch.object(Quant, "_storq_create_quants", spy),
            patch.object(Quant, "_storq_insert_rows", insert_spy),
        ):
            scenario(self.phone)
            batched_rows = self._quant_rows(self.phone)
            odoo_batches = list(batches)
            extended = self.env["stock.quant"]._storq_create_is_extended()
            self.assertEqual(inserted, [] if extended else odoo_batches, "a batch was not inserted")
            scenario(self.plain_serial_product)
            self.assertEqual(batches, odoo_batches, "a product outside serial control took the batch")
            odoo_rows = self._quant_rows(self.plain_serial_product)
        self.assertEqual(batched_rows, odoo_rows)
        return batched_rows, odoo_batches

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------
    def test_receipt_quants_match_odoo(self):
        serials = self._imeis(5, 100)

        def scenario(product):
            with freeze_time(T_RECEIPT):
                self._receive(product, serials)

        rows, batches = self._run_both(scenario)
        self.assertEqual(batches, [10], "the receipt's ten quants are not created in one batch")
        expected = []
        for serial in serials:
            expected.append((serial, "Partners/Vendors", -1.0, 0.0, T_RECEIPT, False, False, False))
            expected.append((serial, "WH/Stock", 1.0, 0.0, T_RECEIPT, self.company.id, False, False))
        self.assertEqual([row[:8] for row in rows], sorted(expected))
        # Counted quantity unset: the difference is minus the quantity, as Odoo computes it.
        self.assertEqual({(row[2], row[11]) for row in rows}, {(-1.0, 1.0), (1.0, -1.0)})

    def test_receipt_onto_negative_quant_matches_odoo(self):
        """A unit delivered before it was received has a negative quant in stock: Odoo's path
        settles it, the other units of the receipt are batched."""
        serials = self._imeis(3, 200)

        def scenario(product):
            early = self.Lot.create({"product_id": product.id, "name": serials[0]})
            # Shipped before it was received, as data from before serial control can be
            # (the module now refuses such a delivery).
            with freeze_time(T_RECEIPT):
                self.env["stock.quant"]._update_available_quantity(
                    product, self.stock_location, -1, lot_id=early
                )
            with freeze_time(T_LATER):
                self._receive(product, serials)

        rows, batches = self._run_both(scenario)
        # The receipt: three supplier quants and two stock quants (the negative one is Odoo's).
        self.assertEqual(batches, [5])
        by_key = {(row[0], row[1]): row for row in rows}
        first = serials[0]
        self.assertEqual(by_key[first, "WH/Stock"][2], 0.0)
        self.assertEqual(by_key[first, "Partners/Vendors"][2], -1.0)
        for serial in serials[1:]:
            self.assertEqual(by_key[serial, "WH/Stock"][2:5], (1.0, 0.0, T_LATER))

    def test_return_and_internal_move_match_odoo(self):
        serials = self._imeis(4, 300)

        def scenario(product):
            with freeze_time(T_RECEIPT):
                self._receive(product, serials)
            lots = self._lots(product, serials)
            with freeze_time(T_LATER):
                # Two units go to a shelf, one is delivered and comes back.
                self._transfer(
                    product,
                    self.env.ref("stock.picking_type_internal"),
                    self.stock_location,
                    self.shelf,
                    [{"lot_id": lot.id} for lot in lots[:2]],
                )
                self._transfer(
                    product,
                    self.env.ref("stock.picking_type_out"),
                    self.stock_location,
                    self.customer_location,
                    [{"lot_id": lots[2].id}],
                )
                self._transfer(
                    product,
                    self.receipt_type,
                    self.customer_location,
                    self.stock_location,
                    [{"lot_id": lots[2].id}],
                )

        rows, batches = self._run_both(scenario)
        self.assertEqual(batches, [8, 2, 1], "receipt, shelf and delivery quants are not batched")
        by_key = {(row[0], row[1]): row for row in rows}
        for serial in serials[:2]:
            # The unit keeps the date it came in with.
            self.assertEqual(by_key[serial, "WH/Stock/Shelf Q"][2:5], (1.0, 0.0, T_RECEIPT))
            self.assertEqual(by_key[serial, "WH/Stock"][2], 0.0)
        returned = serials[2]
        self.assertEqual(by_key[returned, "WH/Stock"][2], 1.0)
        self.assertEqual(by_key[returned, "Partners/Customers"][2], 0.0)

    def test_packages_and_owners_take_odoo_path(self):
        serials = self._imeis(4, 400)

        def scenario(product):
            package = self.env["stock.quant.package"].create({"name": f"PACK-{product.id}"})
            with freeze_time(T_RECEIPT):
                self._receive(product, serials[:2], result_package_id=package.id)
                self._receive(product, serials[2:], owner_id=self.owner.id)

        rows, batches = self._run_both(scenario)
        # Only the supplier side of the packed units is plain; owned units have an owner at both ends.
        self.assertEqual(batches, [2])
        packed = [row for row in rows if row[6]]
        self.assertEqual(len(packed), 2)
        owned = [row for row in rows if row[7]]
        self.assertEqual(len(owned), 4)

    def test_unit_moved_twice_in_one_validation(self):
        """A unit received and put on a shelf in the same validation: the second move reads the
        stock quant that the first one left pending, which must then exist."""
        serial = self._imeis(1, 500)
        shelf = self.env["stock.location"].create(
            {"name": "Batch shelf", "location_id": self.stock_location.id, "usage": "internal"}
        )

        def scenario(product):
            lot = self.Lot.create({"product_id": product.id, "name": serial[0]})
            moves = self.env["stock.move"]
            for source, destination in (
                (self.supplier_location, self.stock_location),
                (self.stock_location, shelf),
            ):
                move = self.env["stock.move"].create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": 1,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    }
                )
                move._action_confirm()
                self._set_unit_lines(move, [{"lot_id": lot.id}])
                moves |= move
            moves.picked = True
            with freeze_time(T_LATER):
                moves._action_done()
            self.assertEqual(moves.mapped("state"), ["done", "done"])

        rows, batches = self._run_both(scenario)
        # The receipt's two quants are created before the second move reads the stock quant.
        self.assertEqual(batches, [2])
        by_key = {(row[0], row[1]): row for row in rows}
        self.assertEqual(by_key[serial[0], "WH/Stock"][2:4], (0.0, 0.0))
        self.assertEqual(by_key[serial[0], "WH/Stock/Batch shelf"][2:4], (1.0, 0.0))
        self.assertEqual(len(rows), 3, "one quant per lot and location, as Odoo keeps them")

    def test_create_extended_elsewhere_keeps_odoo_create(self):
        """With only Odoo's modules, `stock.quant.create` is stock's own, so the batch has one
        INSERT; a module overriding it gets its override called, with the same quants."""
        Quant = type(self.env["stock.quant"])
        self.assertFalse(self.env["stock.quant"]._storq_create_is_extended())
        serials = self._imeis(3, 600)
        created = []
        original_create = Quant.create

        def create_spy(quants, vals_list):
            created.append(len(vals_list) if isinstance(vals_list, list) else 1)
            return original_create(quants, vals_list)

        def scenario(product):
            with freeze_time(T_RECEIPT):
                self._receive(product, serials)

        with (
            patch.object(Quant, "_storq_create_is_extended", lambda quants: True),
            patch.object(Quant, "create", create_spy),
        ):
            rows, batches = self._run_both(scenario)
        self.assertEqual(batches, [6])
        # One call with the six quants of the batch, then Odoo's path: one call per quant.
        self.assertEqual(created, [6] + [1] * 6)
        self.assertEqual(len(rows), 6)

    # ------------------------------------------------------------------
    # The batch insert against Odoo's create
    # ------------------------------------------------------------------
    def _plain_vals(self, lots, locations, quantities):
        """Values as `stock.move.line._storq_defer_quant` gives them, one per lot."""
        return [
            {
                "product_id": lot.product_id.id,
                "location_id": location.id,
                "lot_id": lot.id,
                "package_id": False,
                "owner_id": False,
                "in_date": T_RECEIPT,
                "quantity": quantity,
            }
            for lot, location, quantity in zip(lots, locations, quantities, strict=True)
        ]

    def _receipt_vals(self, lots):
        """A receipt's quants: each lot at the vendor (-1) and in stock (+1)."""
        count = len(lots)
        return self._plain_vals(
            [lot for lot in lots for _side in (0, 1)],
            [self.supplier_location, self.stock_location] * count,
            [-1, 1] * count,
        )

    def _table_rows(self, quants, lots):
        """Every column of the quants' rows as stored, in the order of `quants`, but the ids and
        timestamps; the lot by its position in `lots`."""
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM stock_quant WHERE id = ANY(%s)", [quants.ids])
        by_id = {row["id"]: row for row in self.env.cr.dictfetchall()}
        position = {lot.id: index for index, lot in enumerate(lots)}
        rows = []
        for quant in quants:
            row = dict(by_id[quant.id])
            for column in ("id", "create_date", "write_date"):
                del row[column]
            row["lot_id"] = position[row["lot_id"]]
            rows.append(row)
        return rows

    def _constraint_error(self, create, vals_list, error=ValidationError):
        with self.assertRaises(error) as caught, self.env.cr.savepoint():
            create(vals_list)
        return str(caught.exception)

    def test_insert_writes_odoo_rows(self):
        """Row for row and column for column (but ids and timestamps), the quants inserted are
        those Odoo's `stock.quant.create` writes for the same values: computed fields, defaults
        (a context's too), values rounded to the unit's precision, several INSERTs in order."""
        category = self.env["stock.storage.category"].create({"name": "Small parts"})
        counted_shelf = self.env["stock.location"].create(
            {
                "name": "Counted shelf",
                "location_id": self.stock_location.id,
                "usage": "internal",
                "storage_category_id": category.id,
                "cyclic_inventory_frequency": 30,
            }
        )
        counter = self._make_user("quant_counter", "stock.group_stock_user")
        places = [self.stock_location, counted_shelf, self.supplier_location, self.customer_location] * 3
        quantities = [1, 1, -1, 1, 2.5, 0.333333, -1, 1, 1, 1, -1, 1]
        odoo_lots = self._create_lots(self.phone, self._imeis(12, 700))
        batch_lots = self._create_lots(self.phone, self._imeis(12, 720))
        Quant = self.env["stock.quant"].sudo().with_context(default_user_id=counter.id)
        Model = type(Quant)
        inserts = []
        original = Model._storq_insert_rows

        def insert_spy(quants, fnames, rows):
            inserts.append(len(rows))
            return original(quants, fnames, rows)

        with freeze_time(T_LATER):
            odoo_quants = Quant.create(self._plain_vals(odoo_lots, places, quantities))
            with (
                patch.object(stock_quant_module, "INSERT_CHUNK_SIZE", 5),
                patch.object(Model, "_storq_insert_rows", insert_spy),
            ):
                batch_quants = Quant._storq_create_quants(self._plain_vals(batch_lots, places, quantities))
        self.assertEqual(inserts, [5, 5, 2])
        self.assertEqual([quant.lot_id for quant in batch_quants], list(batch_lots))
        odoo_rows = self._table_rows(odoo_quants, odoo_lots)
        self.assertEqual(self._table_rows(batch_quants, batch_lots), odoo_rows)
        # The columns compared hold what they should.
        self.assertEqual({row["user_id"] for row in odoo_rows}, {counter.id})
        self.assertEqual([float(row["quantity"]) for row in odoo_rows[4:6]], [2.5, 0.33])
        self.assertEqual(float(odoo_rows[5]["inventory_diff_quantity"]), -0.33)
        shelf_row = odoo_rows[1]
        self.assertEqual(shelf_row["storage_category_id"], category.id)
        self.assertTrue(shelf_row["inventory_date"])
        self.assertFalse(odoo_rows[2]["company_id"])

    def test_insert_fills_cache_and_inverses(self):
        """As after Odoo's `create`: the quants' values are read from the cache, the cached
        `quant_ids` of their lots and location hold them, and what depends on quants (a lot's
        location) is recomputed."""
        lots = self._create_lots(self.phone, self._imeis(3, 800))
        self.assertFalse(lots.quant_ids)
        stock_quants = self.stock_location.quant_ids
        quants = self.env["stock.quant"].sudo()._storq_create_quants(self._receipt_vals(lots))
        with self.assertQueryCount(0):
            for index, lot in enumerate(lots):
                vendor_quant, stock_quant = quants[2 * index : 2 * index + 2]
                self.assertEqual(lot.quant_ids, vendor_quant | stock_quant)
                self.assertEqual(
                    (stock_quant.product_id, stock_quant.location_id, stock_quant.lot_id),
                    (self.phone, self.stock_location, lot),
                )
                self.assertEqual((vendor_quant.quantity, stock_quant.quantity), (-1, 1))
                self.assertEqual((stock_quant.reserved_quantity, stock_quant.inventory_quantity), (0, 0))
                self.assertEqual(stock_quant.in_date, T_RECEIPT)
                self.assertFalse(stock_quant.package_id or stock_quant.owner_id or stock_quant.user_id)
                self.assertFalse(stock_quant.inventory_quantity_set)
                self.assertEqual(stock_quant.create_uid, self.env.user)
            self.assertEqual(self.stock_location.quant_ids, stock_quants | quants[1::2])
        self.assertEqual(lots.location_id, self.stock_location)
        self.assertEqual(quants.mapped("inventory_diff_quantity"), [1, -1] * 3)

    def test_insert_checks_constraints(self):
        """Odoo's constraints on quants refuse the batch as they refuse `create`, with the same
        message: a lot of another product, a view location, a product without stock."""
        Quant = self.env["stock.quant"].sudo()
        lots = self._create_lots(self.phone, self._imeis(2, 840))
        other_lot = self._create_lots(self.plain_serial_product, ["PLAIN-QUANT-1"])
        consumable = self.env["product.product"].create({"name": "Cable", "type": "consu"})
        vals_list = self._receipt_vals(lots)
        cases = {
            "lot of another product": [*vals_list, {**vals_list[0], "lot_id": other_lot.id}],
            "view location": [
                *vals_list,
                {**vals_list[0], "location_id": self.env.ref("stock.stock_location_locations").id},
            ],
            "consumable": [*vals_list, {**vals_list[0], "product_id": consumable.id, "lot_id": False}],
        }
        for case, values in cases.items():
            with self.subTest(case):
                message = self._constraint_error(Quant._storq_create_quants, values)
                self.assertEqual(message, self._constraint_error(Quant.create, values))
        self.assertFalse(Quant.search([("lot_id", "in", lots.ids)]))

    def test_insert_checks_access_and_companies(self):
        """The batch is refused as `create` is: to a user who may not create quants, to a user
        of another company (the record rule), and, in inventory mode, for a lot of another
        company (`_check_company`)."""
        lots = self._create_lots(self.phone, self._imeis(2, 860))
        vals_list = self._receipt_vals(lots)
        reader = self._make_user("quant_reader", "base.group_user")
        for create in (
            self.env["stock.quant"].with_user(reader)._storq_create_quants,
            self.env["stock.quant"].with_user(reader).create,
        ):
            self._constraint_error(create, vals_list, AccessError)
        other_company = self.env["res.company"].create({"name": "Quant Other Co"})
        other_stock = self.env["stock.warehouse"].search([("company_id", "=", other_company.id)]).lot_stock_id
        stock_user = self._make_user("quant_stock_user", "stock.group_stock_user")
        Quant = self.env["stock.quant"].with_user(stock_user)
        elsewhere = [{**vals, "location_id": other_stock.id} for vals in vals_list]
        message = self._constraint_error(Quant._storq_create_quants, elsewhere, AccessError)
        self.assertEqual(message, self._constraint_error(Quant.create, elsewhere, AccessError))
        foreign_lot = self.Lot.create(
            {"product_id": self.phone.id, "name": self._imeis(1, 870)[0], "company_id": other_company.id}
        )
        foreign = [*vals_list, {**vals_list[1], "lot_id": foreign_lot.id}]
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        message = self._constraint_error(Quant._storq_create_quants, foreign, UserError)
        self.assertEqual(message, self._constraint_error(Quant.create, foreign, UserError))
        self.assertFalse(self.env["stock.quant"].search([("lot_id", "in", (lots | foreign_lot).ids)]))

    def test_insert_queries_do_not_grow(self):
        """The batch's queries, its flush included, are the same for 4 and 40 units."""
        Quant = self.env["stock.quant"].sudo()
        Quant._storq_create_quants(self._receipt_vals(self._create_lots(self.phone, self._imeis(2, 880))))
        for size, start in ((4, 900), (40, 910)):
            lots = self._create_lots(self.phone, self._imeis(size, start))
            vals_list = self._receipt_vals(lots)
            self.env.flush_all()
            self.env.invalidate_all()
            # What a validation has read before: the product and the locations.
            _ = self.phone.is_storable, self.supplier_location.company_id, self.stock_location.company_id
            with self.assertQueryCount(BATCH_QUERIES):
                Quant._storq_create_quants(vals_list)
                self.env.flush_all()

    def test_values_outside_the_plain_set_take_odoo_create(self):
        """Values the insert does not write as the ORM would go to Odoo's `create`: fields that
        differ between values, a field with an inverse to call (the counted quantity), even as
        a default from the context."""
        Quant = self.env["stock.quant"].sudo()
        lots = self._create_lots(self.phone, self._imeis(2, 960))
        vals_list = self._plain_vals(lots, [self.stock_location] * 2, [1, 1])
        self.assertTrue(Quant._storq_insert_plan(vals_list))
        mixed = [vals_list[0], {**vals_list[1], "user_id": self.env.uid}]
        self.assertIsNone(Quant._storq_insert_plan(mixed))
        self.assertIsNone(
            Quant._storq_insert_plan([{**vals, "inventory_quantity_auto_apply": 1} for vals in vals_list])
        )
        self.assertIsNone(
            Quant.with_context(default_inventory_quantity_auto_apply=1)._storq_insert_plan(vals_list)
        )
        with patch.object(type(Quant), "_storq_insert_rows", side_effect=AssertionError("inserted")):
            quants = Quant._storq_create_quants(mixed)
        self.assertEqual(quants.lot_id, lots)
        self.assertEqual(quants.mapped("user_id"), self.env.user)

    def test_insert_computes_again_what_it_cannot_vouch_for(self):
        """The computed fields written with the INSERT are not computed again while their values
        are their computation; with a counted quantity from the context, or Odoo's computation
        overridden, the difference to the counted quantity is computed again, as by `create`."""
        Quant = self.env["stock.quant"].sudo()
        diff = Quant._fields["inventory_diff_quantity"]
        lots = self._create_lots(self.phone, self._imeis(4, 980))
        vals_list = self._plain_vals(lots[:2], [self.stock_location] * 2, [1, 1])
        self.assertEqual(
            [field.name for field in Quant._storq_precomputed_fields(vals_list)],
            ["company_id", "storage_category_id", "inventory_diff_quantity"],
        )
        quants = Quant._storq_create_quants(vals_list)
        self.assertFalse(self.env.records_to_compute(diff) & quants)
        counted = Quant.with_context(default_inventory_quantity=3)
        quants = counted._storq_create_quants(self._plain_vals(lots[2:3], [self.stock_location], [1]))
        self.assertEqual(self.env.records_to_compute(diff) & quants, quants)
        odoo_quants = counted.create(self._plain_vals(lots[3:], [self.stock_location], [1]))
        self.assertEqual(self._table_rows(quants, lots[2:3]), self._table_rows(odoo_quants, lots[3:]))
        self.assertEqual(quants.inventory_diff_quantity, 2)
        with patch.object(
            type(Quant),
            "_storq_is_extended",
            lambda quants, method: method == "_compute_inventory_diff_quantity",
        ):
            self.assertNotIn(diff, Quant._storq_precomputed_fields(vals_list))
        self.assertNotIn(diff, Quant._storq_precomputed_fields([{**vals_list[0], "inventory_quantity": 1}]))
