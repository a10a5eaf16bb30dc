from odoo import fields
from odoo import models

AUDIT_RESULTS = [
    ("pending", "Not scanned yet"),
    ("present", "Present"),
    ("unexpected", "Unexpected"),
    ("unknown", "Unknown"),
    ("duplicate", "Duplicate"),
    ("wrong_product", "Wrong product"),
    ("blocked", "Blocked unit found"),
    ("missing", "Missing"),
]


class StorqSerialAuditLine(models.Model):
    """One unit of an audit: expected by the records (a pending line until it is scanned), or
    one scan that the records did not expect. Written by the audit's server code only."""

    _name = "storq.serial.audit.line"
    _description = "Serial Audit Line"
    _order = "audit_id, scan_date desc, id desc"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    audit_id = fields.Many2one(
        "storq.serial.audit", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="audit_id.company_id", store=True, index=True)
    audit_state = fields.Selection(related="audit_id.state", string="Audit status")
    lot_id = fields.Many2one("stock.lot", "Unit", index="btree_not_null", readonly=True)
    serial = fields.Char(readonly=True, index="trigram")
    product_id = fields.Many2one("product.product", readonly=True)
    expected = fields.Boolean(readonly=True, help="The records held this unit in the audit's scope.")
    expected_location_id = fields.Many2one(
        "stock.location", "Recorded at", readonly=True, help="Where the unit record placed the unit."
    )
    found_location_id = fields.Many2one("stock.location", "Found at", readonly=True)
    result = fields.Selection(AUDIT_RESULTS, required=True, default="pending", readonly=True, index=True)
    message = fields.Char(readonly=True, help="What the scan answered.")
    scan_date = fields.Datetime("Scanned on", readonly=True)
    user_id = fields.Many2one("res.users", "Scanned by", readonly=True)
    applied = fields.Boolean(readonly=True, help="The audit's outcome was applied to this unit.")

    # ------------------------------------------------------------------
    # SQL constraints
    # ------------------------------------------------------------------
    _sql_constraints = [
        # A unit is listed once per audit (a second scan is a duplicate line), even when two
        # people scan it at the same time.
        (
            "unit_unique",
            "EXCLUDE (audit_id WITH =, lot_id WITH =) WHERE (lot_id IS NOT NULL AND result != 'duplicate')",
            "A unit is listed once per audit: a second scan is a duplicate.",
        ),
    ]
