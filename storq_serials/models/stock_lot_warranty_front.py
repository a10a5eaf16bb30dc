from odoo import api
from odoo import models


class StockLot(models.Model):
    """Where staff open a warranty claim for a unit: its form, a customer, an order, the lookup."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_new_claim(self):
        self.env["storq.serial.input"]._check_one(self)
        return self._storq_new_claim_action(self.sudo().storq_partner_id)

    def _storq_new_claim_action(self, partner):
        """The claim form, filled for this unit and `partner` (its holder by default)."""
        self.ensure_one()
        context = {key: value for key, value in self.env.context.items() if not key.startswith("default_")}
        context.update({"default_lot_id": self.id})
        if partner:
            context["default_partner_id"] = partner.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("New claim"),
            "res_model": "storq.warranty.claim",
            "views": [(False, "form")],
            "target": "current",
            "context": context,
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _storq_lookup_action(self, context=None):
        """The Warranty Lookup, optionally for one customer or order (`context`)."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Warranty Lookup"),
            "res_model": "storq.warranty.lookup",
            "views": [(self.env.ref("storq_serials.storq_warranty_lookup_view_form").id, "form")],
            "target": "current",
            "context": context or {},
        }
