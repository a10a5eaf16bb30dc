from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    storq_serial_unique_per_company = fields.Boolean(
        related="company_id.storq_serial_unique_per_company", readonly=False
    )
    storq_repair_location_id = fields.Many2one(related="company_id.storq_repair_location_id", readonly=False)
