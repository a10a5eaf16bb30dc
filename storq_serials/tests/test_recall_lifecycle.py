from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common_recall_notify import StorqRecallNotifyCase


@tagged("post_install", "-at_install")
class TestRecallLifecycle(StorqRecallNotifyCase):
    """Recalled units go to closure through real returns, and staff close out the rest."""

    def setUp(self):
        super().setUp()
        self.lots = self._receive([f"RCLC{n:03d}" for n in range(1, 7)])
        self._sell(self.customer, self.lots)
        self.recall = self._recall(self.lots)
        self._send_all(self.recall)
        self.line_of = {line.lot_id: line for line in self.recall.line_ids}

    def _take_back(self, lots, disposition):
        return self.env["storq.serial.return.record"]._return_units(
            [
                {"lot_id": lot.id, "reason_id": self.reasons["recall"].id, "disposition": disposition}
                for lot in lots
            ]
        )

    def test_returns_advance_each_line_by_disposition(self):
        restocked, scrapped, written_off, repaired = self.lots[:4]
        self.assertEqual({self.line_of[lot].state for lot in self.lots}, {"notified"})
        records = self._take_back(restocked, "restock")
        self.assertEqual(records.recall_line_id, self.line_of[restocked])
        self.assertEqual(records.recall_id, self.recall)
        self.assertEqual(self.line_of[restocked].state, "returned")
        self.assertTrue(self.line_of[restocked].date_returned)
        self.assertEqual(self.line_of[restocked].return_record_ids, records)

        self._take_back(scrapped, "scrap")
        self._take_back(written_off, "write_off")
        for lot in (scrapped, written_off):
            line = self.line_of[lot]
            self.assertEqual((line.state, line.resolution), ("resolved", "scrapped"))
            self.assertTrue(line.date_returned and line.date_resolved)

        self._take_back(repaired, "repair")
        line = self.line_of[repaired]
        self.assertEqual((line.state, repaired.storq_state), ("returned", "in_repair"))
        # The repair is done: the unit leaves the repair location for stock.
        repair_location = self.company.storq_repair_location_id
        back = self._confirmed_transfer(
            repaired.product_id,
            1,
            repair_location,
            self.stock_location,
            self.env.ref("stock.warehouse0").int_type_id,
        )
        self._set_unit_lines(back.move_ids, [{"lot_id": repaired.id, "picked": True}])
        back.button_validate()
        self.assertEqual((line.state, line.resolution), ("resolved", "repaired"))
        # The history names the recall at each step.
        notes = (
            self.env["storq.serial.event"]
            .search([("lot_id", "=", scrapped.id), ("event_type", "=", "recalled")])
            .mapped("note")
        )
        self.assertTrue(any("Returned" in note for note in notes))
        self.assertTrue(any("Resolved" in note for note in notes))
        # Recovery: 4 of 6 units at the customer came back.
        self.recall.invalidate_recordset()
        self.assertAlmostEqual(self.recall.recovery_rate, 400 / 6, places=1)

    def test_acknowledged_then_returned_never_backwards(self):
        notice = self.recall.notice_ids
        notice._storq_customer_answer("acknowledged")
        self.assertEqual(set(notice.line_ids.mapped("state")), {"acknowledged"})
        self._take_back(self.lots[:1], "scrap")
        self.assertEqual(self.line_of[self.lots[0]].state, "resolved")
        # A later acknowledgement does not reopen a resolved line.
        notice._storq_customer_answer("return_requested")
        self.assertEqual(self.line_of[self.lots[0]].state, "resolved")
        self.assertEqual(self.line_of[self.lots[1]].state, "acknowledged")

    def test_units_not_recalled_are_left_alone(self):
        other = self._receive(["RCLC900"])
        self._sell(self.customer, other)
        record = self._take_back(other, "scrap")
        self.assertFalse(record.recall_line_id)

    def test_staff_close_out_lines(self):
        lines = self.line_of[self.lots[4]] | self.line_of[self.lots[5]]
        wizard = Form(
            self.env["storq.recall.line.outcome"]
            .with_user(self.manager)
            .with_context(default_line_ids=lines.ids)
        )
        wizard.outcome = "unreachable"
        wizard.note = "Three calls and a letter, no answer"
        wizard.save().action_apply()
        self.assertEqual(set(lines.mapped("state")), {"unreachable"})
        self.assertEqual(set(lines.mapped("outcome_note")), {"Three calls and a letter, no answer"})
        self.assertIn("Three calls", self.recall.message_ids[0].body)
        # Closed lines cannot be closed again; a note is required; serial users cannot.
        with self.assertRaises(UserError):
            lines.with_user(self.manager)._storq_set_outcome("refunded", "Refund by cheque")
        line = self.line_of[self.lots[3]]
        with self.assertRaises(UserError):
            line.with_user(self.manager)._storq_set_outcome("refunded", " ")
        with self.assertRaises(AccessError):
            line.with_user(self.serial_user)._storq_set_outcome("refunded", "Refund by cheque")
        line.with_user(self.manager)._storq_set_outcome("refunded", "Refund by cheque")
        self.assertEqual(
            (line.state, line.resolution, line.outcome_note), ("resolved", "refunded", "Refund by cheque")
        )
        self.assertEqual(
            line.with_user(self.manager).action_set_outcome()["res_model"], "storq.recall.line.outcome"
        )

    def test_warranty_claim_for_a_recalled_unit_resolves_its_line(self):
        spare = self._receive(["RCLC800"])
        claimed, other = self.lots[:2]
        claim = self.env["storq.warranty.claim"].create(
            {
                "partner_id": self.customer.id,
                "lot_id": claimed.id,
                "description": "Recall: replace the laptop",
                "resolution": "replace",
                "replacement_lot_id": spare.id,
                "return_disposition": "scrap",
            }
        )
        self.assertEqual(claim.recall_line_id, self.line_of[claimed])
        self.assertEqual(claim.recall_id, self.recall)
        claim.action_review()
        claim.action_approve()  # as admin: goodwill when not covered
        claim.action_apply_resolution()
        line = self.line_of[claimed]
        self.assertEqual(claim.state, "resolved")
        self.assertEqual((line.state, line.resolution), ("resolved", "replaced"))
        self.assertEqual(line.return_record_ids, claim.return_record_id)
        self.assertEqual(self.line_of[other].state, "notified")
        # A claim on a unit outside any recall has no recall line.
        free = self._receive(["RCLC801"])
        self._sell(self.customer, free)
        plain = self.env["storq.warranty.claim"].create(
            {"partner_id": self.customer.id, "lot_id": free.id, "description": "Broken hinge"}
        )
        self.assertFalse(plain.recall_line_id)
