import base64
import binascii
from typing import NamedTuple

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..models.storq_serial_validation import MAX_LISTED_ERRORS
from ..models.storq_serial_validation import CheckedSerials
from ..models.storq_unit_rulebook import UnitMovement
from ..tools.errors import SerialValidationError
from ..tools.limits import MAX_BULK_SERIALS
from ..tools.limits import MAX_RAW_SERIAL_LENGTH
from ..tools.limits import shorten
from ..tools.serial_input import csv_first_column
from ..tools.serial_input import decode_csv
from ..tools.serial_input import split_pasted
from ..tools.serial_range import generate_serial_range

# Transfers that capture the serials of units arriving from a vendor: receipts, and dropships
# (Odoo's Dropship app, not a dependency: the vendor ships straight to the customer).
RECEIVING_CODES = ("incoming", "dropship")
# Receipt and dropship lines in these states take no serials from bulk entry.
NO_ENTRY_MOVE_STATES = ("draft", "done", "cancel")


class BulkEntryResult(NamedTuple):
    """The verdict of one entry: `status` is 'ok', 'error' or 'skipped'."""

    line_number: int
    raw: str
    serial: str
    status: str
    reason: str | bool
    warning: bool


class StorqSerialBulkEntry(models.TransientModel):
    """Enter many serials on a receipt or dropship line at once: paste, generate a range, or
    import a CSV.

    Every entry is checked (format, product codes, duplicates, already on the transfer, already
    in stock, blocked when going to a customer) before anything is applied, in a number of
    queries that does not grow with the number of serials. Applying takes all entries or none,
    unless the user explicitly keeps the good lines only.
    """

    _name = "storq.serial.bulk.entry"
    _inherit = "storq.serial.wizard.mixin"
    _description = "Bulk Serial Entry"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    picking_id = fields.Many2one(
        "stock.picking", "Transfer", required=True, check_company=True, help="The receipt or the dropship."
    )
    company_id = fields.Many2one(related="picking_id.company_id")
    move_id = fields.Many2one(
        "stock.move",
        "Product line",
        required=True,
        check_company=True,
        domain="[('picking_id', '=', picking_id), ('product_id.storq_serial_control', '=', True), "
        "('state', 'not in', ('draft', 'done', 'cancel'))]",
        help="The receipt or dropship line that receives the serials.",
    )
    product_id = fields.Many2one(related="move_id.product_id")
    mode = fields.Selection(
        [("paste", "Paste a list"), ("range", "Generate a range"), ("csv", "Import a CSV file")],
        required=True,
        default="paste",
    )
    serial_text = fields.Text(
        "Serials", help="One serial per line, or several separated by commas, tabs or semicolons."
    )
    first_serial = fields.Char(
        help="The first serial of the range. Its last number is counted up, keeping zero padding; "
        "with a check-digit format, the check digit of each serial is computed."
    )
    range_count = fields.Integer("Number of serials", default=1)
    csv_file = fields.Binary(
        "CSV file",
        attachment=False,
        help="The serial is read from the first column. The first row is skipped as a column "
        "header when its first cell is not a valid serial for the product (it breaks the "
        "product's format, or holds no digit, like 'Serial number' or 'IMEI'); the verdicts "
        "show it as skipped.",
    )
    csv_filename = fields.Char("CSV file name")
    state = fields.Selection([("draft", "To check"), ("checked", "Checked")], default="draft", required=True)
    line_ids = fields.One2many("storq.serial.bulk.entry.line", "entry_id", "Verdicts", readonly=True)
    good_count = fields.Integer("Good", compute="_compute_counts")
    error_count = fields.Integer("Refused", compute="_compute_counts")
    summary = fields.Char(compute="_compute_counts")
    apply_policy = fields.Selection(
        [
            ("all_or_nothing", "All or nothing: apply only if every line is good"),
            ("good_only", "Keep the good lines only: leave the refused lines out"),
        ],
        "When lines are refused",
        required=True,
        default="all_or_nothing",
    )

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        active_model, active_id = context.get("active_model"), context.get("active_id")
        move = self.env["stock.move"]
        if active_model == "stock.move" and active_id:
            move = move.browse(active_id)
            self._check_move(move)
        elif active_model == "stock.picking" and active_id:
            picking = self.env["stock.picking"].browse(active_id)
            move = picking.move_ids.filtered(self._is_eligible_move)[:1]
            if not move:
                raise UserError(
                    self.env._(
                        "%(transfer)s has no line to enter serials on: bulk entry needs a receipt or a "
                        "dropship that is marked as to do, with a product under serial control.",
                        transfer=picking.display_name,
                    )
                )
        if move:
            values["move_id"] = move.id
            values["picking_id"] = move.picking_id.id
            if "range_count" in fields_list:
                values["range_count"] = self._missing_serial_count(move)
        return values

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("state", "line_ids.status", "line_ids.has_warning")
    def _compute_counts(self):
        for entry in self:
            statuses = entry.line_ids.mapped("status")
            entry.good_count = statuses.count("ok")
            entry.error_count = statuses.count("error")
            parts = [
                self.env._(
                    "%(good)s good, %(refused)s refused",
                    good=entry.good_count,
                    refused=entry.error_count,
                )
            ]
            warned = len(entry.line_ids.filtered("has_warning"))
            if warned:
                parts.append(self.env._("%(count)s with a warning to look at", count=warned))
            if "skipped" in statuses:
                parts.append(self.env._("header row skipped"))
            entry.summary = ", ".join(parts) if entry.state == "checked" else False

    # ------------------------------------------------------------------
    # Onchange
    # ------------------------------------------------------------------
    @api.onchange("move_id", "mode", "serial_text", "first_serial", "range_count", "csv_file")
    def _onchange_input(self):
        """Verdicts belong to the input they were made for: a change asks for a new check."""
        self.line_ids = [Command.clear()]
        self.state = "draft"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_check(self):
        """Show the verdict of every entry; nothing is applied yet."""
        self.env["storq.serial.input"]._check_one(self)
        self._check_entries()
        return self._reopen()

    def action_apply(self):
        """Add one move line per good serial, after checking everything again."""
        self.env["storq.serial.input"]._check_one(self)
        results = self._check_entries()
        bad = [result for result in results if result.status == "error"]
        good = [result for result in results if result.status == "ok"]
        if bad and self.apply_policy != "good_only":
            raise UserError(
                self.env._(
                    "%(count)s of %(total)s serials are refused, so nothing was applied. Correct "
                    'them, or choose "Keep the good lines only":\n%(lines)s',
                    count=len(bad),
                    total=len(bad) + len(good),
                    lines=self._describe_results(bad),
                )
            )
        if not good:
            raise UserError(
                self.env._("No serial to apply: enter at least one serial that passes the checks.")
            )
        self._apply_serials([result.serial for result in good])
        if bad:
            message = self.env._(
                "%(count)s serials added to %(transfer)s; %(refused)s refused lines were left out.",
                count=len(good),
                transfer=self.picking_id.display_name,
                refused=len(bad),
            )
        else:
            message = self.env._(
                "%(count)s serials added to %(transfer)s.",
                count=len(good),
                transfer=self.picking_id.display_name,
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if bad else "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _is_eligible_move(self, move):
        return (
            move.product_id.storq_serial_control
            and move.picking_code in RECEIVING_CODES
            and move.state not in NO_ENTRY_MOVE_STATES
        )

    @api.model
    def _check_move(self, move):
        """Refuse a receipt or dropship line that cannot take serials from bulk entry."""
        if not move.product_id.storq_serial_control:
            raise UserError(
                self.env._(
                    "%(product)s is not under serial control: bulk serial entry is for products "
                    "whose every unit carries its own serial.",
                    product=move.product_id.display_name,
                )
            )
        if move.picking_code not in RECEIVING_CODES:
            raise UserError(
                self.env._(
                    "%(transfer)s is neither a receipt nor a dropship: bulk serial entry registers "
                    "the serials of units arriving from a vendor.",
                    transfer=move.picking_id.display_name or move.display_name,
                )
            )
        if move.state in NO_ENTRY_MOVE_STATES:
            raise UserError(
                self.env._(
                    "%(transfer)s is %(state)s: serials are entered on receipts and dropships marked "
                    "as to do, not yet validated.",
                    transfer=move.picking_id.display_name,
                    state=dict(move._fields["state"]._description_selection(self.env)).get(move.state),
                )
            )
        picking_type = move.picking_type_id
        if not (picking_type.use_create_lots or picking_type.use_existing_lots):
            raise UserError(
                self.env._(
                    'The operation type %(type)s takes no serial numbers: tick "Create New" in '
                    "its Traceability settings.",
                    type=picking_type.display_name,
                )
            )

    @api.model
    def _missing_serial_count(self, move):
        """Units of `move` that still have no serial (at least 1)."""
        with_serial = len(move.move_line_ids.filtered(lambda line: line.lot_id or line.lot_name))
        return max(int(move.product_qty) - with_serial, 1)

    def _storq_wizard_title(self):
        return self.env._("Bulk Serial Entry")

    def _check_entries(self):
        """Read the input, check every entry, store the verdicts as lines; return the results."""
        self.env["storq.serial.input"]._check_one(self)
        self._check_move(self.move_id)
        if self.move_id.picking_id != self.picking_id:
            raise UserError(
                self.env._("Choose a product line of %(transfer)s.", transfer=self.picking_id.display_name)
            )
        entries, header = self._read_entries()
        if not entries and not header:
            raise UserError(self._empty_input_message())
        results = self._check_serials(entries)
        if header:
            results.insert(0, header)
        self.line_ids.unlink()
        self.env["storq.serial.bulk.entry.line"].create(
            [self._prepare_line_vals(result) for result in results]
        )
        self.state = "checked"
        return results

    def _empty_input_message(self):
        if self.mode == "csv":
            return self.env._("The CSV file holds no serial: its first column is empty.")
        return self.env._("Enter the serials to check: paste them, one per line or separated by commas.")

    def _prepare_line_vals(self, result):
        return {
            "entry_id": self.id,
            "line_number": result.line_number,
            # a value too long to be a serial is refused: the list shows its start only
            "raw_input": result.raw if len(result.raw) <= MAX_RAW_SERIAL_LENGTH else shorten(result.raw),
            "serial": result.serial,
            "status": result.status,
            "reason": result.reason,
            "has_warning": result.warning,
        }

    def _describe_result(self, result):
        return self.env._(
            "Line %(line)s (%(input)s): %(reason)s",
            line=result.line_number,
            input=shorten((result.raw or "").strip()),
            reason=result.reason,
        )

    def _describe_results(self, results):
        """The first MAX_LISTED_ERRORS results, one a line, and how many more there are."""
        lines = [self._describe_result(result) for result in results[:MAX_LISTED_ERRORS]]
        if len(results) > MAX_LISTED_ERRORS:
            lines.append(
                self.env._("… and %(count)s more refused lines.", count=len(results) - MAX_LISTED_ERRORS)
            )
        return "\n".join(lines)

    # Reading the input ------------------------------------------------
    def _read_entries(self):
        """([(line number, raw serial)], skipped header result or None) for the chosen mode."""
        if self.mode == "range":
            return self._read_range(), None
        if self.mode == "csv":
            return self._read_csv()
        return self._read_paste(), None

    def _read_paste(self):
        try:
            return split_pasted(self.serial_text or "")
        except SerialValidationError as error:
            raise self.env["storq.serial.input"]._input_error(error) from None

    def _read_range(self):
        validation = self.env["storq.serial.validation"]
        first = (self.first_serial or "").strip()
        if not first:
            raise UserError(self.env._("Enter the first serial of the range."))
        if not 1 <= self.range_count <= MAX_BULK_SERIALS:
            raise UserError(
                self.env._(
                    "Enter how many serials to generate: between 1 and %(max)s.",
                    max=MAX_BULK_SERIALS,
                )
            )
        rule, label = validation._get_rule(self.product_id)
        try:
            serials = generate_serial_range(first, self.range_count, rule)
        except SerialValidationError as error:
            raise UserError(
                self.env._(
                    "No range can start at %(first)s: %(reason)s",
                    first=shorten(first),
                    reason=validation._error_message(error, serial=shorten(first), rule_name=label),
                )
            ) from None
        return list(enumerate(serials, start=1))

    def _read_csv(self):
        """Entries from the first column; the first row is skipped when it is a column header."""
        if not self.csv_file:
            raise UserError(self.env._("Choose the CSV file to import."))
        checks = self.env["storq.serial.input"]
        checks._check_bulk_size(len(self.csv_file) * 3 // 4)  # before decoding it
        try:
            content = base64.b64decode(self.csv_file, validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("The file could not be read: upload it again.")) from None
        try:
            entries = csv_first_column(decode_csv(content))
        except SerialValidationError as error:
            if error.code in ("too_large", "too_many"):
                raise checks._input_error(error) from None
            raise UserError(
                self.env._(
                    "The CSV file could not be read at line %(line)s (%(error)s): save it again as "
                    "CSV and retry.",
                    line=error.params.get("line"),
                    error=error.params.get("reason"),
                )
            ) from None
        header = None
        if entries:
            reason = self._csv_header_reason(entries[0][1])
            if reason:
                line_number, cell = entries.pop(0)
                header = BulkEntryResult(line_number, cell, shorten(cell.strip()), "skipped", reason, False)
        return entries, header

    def _csv_header_reason(self, cell):
        """Why the first row's first cell reads as a column header, or False when it is a serial."""
        validation = self.env["storq.serial.validation"]
        rule, label = validation._get_rule(self.product_id)
        try:
            rule.validate(cell)
        except SerialValidationError as error:
            return self.env._(
                "Read as the column header and skipped, as it is not a valid serial: %(reason)s "
                "If it is a serial, correct it in the file.",
                reason=validation._error_message(error, serial=shorten(cell.strip()), rule_name=label),
            )
        if not any(char.isdigit() for char in cell):
            return self.env._(
                "Read as the column header and skipped, as it holds no digit. If it is a serial, "
                "paste the list instead."
            )
        return False

    # Checking ---------------------------------------------------------
    def _check_serials(self, entries):
        """One `BulkEntryResult` per (line number, raw) entry, in a constant number of queries."""
        validation = self.env["storq.serial.validation"]
        product, company = self.product_id, self.company_id
        verdicts = validation._check_serials(
            [(product, raw, company) for _number, raw in entries],
            check_existing=False,
            warn_similar=True,
        )
        accepted = [verdict.serial for verdict in verdicts if not verdict.error]
        on_picking = self._serials_on_picking(accepted)
        known_units = self._serials_of_known_units(accepted)
        first_line = {}  # serial: line number of its first accepted entry
        results = []
        for (number, raw), verdict in zip(entries, verdicts):
            serial, error = verdict.serial, verdict.error
            if error and serial in first_line:
                # The service numbers entries; the user knows the lines of the input.
                error = self._duplicate_message(serial, first_line[serial], number)
            elif not error:
                first_line[serial] = number
                error = on_picking.get(serial) or known_units.get(serial) or False
            results.append(
                BulkEntryResult(
                    number,
                    raw,
                    serial,
                    "error" if error else "ok",
                    error or verdict.warning or False,
                    bool(verdict.warning and not error),
                )
            )
        return results

    def _duplicate_message(self, serial, first, second):
        if first == second:
            return self.env._(
                "%(serial)s is entered twice on line %(line)s: each unit needs its own serial.",
                serial=serial,
                line=first,
            )
        return self.env._(
            "%(serial)s is entered twice (lines %(first)s and %(second)s): each unit needs its own serial.",
            serial=serial,
            first=first,
            second=second,
        )

    def _serials_on_picking(self, serials):
        """{serial: refusal} for serials already on a line of the same receipt (2 queries)."""
        if not serials:
            return {}
        domain = [
            ("picking_id", "=", self.picking_id.id),
            "|",
            ("lot_name", "in", serials),
            ("lot_id.name", "in", serials),
        ]
        if not self.company_id.storq_serial_unique_per_company:
            domain.append(("product_id", "=", self.product_id.id))
        lines = self.env["stock.move.line"].search_fetch(domain, ["lot_name", "lot_id", "product_id"])
        wanted = set(serials)
        refusals = {}
        for line in lines:
            for serial in {line.lot_name, line.lot_id.name} & wanted:
                refusals.setdefault(
                    serial,
                    self.env._(
                        "%(serial)s is already on %(transfer)s (%(product)s): each unit is received once.",
                        serial=serial,
                        transfer=self.picking_id.display_name,
                        product=line.product_id.display_name,
                    ),
                )
        return refusals

    def _serials_of_known_units(self, serials):
        """{serial: refusal} for serials of known units that cannot arrive (2-3 queries).

        The rulebook's verdicts (`storq.unit.rulebook`), as the scan and the validation say them:
        a unit in our stock already (whichever company holds a shared unit) cannot arrive again;
        going straight to a customer (a dropship), a blocked unit is refused too; a delivered,
        scrapped or written-off unit does not come from a vendor. A unit returned to its vendor
        may arrive again. The units are read as the system, only to say where they are.
        """
        if not serials:
            return {}
        product, move = self.product_id, self.move_id
        pairs = [(product, serial) for serial in serials]
        found = self.env["stock.lot"]._storq_find_units(pairs, self.company_id)
        units = self.env["stock.lot"].sudo().union(*(unit for unit, _other in found.values()))
        if not units:
            return {}
        movements = [
            UnitMovement(
                product=product,
                source=move.location_id,
                destination=move.location_dest_id,
                unit=unit,
                move=move,
            )
            for unit in units
        ]
        verdicts = self.env["storq.unit.rulebook"]._storq_verdicts(movements)
        return {unit.name: verdict for unit, verdict in zip(units, verdicts, strict=True) if verdict}

    # Applying ---------------------------------------------------------
    def _apply_serials(self, serials):
        """Replace the move's lines without serial by one line per serial, in one batch."""
        move = self.move_id
        move.move_line_ids.filtered(lambda line: not line.lot_id and not line.lot_name).unlink()
        vals_list = self._prepare_move_line_vals_list(serials)
        if move.picking_type_id.use_existing_lots:
            # As Odoo does for generated serials: link (or create) the units right away.
            move._create_lot_ids_from_move_line_vals(vals_list, self.product_id.id, self.company_id.id)
        # The serials were checked just now (`_check_entries`): the lines need not check them again.
        checked = CheckedSerials((self.product_id.id, move.company_id.id, serial) for serial in serials)
        return self.env["stock.move.line"].with_context(storq_checked_serials=checked).create(vals_list)

    def _prepare_move_line_vals_list(self, serials):
        """Values of the new move lines: one picked unit per serial.

        The putaway strategy is asked once for the whole batch (not once per unit as Odoo's
        serial generator does), so the number of queries does not grow with the serials.
        """
        move = self.move_id
        destination = move.location_dest_id._get_putaway_strategy(
            move.product_id, quantity=len(serials), packaging=move.product_packaging_id
        )
        base = dict(move._prepare_move_line_vals(quantity=1), location_dest_id=destination.id, picked=True)
        return [dict(base, lot_name=serial) for serial in serials]
