from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class StorqWarrantyReapply(models.TransientModel):
    """Re-apply the product's current warranty terms to chosen units (a manager's decision:
    by default a change of terms only concerns units sold later)."""

    _name = "storq.warranty.reapply"
    _description = "Re-apply Warranty Terms"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    lot_ids = fields.Many2many("stock.lot", string="Units", required=True)
    reason = fields.Char(required=True, help="Why these units get the current terms; kept in their history.")

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "stock.lot" and "lot_ids" in fields_list:
            values["lot_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply(self):
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for re-applying the terms: it is kept in the history.")
            )
        self.lot_ids._storq_reapply_warranty_terms(reason)
        return {"type": "ir.actions.act_window_close"}
