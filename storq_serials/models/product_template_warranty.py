from odoo import fields
from odoo import models

WARRANTY_UNIT_SELECTION = [("days", "Days"), ("months", "Months"), ("years", "Years")]
WARRANTY_TRIGGER_SELECTION = [
    ("delivery", "Delivery to the customer"),
    ("invoice", "Customer invoice"),
    ("registration", "Registration by the customer"),
    ("manufacture", "Manufacture date plus grace period"),
]


class ProductTemplate(models.Model):
    """Warranty terms of a product (per company); when it has none, its category's apply."""

    _inherit = "product.template"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # Company dependent: each company gives its own terms on a shared product.
    storq_warranty_duration = fields.Integer(
        "Warranty duration",
        company_dependent=True,
        help="How long the customer's warranty lasts. Empty or 0: the category's terms apply; "
        "no terms anywhere means no warranty. On a warranty extension (a service), how much it adds.",
    )
    storq_warranty_unit = fields.Selection(
        WARRANTY_UNIT_SELECTION, "Warranty unit", company_dependent=True, default="months"
    )
    storq_warranty_trigger = fields.Selection(
        WARRANTY_TRIGGER_SELECTION,
        "Warranty starts at",
        company_dependent=True,
        default="delivery",
        help="The event that starts each unit's warranty; the terms in force that day are kept "
        "on the unit.",
    )
    storq_warranty_grace_days = fields.Integer(
        "Grace period (days)",
        company_dependent=True,
        help="With a warranty counted from manufacture: days added to the unit's manufacture date.",
    )
    storq_warranty_extension = fields.Boolean(
        "Warranty extension",
        help="A service that extends the warranty of the unit it is sold with (same order) or "
        "that its order line names, by its own warranty duration.",
    )
    storq_repair_warranty_days = fields.Integer(
        "Repair warranty (days)",
        company_dependent=True,
        help="Coverage a repaired unit gets from the repair; 0 uses the company's setting.",
    )
