from odoo import fields
from odoo import models

from .product_template_warranty import WARRANTY_UNIT_SELECTION


class ProductSupplierinfo(models.Model):
    """The vendor's warranty on what we buy from them, counted from our receipt."""

    _inherit = "product.supplierinfo"

    storq_warranty_duration = fields.Integer(
        "Vendor warranty",
        help="How long this vendor covers the units we receive from them, from our receipt date.",
    )
    storq_warranty_unit = fields.Selection(WARRANTY_UNIT_SELECTION, "Vendor warranty unit", default="months")
