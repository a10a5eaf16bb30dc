from odoo import fields
from odoo import models


class StockLot(models.Model):
    """The warranty claims of a unit, for its smart button and the lookup."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_claim_ids = fields.One2many("storq.warranty.claim", "lot_id", "Warranty claims")
    # storq_claim_count: stock_lot_form_counts.py (read with the form's other counts)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("storq_serials.storq_warranty_claim_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id, "default_partner_id": self.storq_partner_id.id}
        return action
