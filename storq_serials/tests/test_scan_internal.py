from odoo import Command
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestScanInternal(StorqSerialsCase):
    """Scanning a serial in an internal transfer moves that very unit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        warehouse = cls.env.ref("stock.warehouse0")
        cls.internal_type = warehouse.int_type_id
        Location = cls.env["stock.location"]
        cls.shelf_a = Location.create({"name": "Shelf A", "location_id": cls.stock_location.id})
        cls.shelf_b = Location.create({"name": "Shelf B", "location_id": cls.stock_location.id})
        cls.back_room = Location.create({"name": "Back room", "location_id": warehouse.view_location_id.id})
        cls.a1, cls.a2, cls.elsewhere, cls.gone = cls.Lot.create(
            [
                {"product_id": cls.phone.id, "name": name}
                for name in ("490154203237518", "356938035643809", "352099001761481", "353918057813582")
            ]
        )
        cls.env["stock.quant"].create(
            [
                {"product_id": cls.phone.id, "location_id": location.id, "lot_id": lot.id, "quantity": 1}
                for lot, location in (
                    (cls.a1, cls.shelf_a),
                    (cls.a2, cls.shelf_a),
                    (cls.elsewhere, cls.back_room),
                )
            ]
        )

    def _transfer(self, quantity=1, source=None):
        source = source or self.stock_location
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.internal_type.id,
                "location_id": source.id,
                "location_dest_id": self.shelf_b.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.phone.name,
                            "product_id": self.phone.id,
                            "product_uom_qty": quantity,
                            "location_id": source.id,
                            "location_dest_id": self.shelf_b.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _snapshot(self, picking):
        self.env.flush_all()
        self.env.invalidate_all()
        return sorted(
            picking.move_line_ids.mapped(
                lambda ml: (ml.id, ml.lot_id.id, ml.location_id.id, ml.quantity, ml.picked)
            )
        )

    def _assert_refused(self, picking, serial, expected):
        before = self._snapshot(picking)
        result = picking.storq_scan(serial, context_product_id=self.phone.id)
        self.assertEqual(result["status"], "error", result)
        self.assertIn(expected, result["message"])
        self.assertEqual(self._snapshot(picking), before, "a refused scan must not write anything")

    def test_scanned_unit_takes_the_place_of_the_reserved_one(self):
        picking = self._transfer()
        reserved = picking.move_line_ids.lot_id
        self.assertEqual(len(reserved), 1)
        scanned = (self.a1 | self.a2) - reserved
        result = picking.storq_scan(scanned.name, context_product_id=self.phone.id)
        self.assertEqual(result["status"], "ok", result)
        self.assertIn("WH/Stock/Shelf A", result["message"])
        line = picking.move_line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.lot_id, scanned)
        self.assertEqual(line.location_id, self.shelf_a)
        self.assertTrue(line.picked)
        quants = self.env["stock.quant"].search([("lot_id", "in", (self.a1 | self.a2).ids)])
        self.assertEqual(
            {quant.lot_id: quant.reserved_quantity for quant in quants}, {scanned: 1, reserved: 0}
        )
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(
            self.env["stock.quant"].search([("lot_id", "=", scanned.id), ("quantity", ">", 0)]).location_id,
            self.shelf_b,
        )

    def test_scanning_the_reserved_unit_confirms_it(self):
        picking = self._transfer()
        reserved = picking.move_line_ids.lot_id
        result = picking.storq_scan(reserved.name, context_product_id=self.phone.id)
        self.assertEqual(result["status"], "ok", result)
        self.assertEqual(picking.move_line_ids.lot_id, reserved)
        self.assertTrue(picking.move_line_ids.picked)

    def test_extra_unit_gets_its_own_line(self):
        picking = self._transfer()
        for lot in self.a1 | self.a2:
            self.assertEqual(picking.storq_scan(lot.name, context_product_id=self.phone.id)["status"], "ok")
        self.assertEqual(picking.move_line_ids.lot_id, self.a1 | self.a2)
        self.assertTrue(all(picking.move_line_ids.mapped("picked")))

    def test_unit_elsewhere_is_refused_with_where_it_is(self):
        picking = self._transfer()
        self._assert_refused(
            picking, self.elsewhere.name, "is at WH/Back room, so it cannot be taken from WH/Stock."
        )

    def test_unit_under_another_source_is_refused(self):
        picking = self._transfer(source=self.shelf_b)
        self._assert_refused(
            picking, self.a1.name, "is at WH/Stock/Shelf A, so it cannot be taken from WH/Stock/Shelf B"
        )

    def test_unit_not_in_stock_is_refused(self):
        picking = self._transfer()
        self._assert_refused(picking, self.gone.name, "is not in stock, so it cannot be taken from WH/Stock")

    def test_unknown_serial_is_refused(self):
        picking = self._transfer()
        self._assert_refused(picking, "358240051111110", "not a known unit of [PHONE-1] Test phone")

    def test_unit_scanned_twice_is_refused(self):
        picking = self._transfer(quantity=2)
        picking.storq_scan(self.a1.name, context_product_id=self.phone.id)
        self._assert_refused(picking, self.a1.name, "already scanned")

    def test_unit_reserved_for_another_transfer_is_refused(self):
        other = self._transfer(quantity=2)
        self.assertEqual(other.move_line_ids.lot_id, self.a1 | self.a2)
        picking = self._transfer()
        self._assert_refused(picking, self.a1.name, f"reserved for {other.name}")
