from odoo import fields
from odoo import models

from .product_template_warranty import WARRANTY_TRIGGER_SELECTION
from .product_template_warranty import WARRANTY_UNIT_SELECTION


class ProductCategory(models.Model):
    """Default warranty terms for the products of a category that have none of their own."""

    _inherit = "product.category"

    storq_warranty_duration = fields.Integer(
        "Warranty duration",
        company_dependent=True,
        help="Default warranty of this category's products (per company); 0: no warranty.",
    )
    storq_warranty_unit = fields.Selection(
        WARRANTY_UNIT_SELECTION, "Warranty unit", company_dependent=True, default="months"
    )
    storq_warranty_trigger = fields.Selection(
        WARRANTY_TRIGGER_SELECTION, "Warranty starts at", company_dependent=True, default="delivery"
    )
    storq_warranty_grace_days = fields.Integer("Grace period (days)", company_dependent=True)
