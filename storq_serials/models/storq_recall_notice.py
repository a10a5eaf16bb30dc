import uuid

from odoo import fields
from odoo import models
from odoo.exceptions import UserError

NOTICE_STATES = [
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("no_email", "No email: call"),
    ("acknowledged", "Acknowledged"),
    ("return_requested", "Return requested"),
]
# Line states counted as recovered or corrected (effectiveness).
RECOVERED_LINE_STATES = ("returned", "resolved")


class StorqRecallNotice(models.Model):
    """The recall notice of one customer: their units, whether the mail went out, their answer.

    One per (recall, customer), queued by "Notify customers" and sent by a scheduled job in
    batches (`storq.recall._cron_send_notices`). The customer opens it on the portal with its
    token, acknowledges it and asks for the return.
    """

    _name = "storq.recall.notice"
    _description = "Recall Notice"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "recall_id desc, id"
    _rec_name = "partner_id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    recall_id = fields.Many2one("storq.recall", required=True, index=True, ondelete="cascade", readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        required=True,
        index=True,
        readonly=True,
        help="The customer holding the recalled units when the recall was confirmed.",
    )
    recipient_id = fields.Many2one(
        "res.partner",
        "Sent to",
        readonly=True,
        help="The customer, or a contact of theirs with an email when the customer has none.",
    )
    email = fields.Char(readonly=True, help="The address the notice went to.")
    phone = fields.Char(related="partner_id.phone", string="Phone")
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    line_ids = fields.One2many("storq.recall.line", "notice_id", "Recalled units", readonly=True)
    unit_count = fields.Integer("Units", compute="_compute_counts")
    recovered_count = fields.Integer("Recovered", compute="_compute_counts")
    recovery_rate = fields.Float("Recovery (%)", compute="_compute_counts", digits=(5, 1))
    # Not tracked: a batch of notices changes state in one write, logged by `_message_log_batch`.
    state = fields.Selection(NOTICE_STATES, default="queued", required=True, index=True, readonly=True)
    access_token = fields.Char(default=lambda self: str(uuid.uuid4()))
    date_queued = fields.Datetime("Queued on", readonly=True, default=fields.Datetime.now)
    date_sent = fields.Datetime("Sent on", readonly=True)
    date_acknowledged = fields.Datetime("Acknowledged on", readonly=True)
    date_return_requested = fields.Datetime("Return requested on", readonly=True)
    title = fields.Char(related="recall_id.title")
    to_verify = fields.Boolean(
        "To verify",
        readonly=True,
        index=True,
        help="Picked for the recall's effectiveness check: confirm that the customer received the "
        "notice and acted on it.",
    )
    date_verified = fields.Datetime("Verified on", readonly=True)

    _sql_constraints = [
        ("recall_partner_unique", "unique(recall_id, partner_id)", "A customer gets one notice per recall."),
    ]

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_access_url(self):
        for notice in self:
            notice.access_url = f"/my/recalls/{notice.id}"

    def _compute_counts(self):
        groups = self.env["storq.recall.line"]._read_group(
            [("notice_id", "in", self.ids)], ["notice_id", "state"], ["__count"]
        )
        units, recovered = {}, {}
        for notice, state, count in groups:
            units[notice] = units.get(notice, 0) + count
            if state in RECOVERED_LINE_STATES:
                recovered[notice] = recovered.get(notice, 0) + count
        for notice in self:
            notice.unit_count = units.get(notice, 0)
            notice.recovered_count = recovered.get(notice, 0)
            notice.recovery_rate = (
                100.0 * notice.recovered_count / notice.unit_count if notice.unit_count else 0.0
            )

    def _compute_display_name(self):
        for notice in self:
            notice.display_name = f"{notice.recall_id.name} - {notice.partner_id.display_name}"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_mark_called(self):
        """Staff reached a customer without an email by phone: the notice counts as given."""
        self.recall_id._check_recall_manager()
        called = self.filtered(lambda notice: notice.state in ("queued", "no_email"))
        if not called:
            raise UserError(
                self.env._("Only notices waiting to be sent or without an email can be marked as called.")
            )
        called.write({"state": "sent", "date_sent": fields.Datetime.now()})
        called._storq_log_notified(
            self.env._("Recall notice given by phone by %(user)s.", user=self.env.user.name)
        )
        return True

    def action_mark_verified(self):
        """The effectiveness check of this customer is done (they received the notice and acted)."""
        self.recall_id._check_recall_manager()
        todo = self.filtered(lambda notice: notice.to_verify and not notice.date_verified)
        todo.write({"date_verified": fields.Datetime.now()})
        todo._message_log_batch(
            {
                notice.id: self.env._("Effectiveness check done by %(user)s.", user=self.env.user.name)
                for notice in todo
            }
        )
        return True

    def action_open_portal(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.get_portal_url(), "target": "new"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_send(self):
        """Send these queued notices: one mail per customer with an email (queued in Odoo's mail
        queue), "no email" for the others, to call. Queries grow with the recalls in the batch
        and the mail batches, not with the notices."""
        notices = self.filtered(lambda notice: notice.state == "queued")
        if not notices:
            return
        recipients = notices._recipients()
        with_email = notices.filtered(lambda notice: recipients[notice])
        without_email = notices - with_email
        now = fields.Datetime.now()
        for notice in with_email:
            recipient = recipients[notice]
            notice.write(
                {"recipient_id": recipient.id, "email": recipient.email, "state": "sent", "date_sent": now}
            )
        without_email.write({"state": "no_email"})
        template = self.env.ref("storq_serials.mail_template_storq_recall_notice")
        if with_email:
            # the template's source compiled once for the batch, not once per notice
            template.sudo().with_context(storq_compile_once=True).send_mail_batch(with_email.ids)
            with_email._storq_log_notified(self.env._("Recall notice sent by email."))
        if without_email:
            body = self.env._("No email address: call the customer about the recall.")
            without_email._message_log_batch({notice.id: body for notice in without_email})

    def _storq_cut_by_units(self, unit_batch):
        """The first of these notices (in their order) whose units add up to at most
        `unit_batch`, and at least the first notice whatever it holds (one query)."""
        units = dict(
            self.env["storq.recall.line"]
            .sudo()
            ._read_group([("notice_id", "in", self.ids)], ["notice_id"], ["__count"])
        )
        total = 0
        for position, notice in enumerate(self):
            total += units.get(notice, 0)
            if position and total > unit_batch:
                return self[:position]
        return self

    def _storq_log_notified(self, body):
        """Log the notification on each notice and its customer; its units' lines go to notified
        (one unit event each)."""
        self._message_log_batch({notice.id: body for notice in self})
        self.partner_id._message_log_batch(
            {
                notice.partner_id.id: self.env._(
                    "%(recall)s: %(what)s", recall=notice.recall_id.name, what=body
                )
                for notice in self
            }
        )
        self.line_ids._storq_advance_lines("notified")

    def _recipients(self):
        """{notice: the partner to write to, or an empty partner}: the customer, else the first
        of its contacts with an email (2 queries for the batch)."""
        customers = self.partner_id
        contacts = self.env["res.partner"].search_fetch(
            [("parent_id", "in", customers.ids), ("email", "!=", False)], ["parent_id", "email"], order="id"
        )
        first_contact = {}
        for contact in contacts:
            first_contact.setdefault(contact.parent_id, contact)
        return {
            notice: notice.partner_id
            if notice.partner_id.email
            else first_contact.get(notice.partner_id, self.env["res.partner"])
            for notice in self
        }

    def _storq_customer_answer(self, state):
        """The customer acknowledged the notice (`acknowledged`) or asked for the return
        (`return_requested`, which acknowledges it too); logged on the notice, the customer and
        each unit. A return request gives the recall's responsible an activity."""
        date_field = {"acknowledged": "date_acknowledged", "return_requested": "date_return_requested"}
        now = fields.Datetime.now()
        for notice in self:
            vals = {"state": state, date_field[state]: now}
            if not notice.date_acknowledged:
                vals["date_acknowledged"] = now
            notice.write(vals)
        self.line_ids._storq_advance_lines("acknowledged")
        if state == "acknowledged":
            body = self.env._("The customer acknowledged the recall notice.")
        else:
            body = self.env._("The customer asked to return the recalled units.")
        # The customer answered: the log is theirs (on the portal the request runs as superuser).
        author = self.partner_id.id if len(self.partner_id) == 1 else None
        self._message_log_batch({notice.id: body for notice in self}, author_id=author)
        self.partner_id._message_log_batch(
            {
                notice.partner_id.id: self.env._(
                    "%(recall)s: %(answer)s", recall=notice.recall_id.name, answer=body
                )
                for notice in self
            },
            author_id=author,
        )
        if state == "return_requested":
            for notice in self:
                notice.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Take back the recalled units"),
                    note=self.env._(
                        "%(customer)s asked to return %(count)s unit(s) of recall %(recall)s: "
                        "take them back with the Return Units action.",
                        customer=notice.partner_id.display_name,
                        count=len(notice.line_ids),
                        recall=notice.recall_id.name,
                    ),
                    user_id=notice.recall_id.user_id.id or self.env.ref("base.user_admin").id,
                )
