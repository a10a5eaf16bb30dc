from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

# How many notices one run of the scheduled job sends at most, and how many units they may hold
# together; each run commits (the cron framework commits after each call and calls again while
# work remains). Each unit is a row of its customer's mail and a line moved with an event, so the
# units size the transaction: a batch stops before the notice that would take it past
# NOTICE_UNIT_BATCH units (a customer holding more is sent alone).
NOTICE_BATCH = 200
NOTICE_UNIT_BATCH = 2000

REMEDIES = [
    ("repair", "Repair"),
    ("replacement", "Replacement"),
    ("refund", "Refund"),
]


class StorqRecall(models.Model):
    """Notifying the customers of a confirmed recall: one notice per customer, sent in batches
    by a scheduled job, with the progress on the campaign."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    stop_instructions = fields.Text(
        "What to stop doing",
        help="What the customers must stop doing with the unit until it is remedied.",
    )
    remedy = fields.Selection(REMEDIES, default="replacement", help="What the customers are offered.")
    return_instructions = fields.Text(
        "How to return", help="How the customers send the unit back, or have it collected."
    )
    notice_ids = fields.One2many("storq.recall.notice", "recall_id", "Notices", readonly=True)
    notice_count = fields.Integer("Customers notified", compute="_compute_notice_progress")
    notice_done_count = fields.Integer("Notices processed", compute="_compute_notice_progress")
    notice_no_email_count = fields.Integer("Customers to call", compute="_compute_notice_progress")
    notice_progress = fields.Float("Sending progress (%)", compute="_compute_notice_progress")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_notice_progress(self):
        groups = self.env["storq.recall.notice"]._read_group(
            [("recall_id", "in", self.ids)], ["recall_id", "state"], ["__count"]
        )
        counts = defaultdict(lambda: defaultdict(int))
        for recall, state, count in groups:
            counts[recall][state] += count
        for recall in self:
            by_state = counts[recall]
            total = sum(by_state.values())
            recall.notice_count = total
            recall.notice_done_count = total - by_state["queued"]
            recall.notice_no_email_count = by_state["no_email"]
            recall.notice_progress = 100.0 * recall.notice_done_count / total if total else 0.0

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_notify(self):
        """Queue one notice per customer holding affected units; the scheduled job sends them."""
        self._check_recall_manager()
        for recall in self:
            if recall.state != "confirmed":
                raise UserError(
                    self.env._(
                        "%(recall)s is not confirmed: confirm it before notifying the customers.",
                        recall=recall.name,
                    )
                )
        queued = self._queue_notices()
        if queued:
            self.env.ref("storq_serials.ir_cron_storq_recall_notices")._trigger()
        for recall in self:
            recall.message_post(
                body=self.env._(
                    "%(count)s customer notice(s) queued; they are sent in batches by a scheduled job.",
                    count=len(queued.filtered(lambda notice, recall=recall: notice.recall_id == recall)),
                )
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if queued else "warning",
                "message": self.env._(
                    "%(count)s customer notice(s) queued: they are sent in the background.",
                    count=len(queued),
                )
                if queued
                else self.env._("Every customer holding an affected unit has a notice already."),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def action_view_notices(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Notices of %(recall)s", recall=self.name),
            "res_model": "storq.recall.notice",
            "view_mode": "list,form",
            "domain": [("recall_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_view_no_email(self):
        """The customers without an email, to follow up by phone."""
        action = self.action_view_notices()
        action["name"] = self.env._("Customers to call for %(recall)s", recall=self.name)
        action["context"] = dict(action["context"], search_default_no_email=1)
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_recall_manager(self):
        if not (self.env.su or self.env.user.has_group("storq_serials.group_storq_manager")):
            raise AccessError(
                self.env._("Only serial managers can notify the customers of a recall or close it.")
            )

    def _queue_notices(self):
        """One queued notice per (recall, customer) for the customer lines without one (4 queries
        plus the inserts). The lines are grouped and linked by SQL: 100,000 lines read as records
        cost 8 s of Python for their recall and customer alone."""
        Line = self.env["storq.recall.line"].sudo()
        Partner = self.env["res.partner"]
        Partner.flush_model(["commercial_partner_id"])
        Line.flush_model(["recall_id", "partner_id", "notice_id"])
        # the (recall, customer) pairs of the lines waiting for a notice, in line order
        self.env.cr.execute(
            SQL(
                """
                SELECT line.recall_id, COALESCE(partner.commercial_partner_id, partner.id)
                  FROM storq_recall_line line
                  JOIN res_partner partner ON partner.id = line.partner_id
                 WHERE line.recall_id = ANY(%(recalls)s) AND line.notice_id IS NULL
                 GROUP BY 1, 2
                 ORDER BY line.recall_id, min(line.id)
                """,
                recalls=self.ids,
            )
        )
        keys = [
            (self.browse(recall_id), Partner.browse(partner_id))
            for recall_id, partner_id in self.env.cr.fetchall()
        ]
        existing = {
            (notice.recall_id, notice.partner_id): notice
            for notice in self.env["storq.recall.notice"]
            .sudo()
            .search([("recall_id", "in", self.ids), ("partner_id", "in", [key[1].id for key in keys])])
        }
        new_keys = [key for key in keys if key not in existing]
        # Thousands of notices at once: no creation message nor follower per notice.
        notices = (
            self.env["storq.recall.notice"]
            .sudo()
            .with_context(mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True)
            .create(
                [
                    {"recall_id": recall.id, "partner_id": partner.id, "company_id": recall.company_id.id}
                    for recall, partner in new_keys
                ]
            )
        )
        # Each line to its customer's notice in one statement: a write per notice took 74 s
        # for 4,500 customers of a 100,000-unit recall (docs/benchmarks.md).
        self.env["storq.recall.notice"].flush_model(["recall_id", "partner_id"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE storq_recall_line line
                   SET notice_id = notice.id, write_uid = %(uid)s, write_date = %(now)s
                  FROM res_partner partner, storq_recall_notice notice
                 WHERE line.recall_id = ANY(%(recalls)s) AND line.notice_id IS NULL
                   AND partner.id = line.partner_id AND notice.recall_id = line.recall_id
                   AND notice.partner_id = COALESCE(partner.commercial_partner_id, partner.id)
                """,
                uid=self.env.uid,
                now=fields.Datetime.now(),
                recalls=self.ids,
            )
        )
        Line.invalidate_model(["notice_id", "write_uid", "write_date"])
        self.env["storq.recall.notice"].invalidate_model(["line_ids"])
        return notices.with_env(self.env)

    @api.model
    def _cron_send_notices(self, batch_size=NOTICE_BATCH, unit_batch=NOTICE_UNIT_BATCH):
        """Send one batch of queued notices: at most `batch_size` notices holding at most
        `unit_batch` units together (or one notice, however many units it holds); report the
        progress to the cron framework, which commits and calls again while some remain."""
        Notice = self.env["storq.recall.notice"]
        # A recall closed meanwhile sends nothing more.
        domain = [("state", "=", "queued"), ("recall_id.state", "=", "confirmed")]
        notices = Notice.search(domain, order="id", limit=batch_size)
        notices = notices._storq_cut_by_units(unit_batch)
        notices._storq_send()
        remaining = Notice.search_count(domain)
        self.env["ir.cron"]._notify_progress(done=len(notices), remaining=remaining)
        if remaining:
            self.env.ref("storq_serials.ir_cron_storq_recall_notices")._trigger()
        return remaining
