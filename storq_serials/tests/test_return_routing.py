from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnRouting(StorqReturnsCase):
    """`storq.serial.return.record._return_units`: taking units back without the wizard."""

    def test_units_come_back_and_are_routed_without_a_wizard(self):
        lots = self._receive(["SRV0001", "SRV0002", "SRV0003"])
        order = self._sell(self.customer, lots)
        delivery = order.picking_ids
        restocked, repaired, kept = lots
        Record = self.env["storq.serial.return.record"]
        records = Record._return_units(
            [
                {
                    "lot_id": restocked.id,
                    "reason_id": self.reasons["defective"].id,
                    "disposition": "restock",
                    "note": "boots again",
                },
                {
                    "lot_id": repaired.id,
                    "reason_id": self.reasons["warranty"].id,
                    "disposition": "repair",
                    "partner_id": self.customer.id,
                    "sale_id": order.id,
                    "delivery_picking_id": delivery.id,
                    "company_id": self.company.id,
                },
            ]
        )

        # One return transfer from the customer, done, tied to the delivery and the order.
        self.assertEqual(len(records), 2)
        returned = records.return_picking_id
        self.assertEqual(len(returned), 1)
        self.assertEqual(
            (returned.state, returned.partner_id, returned.return_id, returned.sale_id),
            ("done", self.customer, delivery, order),
        )
        self.assertEqual(returned.move_ids.origin_returned_move_id, delivery.move_ids)
        self.assertEqual(order.order_line.qty_delivered, 1)
        repair_location = self.company.storq_repair_location_id
        # Stock moves after the delivery: both units in from the customer, one on to repair.
        moves = self.env["stock.move.line"].search(
            [("lot_id", "in", lots.ids), ("id", ">", max(delivery.move_line_ids.ids))], order="id"
        )
        self.assertEqual(
            [(line.lot_id, line.location_id, line.location_dest_id) for line in moves],
            [
                (restocked, delivery.location_dest_id, self.stock_location),
                (repaired, delivery.location_dest_id, self.stock_location),
                (repaired, self.stock_location, repair_location),
            ],
        )
        self.assertEqual(set(moves.mapped("state")), {"done"})

        # Back in stock and ours; in repair for the customer (warranty); the third stays out.
        self.assertEqual(
            [(lot.storq_state, lot.storq_location_id, lot.storq_partner_id) for lot in lots],
            [
                ("in_stock", self.stock_location, self.env["res.partner"]),
                ("in_repair", repair_location, self.customer),
                ("delivered", self.env["stock.location"], self.customer),
            ],
        )
        self.assertEqual(kept.storq_state, "delivered")

        by_lot = {record.lot_id: record for record in records}
        self.assertEqual(
            [
                (by_lot[lot].disposition, by_lot[lot].reason_id, by_lot[lot].partner_id, by_lot[lot].sale_id)
                for lot in (restocked, repaired)
            ],
            [
                ("restock", self.reasons["defective"], self.customer, order),
                ("repair", self.reasons["warranty"], self.customer, order),
            ],
        )
        self.assertEqual(by_lot[restocked].note, "boots again")
        self.assertFalse(by_lot[restocked].disposition_ref)
        repair = by_lot[repaired].disposition_ref
        if repair._name == "repair.order":  # the Repair app is installed: its order is the reference
            self.assertEqual(repair.product_location_src_id, repair_location)
        else:
            self.assertEqual(repair.location_dest_id, repair_location)
        self.assertEqual(
            (by_lot[repaired].supplier_id, by_lot[repaired].delivery_picking_id), (self.vendor, delivery)
        )
        event = restocked.storq_event_ids.filtered(lambda event: event.event_type == "returned")
        self.assertEqual((event.note, event.document_ref), ("Defective: boots again", returned))

    def test_incomplete_values_are_refused_at_once(self):
        lots = self._receive(["SRV0101", "SRV0102"])
        self._sell(self.customer, lots)
        Record = self.env["storq.serial.return.record"]
        with self.assertRaisesRegex(UserError, "SRV0101: choose a reason(.|\n)*SRV0102 is given twice"):
            Record._return_units(
                [
                    {"lot_id": lots[0].id, "disposition": "restock"},
                    {"lot_id": lots[1].id, "reason_id": self.reasons["defective"].id, "disposition": "scrap"},
                    {"lot_id": lots[1].id, "reason_id": self.reasons["defective"].id, "disposition": "scrap"},
                ]
            )
        self.assertEqual(set(lots.mapped("storq_state")), {"delivered"})

    def test_only_the_units_sold_come_back_before_anything_moves(self):
        lots = self._receive(["SRV0201", "SRV0202", "SRV0203"])
        sold, elsewhere, in_stock = lots
        self._sell(self.customer, sold)
        self._sell(self.other_customer, elsewhere)
        Record = self.env["storq.serial.return.record"]
        vals = {"reason_id": self.reasons["defective"].id, "disposition": "restock"}
        with self.assertRaisesRegex(UserError, "cannot be taken back(.|\n)*SRV0202(.|\n)*SRV0203"):
            Record._return_units(
                [
                    dict(vals, lot_id=sold.id),
                    dict(vals, lot_id=elsewhere.id, partner_id=self.customer.id),
                    dict(vals, lot_id=in_stock.id, partner_id=self.customer.id),
                ]
            )
        self.assertEqual(lots.mapped("storq_state"), ["delivered", "delivered", "in_stock"], "nothing moved")
        self.assertFalse(Record.search([("lot_id", "in", lots.ids)]))
