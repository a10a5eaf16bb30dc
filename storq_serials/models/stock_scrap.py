from odoo import models
from odoo.exceptions import UserError


class StockScrap(models.Model):
    _inherit = "stock.scrap"

    def action_validate(self):
        # Refuse before Odoo's "insufficient quantity" offer, which would scrap a unit without its serial.
        for scrap in self:
            if scrap.product_id.storq_serial_control and not scrap.lot_id:
                raise UserError(
                    self.env._(
                        "%(product)s is under serial control: choose the serial number of the unit "
                        "to scrap.",
                        product=scrap.product_id.display_name,
                    )
                )
        return super().action_validate()
