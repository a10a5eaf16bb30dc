from odoo import fields
from odoo import models

from ..models.storq_recall_line_lifecycle import OUTCOMES


class StorqRecallLineOutcome(models.TransientModel):
    """Staff close out recalled units by hand, with a note: a customer who cannot be reached,
    or a remedy given outside Odoo (a refund by cheque, a repair on site)."""

    _name = "storq.recall.line.outcome"
    _description = "Close Out Recalled Units"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    line_ids = fields.Many2many("storq.recall.line", string="Units", required=True)
    outcome = fields.Selection(OUTCOMES, required=True, default="unreachable")
    note = fields.Char(required=True, help="Why, or what was done: kept on each unit's recall line.")

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply(self):
        self.ensure_one()
        self.line_ids._storq_set_outcome(self.outcome, self.note)
        return {"type": "ir.actions.act_window_close"}
