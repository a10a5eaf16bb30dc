from odoo import fields
from odoo import models


class StockLot(models.Model):
    """The warranty claims of a unit, for its smart button and the lookup."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_claim_ids = fields.One2many("storq.warranty.claim", "lot_id", "Warranty claims")
    storq_claim_count = fields.Integer("Claims", compute="_compute_storq_claim_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_storq_claim_count(self):
        """One grouped query for the batch; claims the user may not read are not counted."""
        Claim = self.env["storq.warranty.claim"]
        if not Claim.has_access("read"):
            self.storq_claim_count = 0
            return
        counts = dict(Claim._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"]))
        for lot in self:
            lot.storq_claim_count = counts.get(lot, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_view_claims(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("storq_serials.storq_warranty_claim_action")
        action["domain"] = [("lot_id", "=", self.id)]
        action["context"] = {"default_lot_id": self.id, "default_partner_id": self.storq_partner_id.id}
        return action
