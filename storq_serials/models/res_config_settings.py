from odoo import api
from odoo import fields
from odoo import models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    storq_serial_unique_per_company = fields.Boolean(
        related="company_id.storq_serial_unique_per_company", readonly=False
    )
    storq_repair_location_id = fields.Many2one(related="company_id.storq_repair_location_id", readonly=False)
    storq_serial_unique_guaranteed = fields.Boolean(
        compute="_compute_storq_serial_unique_guaranteed",
        help="Whether the database constraint that keeps serials unique exists.",
    )

    @api.depends("company_id")
    def _compute_storq_serial_unique_guaranteed(self):
        guaranteed = self.env["stock.lot"]._storq_unique_constraint_exists()
        for settings in self:
            settings.storq_serial_unique_guaranteed = guaranteed

    def action_storq_guarantee_unique_serials(self):
        return self.env["stock.lot"].action_storq_guarantee_unique_serials()
