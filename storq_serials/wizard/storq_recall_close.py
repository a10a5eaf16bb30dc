from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

BLOCK_CHOICES = [
    ("lift", "Lift the remaining blocks"),
    ("keep", "Keep the units blocked"),
]


class StorqRecallClose(models.TransientModel):
    """Closing a recall: below its target recovery rate a serial manager justifies it; the
    manager chooses whether the units still blocked by it are released."""

    _name = "storq.recall.close"
    _description = "Close a Recall"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    recall_id = fields.Many2one("storq.recall", required=True, readonly=True, ondelete="cascade")
    recovery_rate = fields.Float(related="recall_id.recovery_rate")
    target_rate = fields.Float(related="recall_id.target_rate")
    below_target = fields.Boolean(compute="_compute_below_target")
    justification = fields.Text(
        help="Why the recall is closed below its target recovery rate; kept in its chatter."
    )
    blocks = fields.Selection(BLOCK_CHOICES, "Blocked units", default="lift", required=True)

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("recall_id")
    def _compute_below_target(self):
        for wizard in self:
            wizard.below_target = wizard.recall_id.recovery_rate < wizard.recall_id.target_rate

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_close(self):
        self.ensure_one()
        recall = self.recall_id
        if recall.recovery_rate < recall.target_rate and not (self.justification or "").strip():
            raise UserError(
                self.env._(
                    "%(recall)s recovered %(rate).1f %% of the units at customers, below its target of "
                    "%(target).1f %%: write the justification for closing it now.",
                    recall=recall.name,
                    rate=recall.recovery_rate,
                    target=recall.target_rate,
                )
            )
        recall._storq_close(self.justification, lift_blocks=self.blocks == "lift")
        return {"type": "ir.actions.act_window_close"}
