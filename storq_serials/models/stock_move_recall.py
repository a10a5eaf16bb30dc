from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _update_reserved_quantity(
        self, need, location_id, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        """A move on its way to a customer never reserves a blocked unit (a recall): the quants
        it gathers leave them out (`stock.quant._gather`), so it reserves another unit or none.
        Internal moves (quarantine) and returns to the vendor still take them."""
        move = self.with_context(storq_skip_blocked=True) if self._storq_ships_units() else self
        return super(StockMove, move)._update_reserved_quantity(
            need, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id, strict=strict
        )

    def _storq_ships_units(self):
        """Whether this move's units are on their way to a customer (a delivery, or the pick or
        pack step of one)."""
        self.ensure_one()
        return "customer" in (self.location_dest_id.usage, self.location_final_id.usage)
