from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_recall_notify import StorqRecallNotifyCase


@tagged("post_install", "-at_install")
class TestRecallNotify(StorqRecallNotifyCase):
    def test_notify_queues_one_notice_per_customer(self):
        lots = self._fleet()
        recall = self._recall(lots)
        recall.with_user(self.manager).action_notify()
        notices = recall.notice_ids
        self.assertEqual(
            {notice.partner_id: notice.line_ids.lot_id for notice in notices},
            {self.customer: lots[:2], self.other_customer: lots[2:3], self.silent_customer: lots[3:4]},
        )
        self.assertEqual(set(notices.mapped("state")), {"queued"})
        # The sending runs in the scheduled job, not in the request.
        cron = self.env.ref("storq_serials.ir_cron_storq_recall_notices")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "storq.recall.notice")]))
        # Notifying again adds nobody.
        recall.with_user(self.manager).action_notify()
        self.assertEqual(len(recall.notice_ids), 3)

    def test_cron_sends_the_notices(self):
        lots = self._fleet()
        recall = self._recall(lots)
        self._send_all(recall)
        acme = self._notice(recall, self.customer)
        garage = self._notice(recall, self.silent_customer)
        self.assertEqual(acme.state, "sent")
        self.assertEqual(acme.email, "buyer@acme.example.com")
        self.assertEqual(garage.state, "no_email")
        self.assertEqual(
            (recall.notice_done_count, recall.notice_count, recall.notice_progress), (3, 3, 100.0)
        )
        # The mail says what a recall notice must say, with the customer's own serials only.
        mail = self.env["mail.mail"].search([("model", "=", "storq.recall.notice"), ("res_id", "=", acme.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertIn(recall.name, mail.subject)
        body = mail.body_html
        for text in (
            "RCLA001",
            "RCLA002",
            "Test laptop",
            "The battery can overheat while charging.",
            "Stop charging the laptop and unplug it.",
            "we replace your unit",
            "a courier collects it",
            f"/my/recalls/{acme.id}?access_token={acme.access_token}",
        ):
            self.assertIn(text, body)
        self.assertNotIn("RCLA003", body)
        self.assertEqual(len(self.env["mail.mail"].search([("model", "=", "storq.recall.notice")])), 2)
        # Lines of the notified customers are notified; the garage is to be called.
        states = {line.lot_id: line.state for line in recall.line_ids}
        self.assertEqual([states[lot] for lot in lots], ["notified"] * 3 + ["blocked"] * 4)
        self.assertTrue(all(line.date_notified for line in recall.line_ids if line.state == "notified"))
        self.assertEqual(recall.action_view_no_email()["context"]["search_default_no_email"], 1)
        # Logged per customer: the notice, the customer's chatter, and each unit's history.
        self.assertIn("sent by email", acme.message_ids[0].body)
        self.assertTrue(
            self.customer.message_ids.filtered(lambda message: recall.name in (message.body or ""))
        )
        events = self.env["storq.serial.event"].search(
            [("lot_id", "=", lots[0].id), ("event_type", "=", "recalled")]
        )
        self.assertEqual(len(events), 2)  # confirmed, then notified
        self.assertIn("Notified", events[0].note)

    def test_a_notice_moves_only_its_own_recall(self):
        lots = self._fleet()
        first = self._recall(lots)
        second = self._recall(lots[:1], title="Supplier recall of the same unit")
        self._send_all(first)
        self.assertEqual(first.line_ids.filtered(lambda line: line.lot_id == lots[0]).state, "notified")
        self.assertEqual(second.line_ids.state, "blocked")
        self._notice(first, self.customer)._storq_customer_answer("acknowledged")
        self.assertEqual(second.line_ids.state, "blocked")

    def test_phone_follow_up(self):
        lots = self._fleet()
        recall = self._recall(lots)
        self._send_all(recall)
        garage = self._notice(recall, self.silent_customer)
        with self.assertRaises(AccessError):
            garage.with_user(self.serial_user).action_mark_called()
        garage.with_user(self.manager).action_mark_called()
        self.assertEqual(garage.state, "sent")
        self.assertEqual(garage.line_ids.state, "notified")
        self.assertIn("by phone", garage.message_ids[0].body)

    def test_contact_email_when_the_company_has_none(self):
        lots = self._receive(["RCLB001"])
        self._sell(self.silent_customer, lots)
        contact = self.env["res.partner"].create(
            {
                "name": "Mo at the garage",
                "parent_id": self.silent_customer.id,
                "email": "mo@garage.example.com",
            }
        )
        recall = self._recall(lots)
        notice = self._send_all(recall)
        self.assertEqual((notice.state, notice.recipient_id, notice.email), ("sent", contact, contact.email))

    def test_batches_report_progress_and_trigger_the_next(self):
        lots = self._fleet()
        recall = self._recall(lots)
        recall.action_notify()
        cron = self.env.ref("storq_serials.ir_cron_storq_recall_notices")
        self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]).unlink()
        # As the cron framework runs it: the progress it reads tells it to call again.
        _cron, progress = cron._add_progress()
        Recall = self.env["storq.recall"].with_context(ir_cron_progress_id=progress.id)
        self.assertEqual(Recall._cron_send_notices(batch_size=2), 1)
        self.assertEqual((progress.done, progress.remaining), (2, 1))
        self.assertEqual((recall.notice_done_count, recall.notice_count), (2, 3))
        self.assertAlmostEqual(recall.notice_progress, 66.67, places=1)
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertEqual(self.env["storq.recall"]._cron_send_notices(batch_size=2), 0)
        recall.invalidate_recordset()
        self.assertEqual(recall.notice_progress, 100.0)

    def test_batches_are_sized_by_units(self):
        """A batch stops before the notice that would take it past the units budget; a notice
        holding more than the budget goes alone."""
        lots = self._fleet()
        recall = self._recall(lots)
        recall.action_notify()
        units = {notice: len(notice.line_ids) for notice in recall.notice_ids.sorted("id")}
        self.assertEqual(sorted(units.values()), [1, 1, 2])
        batches = []
        Recall = self.env["storq.recall"]
        for _call in range(5):
            queued = recall.notice_ids.filtered(lambda notice: notice.state == "queued")
            remaining = Recall._cron_send_notices(unit_batch=1)
            sent = queued.filtered(lambda notice: notice.state != "queued")
            batches.append(sent)
            if not remaining:
                break
        # one notice per call with a budget of one unit, the 2-unit customer alone too
        self.assertEqual([len(batch) for batch in batches], [1, 1, 1])
        self.assertEqual(sum(batches, self.env["storq.recall.notice"]), recall.notice_ids.sorted("id"))
        # any budget: the longest prefix within it, never empty
        notices = self.env["storq.recall.notice"].browse([notice.id for notice in units])
        counts = list(units.values())
        for budget in (1, 2, 3, 4, 100):
            cut = notices._storq_cut_by_units(budget)
            size = len(cut)
            self.assertEqual(cut, notices[:size])
            self.assertGreaterEqual(size, 1)
            self.assertTrue(size == 1 or sum(counts[:size]) <= budget)
            self.assertTrue(size == len(notices) or sum(counts[: size + 1]) > budget)

    def test_notify_guards(self):
        lots = self._fleet()
        recall = self._recall(lots)
        with self.assertRaises(AccessError):
            recall.with_user(self.serial_user).action_notify()
        draft = self.env["storq.recall"].create({"title": "Draft", "serial_list": lots[0].name})
        with self.assertRaises(UserError):
            draft.action_notify()
        # A serial user reads the notices.
        recall.action_notify()
        self.assertEqual(len(recall.with_user(self.serial_user).notice_ids), 3)

    def _send_batch_queries(self, customers):
        """Queries of queuing, then of one batch sending, one notice to each of `customers` new
        customers."""
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"Buyer {customers}-{n}",
                    "email": f"b{customers}-{n}@example.com",
                    "is_company": True,
                }
                for n in range(customers)
            ]
        )
        lots = self._receive([f"RQ{customers:02d}{n:03d}" for n in range(customers)])
        for partner, lot in zip(partners, lots, strict=True):
            self._sell(partner, lot)
        recall = self._recall(lots, title=f"Size {customers}")
        self.env.invalidate_all()
        self.env.flush_all()
        before = self.cr.sql_log_count
        recall.action_notify()
        self.env.flush_all()
        queue_count = self.cr.sql_log_count - before
        self.env.invalidate_all()
        before = self.cr.sql_log_count
        self.env["storq.recall"]._cron_send_notices()
        self.env.flush_all()
        count = self.cr.sql_log_count - before
        self.assertEqual(set(recall.notice_ids.mapped("state")), {"sent"})
        self.assertEqual(
            len(
                self.env["mail.mail"].search(
                    [("res_id", "in", recall.notice_ids.ids), ("model", "=", "storq.recall.notice")]
                )
            ),
            customers,
        )
        return queue_count, count

    def test_notify_and_send_batch_query_counts(self):
        self._send_batch_queries(1)  # warm the caches (template, views, groups)
        small = self._send_batch_queries(3)
        large = self._send_batch_queries(12)
        self.assertEqual(small, large)

    def test_notice_template_compiled_once_per_batch(self):
        """Odoo compiles a mail template's body for each record: the batch compiles it once,
        and each mail still holds its own customer's units."""
        IrQweb = type(self.env["ir.qweb"])
        generate_code = IrQweb._generate_code
        compiled = []

        def counting(qweb, template):
            compiled.append(template)
            return generate_code(qweb, template)

        counts = []
        for customers in (2, 8):
            partners = self.env["res.partner"].create(
                [
                    {"name": f"Compile {customers}-{n}", "email": f"c{customers}-{n}@example.com"}
                    for n in range(customers)
                ]
            )
            lots = self._receive([f"RC{customers:02d}{n:03d}" for n in range(customers)])
            for partner, lot in zip(partners, lots, strict=True):
                self._sell(partner, lot)
            recall = self._recall(lots, title=f"Compile {customers}")
            recall.action_notify()
            compiled.clear()
            with patch.object(IrQweb, "_generate_code", counting):
                self.env["storq.recall"]._cron_send_notices()
            counts.append(len(compiled))
            for notice in recall.notice_ids:
                mail = self.env["mail.mail"].search(
                    [("model", "=", "storq.recall.notice"), ("res_id", "=", notice.id)]
                )
                self.assertIn(notice.line_ids.lot_id.name, mail.body_html)
                self.assertIn(notice.partner_id.name, mail.body_html)
        self.assertEqual(counts[0], counts[1], "compilations do not grow with the notices")

    def test_second_company_does_not_see_the_notices(self):
        lots = self._fleet()
        recall = self._recall(lots)
        recall.action_notify()
        other_company = self.env["res.company"].create({"name": "Storq Other Co"})
        outsider = self._make_user(
            "recall_outsider", "base.group_user,storq_serials.group_storq_manager", company=other_company
        )
        Notice = self.env["storq.recall.notice"].with_user(outsider)
        self.assertFalse(Notice.search([("recall_id", "=", recall.id)]))
        with self.assertRaises(AccessError):
            recall.notice_ids[0].with_user(outsider).read(["state"])
