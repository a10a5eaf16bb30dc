from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_is_zero

from .stock_lot_unit import STOCK_USAGES


class StockMoveLine(models.Model):
    """Shipping units: what a scan checks is checked again when the moves are done, so that
    RPC, imports and detailed operations cannot ship a unit that may not leave."""

    _inherit = "stock.move.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _action_done(self):
        self._storq_check_units_can_leave()
        return super()._action_done()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_ship_lines(self):
        """Lines of serial-controlled units that go to a customer, or leave internal stock on an
        outgoing transfer."""
        return self.filtered(
            lambda line: line.product_id.storq_serial_control
            and line.lot_id
            and not float_is_zero(line.quantity, precision_rounding=line.product_uom_id.rounding)
            and (
                line.location_dest_id.usage == "customer"
                or (line.picking_code == "outgoing" and line.location_id.usage in STOCK_USAGES)
            )
        )

    def _storq_check_units_can_leave(self):
        """Refuse units that are not in stock at the line's source location and, towards a
        customer, blocked units (a blocked unit may still go back to its vendor), listing every
        offending line, in a constant number of queries."""
        lines = self._storq_ship_lines()
        if not lines:
            return
        units = lines.lot_id
        units.fetch(["name", "storq_state", "storq_location_id", "storq_blocked", "storq_block_reason"])
        stock_locations = units._storq_stock_locations()
        refused = []
        for line in lines:
            unit = line.lot_id
            # Dropship: the unit comes from the vendor, its stock is not ours to check.
            from_stock = line.location_id.usage in STOCK_USAGES
            refusal = unit._storq_leave_refusal(
                line.location_id,
                shipping=line.location_dest_id.usage == "customer",
                exact=True,
                stock_locations=stock_locations[unit] if from_stock else line.location_id,
            )
            if refusal:
                refused.append((line, refusal))
        if not refused:
            return
        raise UserError(
            self.env._(
                "These units cannot be shipped:\n%(lines)s\nScan units that are in stock at the "
                "transfer's source location and not blocked, then validate again.",
                lines=self._storq_list_refusals(refused),
            )
        )
