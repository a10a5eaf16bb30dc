from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import ValidationError

from ..tools.errors import SerialValidationError
from ..tools.serial_order import RangeError
from ..tools.serial_order import range_segments
from ..tools.serial_order import segments_size


class StorqRecallRange(models.Model):
    """A run of serials a recall covers, SN-0099..SN-0101, in the serials' natural order.

    See `tools/serial_order.py` for what a range holds (padding, prefixes, mixed lengths).
    """

    _name = "storq.recall.range"
    _description = "Recall Serial Range"
    _order = "recall_id, sequence, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    recall_id = fields.Many2one("storq.recall", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="recall_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        help="Only units of this product; empty: units of any product with serials in the range.",
    )
    serial_from = fields.Char("First serial", required=True)
    serial_to = fields.Char("Last serial", required=True)
    size = fields.Char("Serials in range", compute="_compute_size", help="How many serials the range holds.")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("serial_from", "serial_to")
    def _compute_size(self):
        for rng in self:
            try:
                rng.size = str(segments_size(range_segments(rng.serial_from or "", rng.serial_to or "")))
            except (RangeError, SerialValidationError):
                rng.size = ""

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("serial_from", "serial_to")
    def _check_bounds(self):
        for rng in self:
            rng._storq_segments()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_segments(self):
        """The range's segments (prefix, suffix, width, first digits, last digits), or a
        ValidationError saying how to write the range."""
        self.ensure_one()
        try:
            return range_segments(self.serial_from or "", self.serial_to or "")
        except SerialValidationError as error:
            raise ValidationError(
                self.env._(
                    "The range %(first)s..%(last)s cannot be read: %(error)s",
                    first=self.serial_from or "",
                    last=self.serial_to or "",
                    error=str(error),
                )
            ) from error
        except RangeError as error:
            raise ValidationError(self._storq_range_message(error)) from error

    def _storq_range_message(self, error):
        first, last = self.serial_from, self.serial_to
        messages = {
            "no_digits": lambda: self.env._(
                "%(serial)s has no digits: a range counts on the serial's last run of digits. "
                "List such serials in the serial list instead.",
                serial=error.params["serial"],
            ),
            "different_prefix": lambda: self.env._(
                "The range %(first)s..%(last)s mixes two prefixes (%(a)s and %(b)s): write one "
                "range per prefix.",
                first=first,
                last=last,
                a=error.params["first"] or "-",
                b=error.params["last"] or "-",
            ),
            "different_suffix": lambda: self.env._(
                "The range %(first)s..%(last)s ends its serials differently (%(a)s and %(b)s): "
                "write one range per ending.",
                first=first,
                last=last,
                a=error.params["first"] or "-",
                b=error.params["last"] or "-",
            ),
            "reversed": lambda: self.env._(
                "The range %(first)s..%(last)s goes backwards: put the lower serial first.",
                first=first,
                last=last,
            ),
            "mixed_padding": lambda: self.env._(
                "The range %(first)s..%(last)s has bounds padded to different widths: write both "
                "with the same number of digits (SN-0099..SN-1000), or without leading zeros.",
                first=first,
                last=last,
            ),
        }
        return messages[error.code]()
