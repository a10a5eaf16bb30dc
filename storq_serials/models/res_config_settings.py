from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    storq_serial_unique_per_company = fields.Boolean(
        related="company_id.storq_serial_unique_per_company", readonly=False
    )
