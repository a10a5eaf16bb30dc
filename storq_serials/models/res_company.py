from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    storq_serial_unique_per_company = fields.Boolean(
        "Serials unique across products",
        help="Refuse a serial already used by a unit of any other product of the company "
        "(by default a serial only has to be unique per product).",
    )
    storq_repair_location_id = fields.Many2one(
        "stock.location",
        "Repair location",
        check_company=True,
        domain="[('usage', '=', 'internal'), ('company_id', 'in', [id, False])]",
        help="Where returned units sent to repair are moved. Units there are in repair.",
    )

    def _storq_get_repair_location(self):
        """The company's repair location, created under its first warehouse when missing."""
        self.ensure_one()
        if self.storq_repair_location_id:
            return self.storq_repair_location_id
        warehouse = self.env["stock.warehouse"].sudo().search([("company_id", "=", self.id)], limit=1)
        if not warehouse:
            return self.env["stock.location"]
        location = (
            self.env["stock.location"]
            .sudo()
            .create(
                {
                    "name": self.env._("Repair"),
                    "usage": "internal",
                    "location_id": warehouse.view_location_id.id,
                    "company_id": self.id,
                }
            )
        )
        self.sudo().storq_repair_location_id = location
        return location
