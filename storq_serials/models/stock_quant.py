from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare
from odoo.tools.float_utils import float_is_zero


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def action_apply_inventory(self):
        # Odoo offers to apply counts of tracked products without lots; serial control refuses
        # before that offer, and names the lines to fix.
        self._storq_check_counted_serials()
        return super().action_apply_inventory()

    def _storq_check_counted_serials(self):
        bad = []
        for quant in self.filtered(lambda q: q.product_id.storq_serial_control):
            rounding = quant.product_uom_id.rounding
            counted = quant.inventory_quantity
            if float_is_zero(quant.inventory_diff_quantity, precision_rounding=rounding):
                continue
            if not quant.lot_id and not float_is_zero(counted, precision_rounding=rounding):
                bad.append(
                    self.env._(
                        "- %(product)s in %(location)s: %(quantity)s counted without a serial number",
                        product=quant.product_id.display_name,
                        location=quant.location_id.display_name,
                        quantity=counted,
                    )
                )
            elif quant.lot_id and float_compare(counted, 1, precision_rounding=rounding) > 0:
                bad.append(
                    self.env._(
                        "- %(product)s in %(location)s: serial %(serial)s counted %(quantity)s times",
                        product=quant.product_id.display_name,
                        location=quant.location_id.display_name,
                        serial=quant.lot_id.name,
                        quantity=counted,
                    )
                )
        if bad:
            raise UserError(
                self.env._(
                    "These products are under serial control: count each unit on its own line "
                    "with its serial number (quantity 1).\n%(lines)s",
                    lines="\n".join(bad),
                )
            )
