from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from ..tools.check_digits import compute_check_digit
from .common import StorqSerialsCase

T_RECEIPT = datetime(2026, 3, 2, 8, 0, 0)
T_LATER = datetime(2026, 3, 9, 14, 30, 0)


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

    def _imeis(self, count, start):
        bodies = [f"35209900{n:06d}" for n in range(start, start + count)]
        return [body + compute_check_digit("luhn", body) for body in bodies]

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
        """Quant rows of `scenario(product)` for the batched and Odoo's path, and the batches made."""
        batches = []
        Quant = type(self.env["stock.quant"])
        original = Quant._storq_create_quants

        def spy(quants, vals_list):
            batches.append(len(vals_list))
            return original(quants, vals_list)

        with patch.object(Quant, "_storq_create_quants", spy):
            scenario(self.phone)
            batched_rows = self._quant_rows(self.phone)
            odoo_batches = list(batches)
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
