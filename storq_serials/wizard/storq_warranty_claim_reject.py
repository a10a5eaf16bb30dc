from odoo import api
from odoo import fields
from odoo import models


class StorqWarrantyClaimReject(models.TransientModel):
    """Reject warranty claims with the reason, kept on each claim and its unit's history."""

    _name = "storq.warranty.claim.reject"
    _description = "Reject Warranty Claims"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    claim_ids = fields.Many2many("storq.warranty.claim", string="Claims", required=True)
    reason = fields.Text(required=True, help="Why the claims are rejected.")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "storq.warranty.claim" and "claim_ids" in fields_list:
            values["claim_ids"] = [fields.Command.set(self.env.context.get("active_ids") or [])]
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_reject(self):
        self.ensure_one()
        self.claim_ids.write({"reject_reason": self.reason})
        self.claim_ids.action_reject()
        return {"type": "ir.actions.act_window_close"}
