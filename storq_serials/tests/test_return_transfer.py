from odoo import Command
from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnTransfer(StorqReturnsCase):
    """The return transfer of units taken back is Odoo's own return (`stock.return.picking`),
    not a look-alike built field by field."""

    def _sell_on_two_lines(self, lots_per_line):
        """Deliver `lots_per_line` (one recordset per order line of the laptop) to the customer."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [
                    Command.create({"product_id": self.laptop.id, "product_uom_qty": len(lots)})
                    for lots in lots_per_line
                ],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        for order_line, lots in zip(order.order_line, lots_per_line, strict=True):
            self._set_unit_lines(
                delivery.move_ids.filtered(lambda move, line=order_line: move.sale_line_id == line),
                [{"lot_id": lot.id, "picked": True} for lot in lots],
            )
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        return order, delivery

    def _take_back(self, lots, disposition="restock"):
        return self.env["storq.serial.return.record"]._return_units(
            [
                {"lot_id": lot.id, "reason_id": self.reasons["defective"].id, "disposition": disposition}
                for lot in lots
            ]
        )

    def test_return_transfer_is_odoos_return_of_the_delivered_moves(self):
        lots = self._receive(["RTO0001", "RTO0002", "RTO0003", "RTO0004"])
        first_line_lots, second_line_lots = lots[:3], lots[3:]
        order, delivery = self._sell_on_two_lines([first_line_lots, second_line_lots])
        first_move, second_move = (
            delivery.move_ids.filtered(lambda move, line=line: move.sale_line_id == line)
            for line in order.order_line
        )
        returned = first_line_lots[:2] | second_line_lots

        records = self._take_back(returned)
        picking = records.return_picking_id
        self.assertEqual(len(picking), 1, "one return per delivery")
        self.assertEqual(
            (picking.state, picking.return_id, picking.picking_type_id, picking.sale_id),
            ("done", delivery, delivery.picking_type_id.return_picking_type_id, order),
        )
        self.assertIn(picking, delivery.return_ids)
        # One return move per delivered move, for as many units as came back from it, linked
        # into the delivered move's chain as Odoo's return links it.
        moves = {move.origin_returned_move_id: move for move in picking.move_ids}
        self.assertEqual(set(moves), {first_move, second_move})
        for origin, lots_back in ((first_move, first_line_lots[:2]), (second_move, second_line_lots)):
            move = moves[origin]
            self.assertEqual(move.move_orig_ids, origin, "Odoo links the return to the delivered move")
            self.assertIn(move, origin.returned_move_ids)
            self.assertEqual(
                (move.product_uom_qty, move.quantity, move.to_refund, move.sale_line_id),
                (len(lots_back), len(lots_back), True, origin.sale_line_id),
            )
            self.assertEqual(move.move_line_ids.lot_id, lots_back)
            self.assertEqual(set(move.move_line_ids.mapped("quantity")), {1})
            self.assertEqual(move.move_line_ids.company_id, self.company)
        # Odoo's return says in its chatter which transfer it returns.
        self.assertTrue(
            picking.message_ids.filtered(lambda message: delivery.name in (message.body or "")),
            "Odoo's return links to the delivery it returns",
        )
        self.assertEqual(order.order_line.mapped("qty_delivered"), [1, 0], "the order knows what came back")
        self.assertEqual(set(returned.mapped("storq_state")), {"in_stock"})
        self.assertEqual(first_line_lots[2].storq_state, "delivered")

    def test_every_disposition_starts_from_odoos_return(self):
        lots = self._receive(["RTO0101", "RTO0102", "RTO0103", "RTO0104"])
        _order, delivery = self._sell_on_two_lines([lots])
        Record = self.env["storq.serial.return.record"]
        records = Record.browse()
        for lot, disposition in zip(lots, ("restock", "repair", "scrap", "write_off"), strict=True):
            records |= self._take_back(lot, disposition)
        self.assertEqual(len(records.return_picking_id), 4, "one return per call")
        self.assertEqual(records.return_picking_id.move_ids.origin_returned_move_id, delivery.move_ids)
        self.assertEqual(records.return_picking_id.move_ids.move_orig_ids, delivery.move_ids)
        self.assertEqual(lots.mapped("storq_state"), ["in_stock", "in_repair", "scrapped", "written_off"])
        # The lines moving the units on after their return carry Odoo's values too.
        onward = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", lots.ids),
                ("location_id", "=", self.stock_location.id),
                ("id", "not in", delivery.move_line_ids.ids),
            ]
        )
        self.assertEqual(onward.lot_id, lots[1:])
        for line in onward:
            self.assertEqual(
                (line.company_id, line.product_uom_id, line.picked, line.quantity, line.state),
                (self.company, line.move_id.product_uom, True, 1, "done"),
            )

    def test_unit_delivered_outside_any_transfer_comes_back_on_a_receipt(self):
        # Odoo's return starts from a delivery: a unit some integration delivered with a bare
        # stock move has none, and comes back on a receipt built from the same values.
        lot = self._receive(["RTO0201"])
        move = self.env["stock.move"].create(
            {
                "name": "Shipped by an integration",
                "product_id": self.laptop.id,
                "product_uom_qty": 1,
                "location_id": self.stock_location.id,
                "location_dest_id": self.customer_location.id,
                "partner_id": self.customer.id,
            }
        )
        move._action_confirm()
        self._set_unit_lines(move, [{"lot_id": lot.id, "picked": True}])
        move._action_done()
        self.assertEqual(
            (lot.storq_state, lot.storq_partner_id, lot.storq_delivery_picking_id),
            ("delivered", self.customer, self.env["stock.picking"]),
        )
        record = self._take_back(lot)
        receipt = record.return_picking_id
        self.assertEqual(
            (receipt.state, receipt.return_id, receipt.partner_id, receipt.location_dest_id),
            ("done", self.env["stock.picking"], self.customer, self.stock_location),
        )
        self.assertEqual(receipt.move_line_ids.lot_id, lot)
        self.assertEqual((lot.storq_state, lot.storq_location_id), ("in_stock", self.stock_location))

    def _queries(self, function, *args):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        function(*args)
        self.env.flush_all()
        return self.cr.sql_log_count - before

    def _odoos_return(self, delivery, lots):
        picking = self._standard_return(delivery, lots)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_taking_back_grows_no_faster_than_odoos_return(self):
        """Queries added per unit taken back are those of Odoo's own return, no more.

        (Validating either return updates each unit's quant: Odoo's cost, the same in both.)
        """
        counts = {}
        for size in (1, 5, 40):  # the first round warms the caches of both paths
            runs = []
            # The fewest of two runs: a cache that one run happens to reload (seen in the full
            # suite: Odoo's return of 5 units in 198 queries, or 199) is not what is measured.
            for run in range(2):
                ours, odoos = (
                    self._receive([f"Q{size:02d}{kind}{run}{n:02d}" for n in range(size)]) for kind in "AB"
                )
                self._sell(self.customer, ours)
                odoos_delivery = self._sell(self.customer, odoos).picking_ids
                runs.append(
                    (
                        self._queries(self._take_back, ours),
                        self._queries(self._odoos_return, odoos_delivery, odoos),
                    )
                )
                states = set(ours.mapped("storq_state")) | set(odoos.mapped("storq_state"))
                self.assertEqual(states, {"in_stock"})
            counts[size] = tuple(min(path) for path in zip(*runs))
        (ours_small, odoos_small), (ours_large, odoos_large) = counts[5], counts[40]
        self.assertLessEqual(
            ours_large - ours_small,
            odoos_large - odoos_small,
            f"queries for 1, 5 and 40 units, taken back and with Odoo's return: {counts}",
        )

    def test_units_put_away_on_a_shelf_are_routed_from_that_shelf(self):
        # Odoo's return puts the units away where the putaway rules say: they leave from there
        # for repair, scrap or write-off, never from the return's destination, where they are not.
        shelf = self.env["stock.location"].create(
            {"name": "Returns shelf", "location_id": self.stock_location.id}
        )
        self.env["stock.putaway.rule"].create(
            {
                "product_id": self.laptop.id,
                "location_in_id": self.stock_location.id,
                "location_out_id": shelf.id,
            }
        )
        lots = self._receive(["RTP0001", "RTP0002", "RTP0003", "RTP0004"])
        self._sell(self.customer, lots)
        records = self.env["storq.serial.return.record"]._return_units(
            [
                {"lot_id": lot.id, "reason_id": self.reasons["defective"].id, "disposition": disposition}
                for lot, disposition in zip(lots, ("restock", "repair", "scrap", "write_off"), strict=True)
            ]
        )
        self.assertEqual(records.return_picking_id.move_line_ids.location_dest_id, shelf)
        self.assertEqual(len(records.filtered("disposition_ref")), 3)
        self.assertEqual(
            self.env["stock.move.line"]
            .search(
                [("lot_id", "in", lots.ids), ("id", ">", max(records.return_picking_id.move_line_ids.ids))]
            )
            .location_id,
            shelf,
            "the units leave the shelf they were put on",
        )
        quants = self.env["stock.quant"].search(
            [
                ("product_id", "=", self.laptop.id),
                ("lot_id", "in", lots.ids),
                ("location_id.usage", "=", "internal"),
                ("quantity", "!=", 0),
            ]
        )
        self.assertEqual(
            sorted((quant.lot_id.name, quant.location_id.id, quant.quantity) for quant in quants),
            [
                ("RTP0001", shelf.id, 1),
                ("RTP0002", self.company.storq_repair_location_id.id, 1),
            ],
            "each unit is in one place, nowhere a unit less",
        )
        self.assertEqual(
            [(lot.storq_state, lot.storq_location_id) for lot in lots],
            [
                ("in_stock", shelf),
                ("in_repair", self.company.storq_repair_location_id),
                ("scrapped", self.env["stock.location"]),
                ("written_off", self.env["stock.location"]),
            ],
        )
