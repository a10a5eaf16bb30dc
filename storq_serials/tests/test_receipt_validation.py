from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StorqSerialsCase

# Queries of the whole check when units are in stock, whatever the number of lines: the typed
# units, the chosen units, then for the message their locations (2) and the product's variant
# attributes.
REFUSAL_CHECK_QUERIES = 5
# When no unit is in stock: the typed units, the chosen units, the quants of units without a
# record, the lines' moves (the rulebook checks the line's product is its move's).
ACCEPTED_CHECK_QUERIES = 4


@tagged("post_install", "-at_install")
class TestReceiptValidation(StorqSerialsCase):
    """Validating a receipt (or a dropship) refuses the serial of a unit that is in stock
    already, wherever it is, as the scanner does: RPC and imports bypass the scanner."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf 9", "location_id": cls.stock_location.id}
        )
        cls.warehouse2 = cls.env["stock.warehouse"].create({"name": "Test second warehouse", "code": "TWH2"})
        cls.stock2 = cls.warehouse2.lot_stock_id

    def _assert_refused(self, picking, *expected):
        lots_before = self.Lot.search_count([])
        with self.assertRaises(UserError) as refusal:
            picking.button_validate()
        message = str(refusal.exception)
        self.assertIn("These units cannot be received: they are in stock already.", message)
        for text in expected:
            self.assertIn(text, message)
        self.assertNotEqual(picking.state, "done")
        self.assertEqual(self.Lot.search_count([]), lots_before, "no unit is created twice")
        return message

    def test_typed_serial_of_a_unit_in_stock_is_refused_as_the_scanner_does(self):
        unit = self._stock_units(self.laptop, ["RXD0001"], self.shelf)
        picking = self._receipt(self.laptop, ["rxd0001"])  # normalised as typed
        self.assertEqual(picking.move_line_ids.lot_name, "RXD0001")
        scan = self._receipt(self.laptop, [], quantity=1).storq_scan("RXD0001", self.laptop.id)
        self.assertEqual(scan["status"], "error")
        expected = (
            "RXD0001 is at WH/Stock/Shelf 9: the unit of [LAPTOP-1] Test laptop is already in stock, "
            "and the same unit cannot be received twice. Check the label."
        )
        self.assertEqual(scan["message"], expected)
        self._assert_refused(picking, expected)
        self.assertEqual((unit.storq_state, unit.storq_location_id), ("in_stock", self.shelf))

    def test_unit_in_another_warehouse_is_refused_typed_or_chosen(self):
        # Odoo only notices a serial received twice under the same location: WH2 goes unseen.
        in_wh2 = self._stock_units(self.laptop, ["RXD0011", "RXD0012"], self.stock2)
        picking = self._receipt(self.laptop, [], quantity=3)
        self._set_unit_lines(
            picking.move_ids,
            [{"lot_name": "RXD0011"}, {"lot_id": in_wh2[1].id}, {"lot_name": "RXD0013"}],
        )
        message = self._assert_refused(
            picking,
            f"- {picking.name}: [LAPTOP-1] Test laptop: RXD0011 is at TWH2/Stock",
            f"- {picking.name}: [LAPTOP-1] Test laptop: RXD0012 is at TWH2/Stock",
        )
        self.assertNotIn("RXD0013", message, "a new unit is not listed")
        self.assertEqual(in_wh2.mapped("storq_location_id"), self.stock2)
        self.assertEqual(
            self.env["stock.quant"].search_count([("lot_id", "in", in_wh2.ids), ("quantity", ">", 0)]), 2
        )

    def test_unit_returned_to_vendor_is_received_again(self):
        units = self._stock_units(self.laptop, ["RXD0021", "RXD0022"])
        self._return_to_vendor(units)
        picking = self._receipt(self.laptop, [], quantity=2)
        self._set_unit_lines(picking.move_ids, [{"lot_name": "RXD0021"}, {"lot_id": units[1].id}])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.move_line_ids.lot_id, units, "the known units, not new ones")
        self.assertEqual(set(units.mapped("storq_state")), {"in_stock"})
        self.assertEqual(units.mapped("storq_location_id"), self.stock_location)
        self.assertEqual(
            units[0].storq_event_ids.mapped("event_type"), ["received", "returned_to_vendor", "adjusted"]
        )

    def test_unit_in_stock_cannot_be_dropshipped_but_one_returned_to_vendor_can(self):
        # A dropship without Odoo's Dropship app: vendor to customer on a receipt type.
        in_stock = self._stock_units(self.laptop, ["RXD0031"], self.stock2)
        returned = self._stock_units(self.laptop, ["RXD0032"])
        self._return_to_vendor(returned)
        picking = self._vendor_to_customer(self.laptop, 2)
        self._set_unit_lines(
            picking.move_ids,
            [{"lot_id": in_stock.id, "picked": True}, {"lot_name": "RXD0032", "picked": True}],
        )
        self._assert_refused(picking, "RXD0031 is at TWH2/Stock")
        picking.move_line_ids.filtered("lot_id").unlink()
        picking.move_ids.product_uom_qty = 1
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual((returned.storq_state, in_stock.storq_state), ("delivered", "in_stock"))

    def test_multi_step_receipts_and_internal_transfers_are_not_affected(self):
        self.warehouse.reception_steps = "two_steps"
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.warehouse.wh_input_stock_loc_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": 1,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.warehouse.wh_input_stock_loc_id.id,
                            "location_final_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._set_unit_lines(picking.move_ids, [{"lot_name": "RXD0041", "picked": True}])
        picking.button_validate()
        unit = picking.move_line_ids.lot_id
        self.assertEqual(
            (unit.storq_state, unit.storq_location_id), ("in_stock", self.warehouse.wh_input_stock_loc_id)
        )
        store = picking.move_ids.move_dest_ids.picking_id
        self.assertEqual(store.location_dest_id, self.stock_location)
        store.move_ids.picked = True
        store.button_validate()
        self.assertEqual(store.state, "done")
        self.assertEqual(unit.storq_location_id, self.stock_location)
        # An internal transfer of a unit in stock, to the other warehouse's stock.
        transfer = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.int_type_id.id,
                "location_id": self.stock_location.id,
                "location_dest_id": self.stock2.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": 1,
                            "location_id": self.stock_location.id,
                            "location_dest_id": self.stock2.id,
                        }
                    )
                ],
            }
        )
        transfer.action_confirm()
        self._set_unit_lines(transfer.move_ids, [{"lot_id": unit.id, "picked": True}])
        transfer.button_validate()
        self.assertEqual(unit.storq_location_id, self.stock2)

    def test_count_of_a_unit_held_elsewhere_is_refused_unless_counted_out_there(self):
        unit = self._stock_units(self.laptop, ["RXD0051"])
        Quant = self.env["stock.quant"].with_context(inventory_mode=True)
        found = Quant.create(
            {
                "product_id": self.laptop.id,
                "location_id": self.stock2.id,
                "lot_id": unit.id,
                "inventory_quantity": 1,
            }
        )
        with self.assertRaisesRegex(
            UserError, "RXD0051 is at WH/Stock: the unit of \\[LAPTOP-1\\] Test laptop"
        ):
            found.action_apply_inventory()
        # Counted out where its record had it, in the same adjustment: the unit moves.
        missing = Quant.search([("lot_id", "=", unit.id), ("location_id", "=", self.stock_location.id)])
        missing.inventory_quantity = 0
        missing.inventory_quantity_set = True
        (missing | found).action_apply_inventory()
        self.assertEqual((unit.storq_state, unit.storq_location_id), ("in_stock", self.stock2))
        self.assertEqual(
            Quant.search([("lot_id", "=", unit.id), ("quantity", ">", 0)]).location_id, self.stock2
        )

    def test_products_outside_serial_control_are_left_to_odoo(self):
        lot = self.Lot.create({"product_id": self.plain_serial_product.id, "name": "PLAIN-RX-1"})
        self.env["stock.quant"]._update_available_quantity(
            self.plain_serial_product, self.stock2, 1, lot_id=lot
        )
        picking = self._receipt(self.plain_serial_product, [], quantity=1)
        self._set_unit_lines(picking.move_ids, [{"lot_id": lot.id, "picked": True}])
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    # ------------------------------------------------------------------
    # Query counts
    # ------------------------------------------------------------------
    def _arrival_lines(self, size, in_stock):
        """Lines of a receipt of `size` units, half chosen and half typed; with `in_stock`, half
        of each are units in stock (at two places), else units out of stock or without record."""
        names = [f"RXQ{size:02d}{n:02d}" for n in range(size)]
        if in_stock:
            held = self._stock_units(self.laptop, names[: size // 2 : 2], self.shelf)
            held |= self._stock_units(self.laptop, names[1 : size // 2 : 2], self.stock2)
        else:
            held = self._create_lots(self.laptop, names[: size // 2])  # known units, never in stock
        chosen = held.filtered(lambda lot: int(lot.name[-2:]) % 4 < 2)
        vals = [{"lot_id": lot.id} for lot in chosen]
        vals += [{"lot_name": name} for name in names if name not in chosen.mapped("name")]
        picking = self._receipt(self.laptop, [], quantity=size)
        lines = self._set_unit_lines(picking.move_ids, vals)
        self.env.invalidate_all()
        # What `_action_done` has read of the lines before the check.
        _ = lines.mapped(
            lambda line: (
                line.product_id.storq_serial_control,
                line.location_id.usage,
                line.location_dest_id.usage,
                line.product_uom_id.rounding,
                line.quantity,
                line.lot_name,
                line.reference,
            )
        )
        return lines

    # The rulebook (`storq.unit.rulebook._storq_check_move_lines`) is what validation runs.
    def test_refusal_check_is_constant_in_queries(self):
        for size in (4, 40):
            lines = self._arrival_lines(size, in_stock=True)
            with self.assertRaises(UserError) as refusal, self.assertQueryCount(REFUSAL_CHECK_QUERIES):
                self.env["storq.unit.rulebook"]._storq_check_move_lines(lines)
            self.assertEqual(str(refusal.exception).count("is already in stock"), min(size // 2, 20))

    def test_accepted_check_is_constant_in_queries(self):
        for size in (4, 40):
            lines = self._arrival_lines(size, in_stock=False)
            with self.assertQueryCount(ACCEPTED_CHECK_QUERIES):
                self.env["storq.unit.rulebook"]._storq_check_move_lines(lines)
