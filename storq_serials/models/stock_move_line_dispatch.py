from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_is_zero

from .stock_lot_unit import STOCK_USAGES
from .stock_lot_unit import UNIT_FIELDS


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

    def _storq_named_ship_units(self):
        """{line: its unit} for lines that go to a customer with a typed serial of a known unit
        (a dropship's units come from the vendor by name): Odoo gives them that unit when they
        are done. 1 query whatever the number of lines."""
        return self.filtered(
            lambda line: line.location_dest_id.usage == "customer"
            and not float_is_zero(line.quantity, precision_rounding=line.product_uom_id.rounding)
        )._storq_named_units()

    def _storq_named_units(self):
        """{line: its unit} for the lines of serial-controlled products with a typed serial of a
        known unit and no unit yet: the unit Odoo gives them when they are done (the lot of that
        name of the product, in the line's company or shared). 1 query whatever their number."""
        lines = self.filtered(
            lambda line: line.product_id.storq_serial_control and not line.lot_id and line.lot_name
        )
        if not lines:
            return {}
        units = (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(
                [
                    ("name", "in", list(set(lines.mapped("lot_name")))),
                    ("product_id", "in", lines.product_id.ids),
                    ("company_id", "in", [False, *lines.company_id.ids]),
                ],
                UNIT_FIELDS,
            )
        )
        by_key = {(unit.product_id, unit.company_id, unit.name): unit for unit in units}
        found = {}
        for line in lines:
            unit = by_key.get((line.product_id, line.company_id, line.lot_name)) or by_key.get(
                (line.product_id, line.company_id.browse(), line.lot_name)
            )
            if unit:
                found[line] = unit.with_env(self.env)
        return found

    def _storq_check_units_can_leave(self):
        """Refuse units that are not in stock at the line's source location and, towards a
        customer, blocked units (a blocked unit may still go back to its vendor), listing every
        offending line, in a constant number of queries. A dropship's units typed by name are
        checked too when they are known units."""
        units_by_line = {line: line.lot_id for line in self._storq_ship_lines()}
        units_by_line.update(self._storq_named_ship_units())
        if not units_by_line:
            return
        units = self.env["stock.lot"].union(*units_by_line.values())
        units.fetch(["name", "storq_state", "storq_location_id", "storq_blocked", "storq_block_reason"])
        stock_locations = units._storq_stock_locations()
        refused = []
        for line, unit in units_by_line.items():
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
