from odoo import fields
from odoo import models


class ResCompany(models.Model):
    _inherit = "res.company"

    storq_repair_warranty_days = fields.Integer(
        "Repair warranty (days)",
        default=90,
        help="Coverage a repaired unit gets, when it ends later than the unit's own warranty. "
        "A product can give its own.",
    )
