from odoo import models


class StockQuant(models.Model):
    _inherit = "stock.quant"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _gather(
        self, product_id, location_id, lot_id=None, package_id=None, owner_id=None, strict=False, qty=0
    ):
        """Leave blocked units (a recall) out of what a shipping move reserves: the context is
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
            quants = quants.filtered(lambda quant: not quant.lot_id.storq_blocked)
        return quants
