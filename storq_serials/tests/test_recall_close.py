from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common_recall_notify import StorqRecallNotifyCase


@tagged("post_install", "-at_install")
class TestRecallClose(StorqRecallNotifyCase):
    def setUp(self):
        super().setUp()
        self.lots = self._fleet()
        self.recall = self._recall(self.lots, target_rate=75.0)
        self._send_all(self.recall)

    def _close(self, recall, user=None, **values):
        action = recall.with_user(user or self.manager).action_close_recall()
        form = Form(
            self.env[action["res_model"]].with_user(user or self.manager).with_context(**action["context"])
        )
        for name, value in values.items():
            setattr(form, name, value)
        return form.save().action_close()

    def _take_back(self, lots, disposition="scrap"):
        return self.env["storq.serial.return.record"]._return_units(
            [
                {"lot_id": lot.id, "reason_id": self.reasons["recall"].id, "disposition": disposition}
                for lot in lots
            ]
        )

    def test_effectiveness(self):
        recall = self.recall
        # 4 units at 3 customers; level C verifies 10 % of 3 customers, rounded up: 1.
        self.assertEqual((recall.customer_unit_count, recall.customer_count), (4, 3))
        self.assertEqual(
            (recall.check_level, recall.check_share, recall.check_customer_count), ("C", 10.0, 1)
        )
        self._take_back(self.lots[:2])
        recall.invalidate_recordset()
        self.assertEqual((recall.recovered_unit_count, recall.recovery_rate), (2, 50.0))
        recall.check_level = "A"
        self.assertEqual((recall.check_share, recall.check_customer_count), (100.0, 3))
        recall.check_level = "B"
        self.assertEqual(recall.check_share, 50.0)
        self.assertEqual(recall.check_customer_count, 2)
        with self.assertRaises(ValidationError):
            recall.check_share = 5.0
        # By customer: each notice shows its own recovery.
        self.assertEqual(self._notice(recall, self.customer).recovery_rate, 100.0)
        self.assertEqual(self._notice(recall, self.other_customer).recovery_rate, 0.0)
        # By situation: the analysis sums recovered units per situation.
        action = recall.action_view_recovery()
        groups = self.env["storq.recall.line"]._read_group(
            action["domain"], ["situation"], ["recovered:sum", "__count"]
        )
        self.assertEqual(
            {situation: (recovered, count) for situation, recovered, count in groups},
            {"at_customer": (2, 4), "in_stock": (0, 3)},
        )

    def test_pick_customers_to_verify(self):
        recall = self.recall.with_user(self.manager)
        with self.assertRaises(AccessError):
            self.recall.with_user(self.serial_user).action_pick_checks()
        action = recall.action_pick_checks()  # level C: 10 % of 3 customers -> 1
        self.assertEqual(action["context"]["search_default_to_verify"], 1)
        picked = recall.notice_ids.filtered("to_verify")
        self.assertEqual(len(picked), 1)
        recall.check_level = "A"
        recall.action_pick_checks()
        self.assertEqual(len(recall.notice_ids.filtered("to_verify")), 3)
        self.assertIn(picked, recall.notice_ids.filtered("to_verify"))
        picked.with_user(self.manager).action_mark_verified()
        self.assertTrue(picked.date_verified)
        recall.invalidate_recordset()
        self.assertEqual(recall.checked_customer_count, 1)

    def test_below_target_needs_a_justification_and_lifts_blocks(self):
        self._take_back(self.lots[:2])  # 50 % for a target of 75 %
        Close = self.env["storq.recall.close"].with_user(self.manager)
        with self.assertRaises(UserError):
            Close.create({"recall_id": self.recall.id, "justification": "  "}).action_close()
        with self.assertRaises(UserError):
            self.recall.with_user(self.manager)._storq_close()
        with self.assertRaises(AccessError):
            self.recall.with_user(self.serial_user).action_close_recall()
        with self.assertRaises(AccessError):
            self.recall.with_user(self.serial_user)._storq_close("Because")
        # A unit also held by another open recall stays blocked.
        second = self._recall(self.lots[4:5], title="Second recall")
        self._close(
            self.recall, justification="Two customers unreachable after three attempts", blocks="lift"
        )
        recall = self.recall
        self.assertEqual(recall.state, "closed")
        self.assertEqual((recall.closed_by_id, recall.close_rate), (self.manager, 50.0))
        self.assertIn("Two customers unreachable", recall.message_ids[0].body)
        self.assertIn("below target", recall.message_ids[0].body)
        blocked = {lot: lot.storq_blocked for lot in self.lots}
        self.assertEqual([blocked[lot] for lot in self.lots], [False] * 4 + [True] + [False] * 2)
        self.assertEqual(
            self.env["storq.serial.event"].search_count(
                [("lot_id", "in", self.lots.ids), ("event_type", "=", "unblocked")]
            ),
            6,
        )
        self.assertEqual(second.state, "confirmed")
        with self.assertRaises(UserError):
            recall.with_user(self.manager).action_close_recall()
        with self.assertRaises(UserError):
            recall.with_user(self.manager).action_notify()

    def test_closed_recall_sends_no_more_notices(self):
        lots = self._receive(["RCLD001"])
        self._sell(self.customer, lots)
        recall = self._recall(lots, target_rate=0.0)
        recall.action_notify()
        self._close(recall)
        self.assertEqual(self.env["storq.recall"]._cron_send_notices(), 0)
        self.assertEqual(recall.notice_ids.state, "queued")
        self.assertFalse(
            self.env["mail.mail"].search(
                [("res_id", "in", recall.notice_ids.ids), ("model", "=", "storq.recall.notice")]
            )
        )

    def test_on_target_closes_and_keeps_blocks(self):
        self._take_back(self.lots[:3])  # 75 %: on target
        self._close(self.recall, blocks="keep")
        self.assertEqual(self.recall.state, "closed")
        self.assertFalse(self.recall.close_justification)
        self.assertTrue(all(lot.storq_blocked for lot in self.lots))
        self.assertIn("stay blocked", self.recall.message_ids[0].body)

    def test_close_across_companies(self):
        other_company = self.env["res.company"].create({"name": "Storq Close Co"})
        outsider = self._make_user(
            "recall_close_outsider",
            "base.group_user,storq_serials.group_storq_manager",
            company=other_company,
        )
        with self.assertRaises(AccessError):
            self.recall.with_user(outsider).read(["state"])
        with self.assertRaises(AccessError):
            self.recall.with_user(outsider)._storq_close("Not mine")
        self.assertEqual(self.recall.state, "confirmed")
