from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _gather(
        self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False, qty=0
    ):
        """Leave the units the rulebook would not ship (blocked: a recall) out of what a shipping
        move reserves (`storq.unit.rulebook._storq_unshippable`): the context is
        set by `stock.move._update_reserved_quantity`. Filtered after the search so that both
        of Odoo's paths (search, or the quants cache of chained moves) are covered."""
        quants = super()._gather(
            product_id,
            location_id,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
            qty=qty,
        )
        if self.env.context.get("storq_skip_blocked"):
            refused = self.env["storq.unit.rulebook"]._storq_unshippable(quants.lot_id)
            if refused:
                quants = quants.filtered(lambda quant: quant.lot_id not in refused)
        return quants
