from odoo import api
from odoo import models


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model_create_multi
    def create(self, vals_list):
        products = super().create(vals_list)
        # The template applied serial control while the variant was being created; the
        # variant's cache still holds the values it was created with.
        controlled = products.filtered("product_tmpl_id.storq_serial_control")
        controlled.invalidate_recordset(["is_storable", "tracking"])
        return products
