from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from .storq_recall_line import CLOSED_STATES
from .storq_recall_line import STATE_RANK
from .storq_recall_notice import RECOVERED_LINE_STATES

# What staff can close a line as, by hand.
OUTCOMES = [
    ("unreachable", "Unreachable"),
    ("repaired", "Repaired"),
    ("replaced", "Replaced"),
    ("refunded", "Refunded"),
    ("scrapped", "Scrapped"),
]
# The date each step stamps on the lines it reaches.
STEP_DATES = {
    "notified": "date_notified",
    "acknowledged": "date_acknowledged",
    "returned": "date_returned",
    "resolved": "date_resolved",
    "unreachable": "date_resolved",
}


class StorqRecallLine(models.Model):
    """What happened to each recalled unit after the campaign: its customer's notice, the
    return that brought it back, how it was resolved, or why it could not be."""

    _inherit = "storq.recall.line"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    notice_id = fields.Many2one(
        "storq.recall.notice", index="btree_not_null", readonly=True, ondelete="set null"
    )
    notice_state = fields.Selection(related="notice_id.state", string="Notice status")
    return_record_ids = fields.One2many(
        "storq.serial.return.record", "recall_line_id", "Returns", readonly=True
    )
    # Lines are inserted by SQL at confirmation (NULL reads as 0 until the state changes through
    # the ORM, which recomputes it): a measure for the recovery analysis, not a source of truth.
    recovered = fields.Integer(
        compute="_compute_recovered",
        store=True,
        help="1 when the unit came back or was corrected (returned or resolved): summed by the analysis.",
    )
    date_notified = fields.Datetime("Notified on", readonly=True)
    date_acknowledged = fields.Datetime("Acknowledged on", readonly=True)
    date_returned = fields.Datetime("Returned on", readonly=True)
    date_resolved = fields.Datetime("Resolved on", readonly=True)
    outcome_note = fields.Char(
        "Note", readonly=True, help="Why the unit is unreachable, or how it was resolved."
    )

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state")
    def _compute_recovered(self):
        for line in self:
            line.recovered = int(line.state in RECOVERED_LINE_STATES)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_set_outcome(self):
        """Staff close out lines by hand: unreachable customers, remedies given outside Odoo."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Close out recalled units"),
            "res_model": "storq.recall.line.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"default_line_ids": self.ids},
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _storq_advance(self, lots, state, document=None, resolution=None):
        lines = super()._storq_advance(lots, state, document=document, resolution=resolution)
        if lines and state in STEP_DATES:
            lines.sudo().write({STEP_DATES[state]: fields.Datetime.now()})
        return lines

    def _storq_advance_lines(self, state, resolution=None):
        """Move these lines forward to `state`, never backwards: `_storq_advance` for the steps
        that belong to one recall (its notice, its staff's outcome), where a unit held by
        another recall too must not move that recall's line. One event per unit naming the
        recall; returns the lines moved. Queries grow with the recalls, not the lines."""
        rank = STATE_RANK[state]
        lines = self.sudo().filtered(
            lambda line: STATE_RANK[line.state] < rank and line.state not in CLOSED_STATES
        )
        if not lines:
            return lines
        vals = {"state": state, STEP_DATES[state]: fields.Datetime.now()}
        if resolution:
            vals["resolution"] = resolution
        if state in CLOSED_STATES:
            vals["date_done"] = vals[STEP_DATES[state]]
        lines.write(vals)
        labels = dict(self._fields["state"]._description_selection(self.env))
        for recall, recall_lines in lines.grouped("recall_id").items():
            note = self.env._("%(recall)s: %(state)s", recall=recall.name, state=labels[state])
            recall_lines.lot_id._storq_log_events("recalled", note, recall)
        return lines.with_env(self.env)

    def _storq_set_outcome(self, outcome, note):
        """Close these lines as `outcome` ("unreachable" or a resolution), with staff's note."""
        self.recall_id._check_recall_manager()
        if not (note or "").strip():
            raise UserError(self.env._("Say why: a note is required to close out recalled units by hand."))
        closed = self.filtered(lambda line: line.state in ("resolved", "unreachable"))
        if closed:
            raise UserError(
                self.env._(
                    "%(serials)s are closed already (%(state)s); choose open lines only.",
                    serials=", ".join(closed[:20].lot_id.mapped("name")),
                    state=", ".join(sorted(set(closed.mapped("state")))),
                )
            )
        if outcome == "unreachable":
            moved = self._storq_advance_lines("unreachable")
        else:
            moved = self._storq_advance_lines("resolved", resolution=outcome)
        moved.sudo().write({"outcome_note": note})
        for recall, lines in self.grouped("recall_id").items():
            recall.message_post(
                body=self.env._(
                    "%(count)s unit(s) closed out as %(outcome)s by %(user)s: %(note)s (%(serials)s)",
                    count=len(lines),
                    outcome=dict(OUTCOMES)[outcome],
                    user=self.env.user.name,
                    note=note,
                    serials=", ".join(lines[:20].lot_id.mapped("name")),
                )
            )
        return moved
