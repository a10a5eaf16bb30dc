from odoo import fields
from odoo import models

from ..models.storq_serial_return_record import DISPOSITIONS


class StorqSerialReturnLine(models.TransientModel):
    """One serial entered on a return, its verdict, and what to do with the unit."""

    _name = "storq.serial.return.line"
    _description = "Return Line"
    _order = "wizard_id, line_number, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    wizard_id = fields.Many2one("storq.serial.return", required=True, ondelete="cascade", index=True)
    line_number = fields.Integer("Line", help="Line of the entered text.")
    raw_input = fields.Char("Input", help="The serial as it was scanned or typed.")
    serial = fields.Char()
    lot_id = fields.Many2one("stock.lot", "Unit", readonly=True)
    product_id = fields.Many2one("product.product", readonly=True)
    status = fields.Selection(
        [("ok", "Accepted"), ("error", "Refused")], "Verdict", required=True, default="ok", readonly=True
    )
    verdict = fields.Char("Why", readonly=True, help="Why the unit cannot be taken back.")
    reason_id = fields.Many2one("storq.return.reason")
    note_required = fields.Boolean(related="reason_id.note_required")
    note = fields.Char()
    disposition = fields.Selection(DISPOSITIONS)
