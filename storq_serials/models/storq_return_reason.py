from odoo import fields
from odoo import models


class StorqReturnReason(models.Model):
    """Why a customer sends a unit back: a configurable list, read by the returns report."""

    _name = "storq.return.reason"
    _description = "Return Reason"
    _order = "sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="A stable key for reports and integrations.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    note_required = fields.Boolean(
        "Note required", help="A return with this reason cannot be applied without a note explaining it."
    )
    keep_customer_on_repair = fields.Boolean(
        "Repaired for the customer",
        help="A unit returned for this reason and sent to repair still belongs to the customer, "
        "who gets it back once repaired (a warranty repair): the unit keeps its customer. "
        "Otherwise a returned unit no longer has a customer.",
    )
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the reason between companies.", index=True
    )

    # ------------------------------------------------------------------
    # SQL constraints
    # ------------------------------------------------------------------
    _sql_constraints = [
        ("code_company_uniq", "unique (code, company_id)", "A return reason code must be unique."),
    ]
