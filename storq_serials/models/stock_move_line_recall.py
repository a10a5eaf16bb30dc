from odoo import models
from odoo.tools import create_index

OPEN_LOT_INDEX = "stock_move_line_storq_open_lot_index"
LOT_INDEX = "stock_move_line_storq_lot_index"


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # ------------------------------------------------------------------
    # Schema
    # ------------------------------------------------------------------
    def _auto_init(self):
        # Which units an open transfer holds (a recall's preview and confirmation ask it for
        # 100,000 units at once): Odoo indexes no move line by unit. Partial: open lines are
        # few next to the done ones.
        result = super()._auto_init()
        create_index(
            self.env.cr,
            OPEN_LOT_INDEX,
            self._table,
            ["lot_id"],
            where="lot_id IS NOT NULL AND (state IS NULL OR state NOT IN ('done', 'cancel'))",
        )
        # A unit's whole history (its done lines): what Odoo's lot form computes (sale and purchase
        # orders, deliveries, last customer) and its traceability report search, each a scan of
        # every move line without it (60 ms at 100,000 units, 4 such searches per form).
        create_index(self.env.cr, LOT_INDEX, self._table, ["lot_id"], where="lot_id IS NOT NULL")
        return result
