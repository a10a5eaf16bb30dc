from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_is_zero

from .stock_lot_unit import STOCK_USAGES
from .stock_lot_unit import UNIT_FIELDS

# Where units new to our stock come from: a vendor (receipts, dropships), production
# (manufacturing, parts a repair or an unbuild gives back) and inventory counts. Units coming
# back from a customer are the return checks' business (`stock_move_line_return.py`).
ARRIVAL_USAGES = ("supplier", "production", "inventory")


class StockMoveLine(models.Model):
    """Units arriving from outside our stock are checked when the moves are done.

    The scanner refuses, at a receipt, the serial of a unit that is in stock already; RPC,
    imports and typed or chosen serials are held to the same rule here, whatever the
    destination: Odoo itself only notices a unit received twice under the same location.
    """

    _inherit = "stock.move.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def _action_done(self):
        self._storq_check_arrivals_not_in_stock()
        return super()._action_done()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_arrival_lines(self):
        """Lines of serial-controlled units that come into our stock, or straight to a customer
        (dropship), from outside our stock."""
        return self.filtered(
            lambda line: line.product_id.storq_serial_control
            and line.location_id.usage in ARRIVAL_USAGES
            and (line.location_dest_id.usage in STOCK_USAGES or line.location_dest_id.usage == "customer")
            and not float_is_zero(line.quantity, precision_rounding=line.product_uom_id.rounding)
        )

    def _storq_leaving_units(self):
        """{(unit, location)} for the lines that take a unit out of our stock from `location`
        (an inventory count that finds a unit elsewhere counts it out where it was)."""
        return {
            (line.lot_id, line.location_id)
            for line in self
            if line.lot_id
            and line.location_id.usage in STOCK_USAGES
            and line.location_dest_id.usage not in STOCK_USAGES
            and not float_is_zero(line.quantity, precision_rounding=line.product_uom_id.rounding)
        }

    def _storq_check_arrivals_not_in_stock(self):
        """Refuse the lines that bring in, chosen or typed, a unit that is in our stock already
        (in stock, or held in an internal or transit location) and does not leave it in the
        same batch, listing every offending line, in a constant number of queries. A unit
        that left (returned to its vendor, delivered, scrapped) may arrive again."""
        lines = self._storq_arrival_lines()
        if not lines:
            return
        units_by_line = {line: line.lot_id for line in lines if line.lot_id}
        units_by_line.update(lines._storq_named_units())
        if not units_by_line:
            return
        # Read as the system: the unit may be held in a location the user cannot read.
        units = self.env["stock.lot"].union(*units_by_line.values()).sudo()
        units.fetch(UNIT_FIELDS)
        stock_locations = units._storq_stock_locations()
        leaving = self._storq_leaving_units()
        refused = []
        for line, unit in units_by_line.items():
            unit = unit.sudo()
            held = stock_locations[unit].filtered(lambda loc, unit=unit: (unit, loc) not in leaving)
            if held:
                refused.append((line, unit._storq_in_stock_refusal(held)))
        if not refused:
            return
        raise UserError(
            self.env._(
                "These units cannot be received: they are in stock already.\n%(lines)s\nCheck the "
                "serials against the labels, correct or remove these lines, then validate again.",
                lines=self._storq_list_refusals(refused),
            )
        )
