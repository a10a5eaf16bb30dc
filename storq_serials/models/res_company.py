from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    storq_serial_unique_per_company = fields.Boolean(
        "Serials unique across products",
        help="Refuse a serial already used by a unit of any other product of the company "
        "(by default a serial only has to be unique per product).",
    )
