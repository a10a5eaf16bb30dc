import math

from odoo import api
from odoo import models
from odoo.exceptions import UserError

from ..tools.errors import SerialValidationError
from ..tools.limits import MAX_BULK_BYTES
from ..tools.limits import MAX_BULK_SERIALS
from ..tools.limits import MAX_RAW_SERIAL_LENGTH
from ..tools.limits import shorten
from ..tools.limits import text_size

# Lines a refusal lists before it counts the rest (as `_format_errors` does for serials).
MAX_LISTED_REFUSALS = 50
# A record id PostgreSQL can compare: a larger integer makes the query itself fail.
MAX_RECORD_ID = 2**31 - 1


class StorqSerialInput(models.AbstractModel):
    """The checks at the door of every public method the module adds: arguments of the wrong
    type or size are answered with a clear message before any work is done on them.

    Public methods (callable over RPC) call these first, in a line or two, so that a client
    sending None, a number, a list, a huge text or a NUL character gets a UserError saying
    what is expected, never a traceback.
    """

    _name = "storq.serial.input"
    _description = "Serial Input Checks"

    # ------------------------------------------------------------------
    # Arguments
    # ------------------------------------------------------------------
    @api.model
    def _check_one(self, records):
        """`records` is one record, as a method working on one transfer needs."""
        if len(records) != 1:
            raise UserError(
                self.env._(
                    "This works on one %(model)s at a time, not %(count)s: call it on one record.",
                    model=records._description,
                    count=len(records),
                )
            )
        return records

    @api.model
    def _check_text(self, value, argument, max_length=MAX_RAW_SERIAL_LENGTH):
        """`value` as text without NUL characters ('' for None/False), or a UserError when it
        is not text or longer than `max_length` characters."""
        if value is None or value is False:
            return ""
        if not isinstance(value, str):
            raise self._type_error(argument, value, self.env._("text"))
        if len(value) > max_length:
            raise UserError(
                self.env._(
                    "%(argument)s has %(length)s characters; at most %(max)s are taken. Check that "
                    "nothing else was pasted or scanned with it.",
                    argument=argument,
                    length=len(value),
                    max=max_length,
                )
            )
        return value.replace("\x00", "")

    @api.model
    def _check_bulk_text(self, value, argument):
        """`_check_text` for a pasted list: at most MAX_BULK_BYTES bytes."""
        if value is None or value is False:
            return ""
        if not isinstance(value, str):
            raise self._type_error(argument, value, self.env._("text"))
        self._check_bulk_size(text_size(value))
        return value.replace("\x00", "")

    @api.model
    def _check_id(self, value, argument, required=False):
        """A record id (int) or False, or a UserError."""
        if (value is None or value is False) and not required:
            return False
        if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_RECORD_ID:
            raise self._type_error(argument, value, self.env._("a record id"))
        return value

    @api.model
    def _check_flag(self, value, argument):
        """A yes/no option: a bool (None reads as False), or a UserError."""
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self._type_error(argument, value, self.env._("true or false"))
        return value

    @api.model
    def _check_count(self, value, argument, maximum=MAX_BULK_SERIALS):
        """A whole number from 0 to `maximum`, or a UserError."""
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._type_error(argument, value, self.env._("a whole number"))
        if not 0 <= value <= maximum:
            raise UserError(
                self.env._(
                    "%(argument)s is %(value)s: it must be between 0 and %(max)s. Split a larger "
                    "batch into several.",
                    argument=argument,
                    value=value,
                    max=maximum,
                )
            )
        return value

    @api.model
    def _check_number(self, value, argument):
        """A finite number, or a UserError."""
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise self._type_error(argument, value, self.env._("a number"))
        return value

    @api.model
    def _check_serial_list(self, serials, argument):
        """A list of serials: list or tuple of at most MAX_BULK_SERIALS items and MAX_BULK_BYTES
        bytes. Items that are not text are kept as they are: the checks refuse each of them as
        a serial. NUL characters are removed."""
        if not isinstance(serials, list | tuple):
            raise self._type_error(argument, serials, self.env._("a list of serial numbers"))
        self._check_bulk_count(len(serials))
        texts = [serial for serial in serials if isinstance(serial, str)]
        self._check_bulk_size(sum(map(len, texts)))
        self._check_bulk_size(sum(map(text_size, texts)))
        return [serial.replace("\x00", "") if isinstance(serial, str) else serial for serial in serials]

    @api.model
    def _type_error(self, argument, value, expected):
        return UserError(
            self.env._(
                "%(argument)s must be %(expected)s, not %(value)s.",
                argument=argument,
                expected=expected,
                value=shorten(repr(value)),
            )
        )

    @api.model
    def _check_generate_args(self, context, mode, first_lot, count, lot_text):
        """(first_lot, count, lot_text) of Odoo's Generate/Import Serials dialog
        (`stock.move.action_generate_lot_line_vals`), checked: what Odoo reads from `context`
        has its type, and the serials asked for stay within the bulk limits."""
        if not isinstance(context, dict) or not all(isinstance(key, str) for key in context):
            raise self._type_error("context", context, self.env._("a dictionary of default values"))
        if not isinstance(mode, str) or mode not in ("generate", "import"):
            raise self._type_error("mode", mode, "'generate' or 'import'")
        line_fields = self.env["stock.move.line"]._fields
        for key, value in context.items():
            field = line_fields.get(key[len("default_") :]) if key.startswith("default_") else None
            if field and field.type == "many2one":
                self._check_id(value, key)
        if not context.get("default_product_id"):
            return first_lot, count, lot_text  # Odoo says "No product found"
        tracking = context.get("default_tracking")
        if not isinstance(tracking, str) or tracking not in ("serial", "lot", "none"):
            raise self._type_error("default_tracking", tracking, "'serial', 'lot' or 'none'")
        self._check_id(context.get("default_location_dest_id"), "default_location_dest_id", required=True)
        if context.get("default_picking_type_id"):
            self._check_id(context.get("default_company_id"), "default_company_id", required=True)
        if mode == "import":
            lot_text = self._check_bulk_text(lot_text, "lot_text")
            self._check_bulk_count(sum(1 for line in lot_text.split("\n") if line))
        else:
            first_lot = self._check_text(first_lot, "first_lot")
        if mode == "import" or tracking != "lot":
            # Odoo makes a list of `count` quantities of 1 before reading the serials.
            return first_lot, self._check_count(count, "count"), lot_text
        # Generated lots: `count` is the quantity per lot, the quantity decides how many lots.
        count = self._check_number(count, "count")
        quantity = self._check_number(context.get("default_quantity"), "default_quantity")
        if count > 0:
            self._check_bulk_count(math.ceil(abs(quantity) / count))
        return first_lot, count, lot_text

    # ------------------------------------------------------------------
    # Lists of refusals
    # ------------------------------------------------------------------
    @api.model
    def _capped_lines(self, lines, separator="\n", limit=MAX_LISTED_REFUSALS, more=0):
        """The first `limit` lines of a refusal, and how many more there are: a message stays
        readable (and small) whatever the size of the batch refused. `more` counts refused
        items the caller did not even turn into lines."""
        lines = list(lines)
        shown = lines[:limit]
        rest = max(len(lines) - limit, 0) + more
        if rest:
            shown.append(self.env._("… and %(count)s more.", count=rest))
        return separator.join(shown)

    # ------------------------------------------------------------------
    # Bulk limits
    # ------------------------------------------------------------------
    @api.model
    def _check_bulk_count(self, count):
        if count > MAX_BULK_SERIALS:
            error = SerialValidationError("too_many", count=count, max_count=MAX_BULK_SERIALS)
            raise self._input_error(error)

    @api.model
    def _check_bulk_size(self, size):
        if size > MAX_BULK_BYTES:
            error = SerialValidationError("too_large", size=size, max_size=MAX_BULK_BYTES)
            raise self._input_error(error)

    @api.model
    def _input_error(self, error):
        """The UserError for a tools `SerialValidationError` about the size of a bulk input."""
        if error.code == "too_many":
            return UserError(
                self.env._(
                    "%(count)s serials at once is more than the %(max)s taken in one go: split the "
                    "list and enter it in several parts.",
                    count=error.params.get("count"),
                    max=error.params.get("max_count"),
                )
            )
        if error.code == "too_large":
            return UserError(
                self.env._(
                    "The input has %(size)s kB, more than the %(max)s kB taken in one go: split it "
                    "and enter it in several parts.",
                    size=math.ceil(error.params.get("size", 0) / 1024),
                    max=error.params.get("max_size", MAX_BULK_BYTES) // 1024,
                )
            )
        return UserError(self.env["storq.serial.validation"]._error_message(error))
