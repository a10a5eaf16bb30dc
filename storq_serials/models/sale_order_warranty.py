from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    def _action_confirm(self):
        """A confirmed warranty extension naming a unit the customer holds extends it now."""
        result = super()._action_confirm()
        units = self.order_line.filtered(lambda line: line.storq_warranty_extension).storq_lot_id
        if units:
            units._storq_apply_pending_extensions()
        return result
