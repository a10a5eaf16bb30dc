from unittest.mock import patch

from odoo.exceptions import UserError
from odoo.tests import tagged

from ..models import storq_recall_confirm
from .common_recall import RecallCase

# Queries of one confirmation batch without reservations to release, whatever its size.
BATCH_QUERIES = 12


@tagged("post_install", "-at_install")
class TestRecallConfirm(RecallCase):
    """Confirming blocks every affected unit, releases its reservations and flags transfers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recalled = cls._stock_units(cls.laptop, ["RCL0001", "RCL0002", "RCL0003", "RCL0004"])
        cls.spare = cls._stock_units(cls.laptop, ["OK00001"])

    def _confirmed(self, ranges=(("RCL0001", "RCL0004"),)):
        recall = self._recall(ranges, user=self.manager, title="Hinge cracks")
        recall = recall.with_user(self.manager)
        recall.action_preview()
        recall.action_confirm()
        return recall

    def test_confirm_lines_events_and_blocks(self):
        delivered = self.recalled[3]
        self._deliver(self.customer, delivered)
        recall = self._confirmed()
        self.assertEqual(recall.state, "confirmed")
        self.assertEqual((recall.unit_total, recall.unit_done), (4, 4))
        lines = {line.lot_id: line for line in recall.line_ids}
        self.assertEqual(set(lines), set(self.recalled))
        self.assertEqual(set(recall.line_ids.mapped("state")), {"blocked"})
        self.assertEqual(lines[delivered].situation, "at_customer")
        self.assertEqual(lines[delivered].partner_id, self.customer)
        self.assertFalse(lines[delivered].location_id)
        self.assertEqual(lines[self.recalled[0]].situation, "in_stock")
        self.assertEqual(lines[self.recalled[0]].location_id, self.stock_location)
        reason = f"Recall {recall.name}: Hinge cracks"
        for unit in self.recalled:
            self.assertTrue(unit.storq_blocked)
            self.assertEqual(unit.storq_block_reason, reason)
            events = unit.storq_event_ids.filtered(lambda e: e.document_ref == recall)
            self.assertEqual(sorted(events.mapped("event_type")), ["blocked", "recalled"])
            self.assertEqual(events.user_id, self.manager)
        self.assertFalse(self.spare.storq_blocked)
        self.assertEqual(self.spare.storq_recall_count, 0)
        self.assertEqual(self.recalled[0].storq_recall_count, 1)
        units_action = recall.action_view_units()
        self.assertEqual(self.env["stock.lot"].search(units_action["domain"]), self.recalled)
        action = self.recalled[0].action_storq_view_recalls()
        self.assertEqual(self.env["storq.recall"].search(action["domain"]), recall)
        with self.assertRaisesRegex(UserError, "already confirmed"):
            recall.action_confirm()

    def test_reservations_released_and_transfer_flagged(self):
        picker = self._make_user("storq_recall_picker", "stock.group_stock_user")
        delivery = self._sale(self.customer, self.laptop, 1).picking_ids
        delivery.user_id = picker
        self._set_unit_lines(delivery.move_ids, [{"lot_id": self.recalled[0].id}])
        self.assertEqual(delivery.state, "assigned")
        recall = self._confirmed()
        self.assertFalse(delivery.move_line_ids, "the recalled unit was taken off the delivery")
        self.assertEqual(delivery.state, "confirmed")
        activity = delivery.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, picker)
        self.assertIn(recall.name, activity.summary)
        self.assertIn("RCL0001", activity.note)
        # Checking availability again takes the unit that is not recalled.
        delivery.action_assign()
        self.assertEqual(delivery.move_line_ids.lot_id, self.spare)

    def test_blocked_units_are_not_reserved_nor_shipped(self):
        self._confirmed()
        # nothing but the spare unit is left to reserve: two units ordered, one reserved
        delivery = self._sale(self.customer, self.laptop, 2).picking_ids
        self.assertEqual(delivery.move_line_ids.lot_id, self.spare)
        self.assertEqual(delivery.move_ids.quantity, 1)
        # a scan names the recall
        result = delivery.storq_scan("RCL0002", self.laptop.id)
        self.assertEqual(result["status"], "error")
        self.assertIn("RCL0002 is blocked (Recall", result["message"])
        # and so does validating a line set on it by hand
        self._set_unit_lines(delivery.move_ids, [{"lot_id": self.recalled[1].id, "picked": True}])
        with self.assertRaisesRegex(UserError, "Recall .*Hinge cracks"):
            delivery.with_context(skip_backorder=True).button_validate()
        # an internal move still reserves it (quarantine)
        internal = self.env.ref("stock.warehouse0").int_type_id
        shelf = self.env["stock.location"].create({"name": "Shelf R", "location_id": self.stock_location.id})
        move = self._confirmed_transfer(self.laptop, 3, self.stock_location, shelf, internal)
        move.action_assign()
        self.assertEqual(len(move.move_line_ids), 3)

    def test_large_recall_confirms_in_cron_batches(self):
        recall = self._recall([("RCL0001", "RCL0004")], user=self.manager).with_user(self.manager)
        with (
            patch.object(storq_recall_confirm, "SYNC_CONFIRM_LIMIT", 3),
            patch.object(storq_recall_confirm, "CONFIRM_BATCH", 3),
        ):
            recall.action_confirm()
            self.assertEqual(recall.state, "confirming")
            self.assertEqual((recall.unit_total, recall.unit_done), (4, 0))
            self.assertFalse(recall.line_ids)
            self.assertFalse(any(self.recalled.mapped("storq_blocked")))
            cron = self.env.ref("storq_serials.ir_cron_storq_recall_confirm")
            self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
            # what Odoo's cron runner does: call again while units remain, one batch a call
            calls = 0
            while recall.state == "confirming" and calls < 5:
                self.env["storq.recall"]._cron_confirm_batches()
                calls += 1
                if calls == 1:
                    self.assertEqual((recall.unit_done, len(recall.line_ids)), (3, 3))
                    self.assertEqual(recall.confirm_progress, 75.0)
            self.assertEqual(calls, 2)
        self.assertEqual(recall.state, "confirmed")
        self.assertEqual(recall.unit_done, 4)
        self.assertEqual(recall.confirm_progress, 100.0)
        self.assertEqual(len(recall.line_ids), 4)
        self.assertTrue(all(self.recalled.mapped("storq_blocked")))

    def test_recall_of_exactly_the_limit_confirms_in_the_request(self):
        recall = self._recall([("RCL0001", "RCL0004")], user=self.manager).with_user(self.manager)
        with patch.object(storq_recall_confirm, "SYNC_CONFIRM_LIMIT", 4):
            recall.action_confirm()
        self.assertEqual((recall.state, recall.unit_done), ("confirmed", 4))

    def test_batch_progress_and_query_count(self):
        units = self._stock_units(self.gadget, [f"QB-{n:04d}" for n in range(1, 81)])
        counts = []
        warm = self._recall([("QB-0001", "QB-0080", self.gadget)])
        warm.write({"state": "confirming", "unit_total": 80})
        warm._storq_confirm_batch(2)
        units.sudo()._storq_unblock()
        for size in (5, 40):
            recall = self._recall([("QB-0001", "QB-0080", self.gadget)])
            recall.write({"state": "confirming", "unit_total": 80})
            self.env.flush_all()
            self.env.invalidate_all()
            start = self.env.cr.sql_log_count
            with self.assertQueryCount(__system__=BATCH_QUERIES):
                done = recall._storq_confirm_batch(size)
            counts.append(self.env.cr.sql_log_count - start)
            self.assertEqual(done, size)
            self.assertEqual(recall.unit_done, size)
            self.assertAlmostEqual(recall.confirm_progress, 100.0 * size / 80)
            self.assertEqual(recall.state, "confirming")
            self.assertEqual(len(recall.line_ids), size)
            self.assertEqual(recall.line_ids.lot_id, units[:size])
            # unblock for the next size
            units.sudo()._storq_unblock()
        self.assertLessEqual(counts[1], counts[0], "a batch costs the same queries whatever its size")
        # the next batch continues after the last unit, and the last one closes the campaign
        done = recall._storq_confirm_batch(40)
        self.assertEqual((done, recall.unit_done, recall.state), (40, 80, "confirming"))
        self.assertEqual(recall._storq_confirm_batch(40), 0)
        self.assertEqual(recall.state, "confirmed")

    def test_advance_moves_lines_forward_only(self):
        recall = self._confirmed()
        Line = self.env["storq.recall.line"]
        units = self.recalled[:2]
        moved = Line._storq_advance(units, "notified")
        self.assertEqual(len(moved), 2)
        self.assertEqual(set(moved.mapped("state")), {"notified"})
        self.assertFalse(Line._storq_advance(units, "blocked"), "never backwards")
        self.assertFalse(Line._storq_advance(units, "quarantined"), "never backwards")
        done = Line._storq_advance(units[:1], "resolved", resolution="repaired")
        self.assertEqual((done.state, done.resolution), ("resolved", "repaired"))
        self.assertTrue(done.date_done)
        self.assertFalse(Line._storq_advance(units[:1], "unreachable"), "a closed line stays closed")
        event = units[0].storq_event_ids[0]
        self.assertEqual((event.event_type, event.document_ref), ("recalled", recall))
        self.assertIn("Resolved", event.note)
        self.assertEqual(Line._storq_advance(self.env["stock.lot"], "notified"), Line)
