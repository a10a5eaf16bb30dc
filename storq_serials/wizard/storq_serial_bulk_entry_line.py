from odoo import fields
from odoo import models


class StorqSerialBulkEntryLine(models.TransientModel):
    """One entry of a bulk serial entry and its verdict, shown before anything is applied."""

    _name = "storq.serial.bulk.entry.line"
    _description = "Bulk Serial Entry Line"
    _order = "entry_id, id"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    entry_id = fields.Many2one("storq.serial.bulk.entry", required=True, ondelete="cascade", index=True)
    line_number = fields.Integer(
        "Line", help="Line of the pasted text or of the CSV file, or position in the generated range."
    )
    raw_input = fields.Char("Input", help="The entry as it was pasted, imported or generated.")
    serial = fields.Char(help="The serial as it will be stored, once normalised by the product's format.")
    status = fields.Selection(
        [("ok", "OK"), ("error", "Refused"), ("skipped", "Skipped")],
        "Verdict",
        required=True,
        default="ok",
    )
    reason = fields.Char(help="Why the serial is refused or skipped, or a warning about an accepted one.")
    has_warning = fields.Boolean()
