from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class StorqUnitBlock(models.TransientModel):
    """Block units (they may not be shipped) or release them, with the reason in their history."""

    _name = "storq.unit.block"
    _description = "Block or Unblock Units"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    mode = fields.Selection([("block", "Block"), ("unblock", "Unblock")], required=True, default="block")
    lot_ids = fields.Many2many("stock.lot", string="Units", required=True)
    reason = fields.Char(
        help="Why the units may not be shipped (a recall, a quarantine); kept in their history."
    )

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
        units = self.lot_ids
        if self.mode == "block":
            reason = (self.reason or "").strip()
            if not reason:
                raise UserError(
                    self.env._("Give the reason for blocking: it is shown to whoever scans the unit.")
                )
            units._storq_block(reason)
        else:
            units._storq_unblock(note=(self.reason or "").strip() or None)
        return {"type": "ir.actions.act_window_close"}
