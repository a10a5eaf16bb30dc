from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    storq_repair_warranty_days = fields.Integer(
        related="company_id.storq_repair_warranty_days", readonly=False
    )
