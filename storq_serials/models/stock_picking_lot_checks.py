from odoo import models

from .storq_serial_validation import DeferredLotChecks

# The picking's fields that save move lines one `write` per line (detailed operations).
LINE_FIELDS = {"move_line_ids", "move_line_ids_without_package", "move_ids", "move_ids_without_package"}


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def write(self, vals):
        """Check the serials of the lines saved through the transfer in one batch, not one per
        line (see `DeferredLotChecks`)."""
        if not LINE_FIELDS & set(vals):
            return super().write(vals)
        return DeferredLotChecks.around(self, lambda pickings: super(StockPicking, pickings).write(vals))
