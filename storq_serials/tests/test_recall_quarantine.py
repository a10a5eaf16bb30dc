from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_recall import RecallCase


@tagged("post_install", "-at_install")
class TestRecallQuarantine(RecallCase):
    """Quarantine moves the recalled units in stock to a quarantine location per warehouse."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.warehouse2 = cls.env["stock.warehouse"].create({"name": "Recall WH2", "code": "RWH2"})
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf Q", "location_id": cls.stock_location.id}
        )
        cls.units = cls._stock_units(cls.laptop, ["QRN0001", "QRN0002"])
        cls.on_shelf = cls._stock_units(cls.laptop, ["QRN0003"], location=cls.shelf)
        cls.elsewhere = cls._stock_units(cls.laptop, ["QRN0004"], location=cls.warehouse2.lot_stock_id)
        cls.delivered = cls._stock_units(cls.laptop, ["QRN0005"])

    def test_quarantine_per_warehouse_and_lines_advance(self):
        self._deliver(self.customer, self.delivered)
        recall = self._recall([("QRN0001", "QRN0009")], user=self.manager).with_user(self.manager)
        recall.action_confirm()
        action = recall.action_quarantine()
        pickings = recall.quarantine_picking_ids
        self.assertEqual(self.env["stock.picking"].search(action["domain"]), pickings)
        self.assertEqual(len(pickings), 2, "one transfer per warehouse")
        by_wh = {picking.picking_type_id.warehouse_id: picking for picking in pickings}
        main = by_wh[self.warehouse]
        quarantine = main.location_dest_id
        self.assertTrue(quarantine.storq_quarantine)
        self.assertEqual(quarantine.usage, "internal")
        self.assertEqual(quarantine.location_id, self.warehouse.view_location_id)
        self.assertEqual(main.picking_type_id.code, "internal")
        self.assertEqual(main.state, "assigned")
        self.assertEqual(main.move_line_ids.lot_id, self.units | self.on_shelf)
        self.assertEqual(
            main.move_line_ids.filtered(lambda ml: ml.lot_id == self.on_shelf).location_id, self.shelf
        )
        other = by_wh[self.warehouse2]
        self.assertEqual(other.move_line_ids.lot_id, self.elsewhere)
        self.assertEqual(other.location_dest_id.location_id, self.warehouse2.view_location_id)
        self.assertNotEqual(other.location_dest_id, quarantine)

        main.move_line_ids.picked = True
        main.button_validate()
        self.assertEqual(main.state, "done")
        lines = {line.lot_id: line for line in recall.line_ids}
        for unit in self.units | self.on_shelf:
            self.assertEqual(unit.storq_location_id, quarantine)
            self.assertTrue(unit.storq_blocked)
            self.assertEqual(lines[unit].state, "quarantined")
            self.assertEqual(unit.storq_event_ids[0].document_ref, main)
        self.assertEqual(lines[self.elsewhere].state, "blocked", "its transfer is not done yet")
        self.assertEqual(lines[self.delivered].state, "blocked")
        # Nothing more to quarantine: the rest is on its transfer or at the customer.
        with self.assertRaisesRegex(UserError, "No unit of .* is waiting in stock"):
            recall.action_quarantine()
        # The quarantine location is reused, not created again.
        self.assertEqual(self.warehouse._storq_quarantine_location(), quarantine)

    def test_quarantine_needs_a_confirmed_recall_and_a_manager(self):
        recall = self._recall([("QRN0001", "QRN0002")], user=self.manager)
        with self.assertRaisesRegex(UserError, "Confirm .* first"):
            recall.with_user(self.manager).action_quarantine()
        recall.with_user(self.manager).action_confirm()
        with self.assertRaises(AccessError):
            recall.with_user(self.worker).action_quarantine()
        self.assertFalse(recall.quarantine_picking_ids)
