from collections import defaultdict

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from ..models.storq_serial_return_record import DISPOSITIONS
from ..tools.errors import SerialValidationError
from ..tools.format_rule import DEFAULT_RULE
from ..tools.serial_input import split_pasted

# Transfers a return starts from: deliveries, and dropships (Odoo's Dropship app, optional:
# the vendor ships the units straight to our customer).
DELIVERY_TYPES = ("outgoing", "dropship")


class StorqSerialReturn(models.TransientModel):
    """Take units back from a customer: scan the serials, check each is the unit sold, route it.

    Started from a customer, a sale order or a done delivery (or dropship: the units went from
    the vendor straight to the customer, who sends them back to us). "Check" gives every serial its
    verdict in a number of queries that does not grow with the serials, and records refused
    attempts on existing units as suspicious returns. "Apply" hands the accepted units to
    `storq.serial.return.record._return_units`, which receives them with Odoo's return transfers
    and routes each by its disposition: back to stock, to repair, scrap or write-off.
    """

    _name = "storq.serial.return"
    _inherit = "storq.serial.wizard.mixin"
    _description = "Return Serial Numbers"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    partner_id = fields.Many2one("res.partner", "Customer", help="The customer returning the units.")
    sale_id = fields.Many2one("sale.order", "Sale order", check_company=True)
    picking_id = fields.Many2one(
        "stock.picking",
        "Delivery",
        check_company=True,
        domain="[('picking_type_code', 'in', ('outgoing', 'dropship'))]",
        help="The delivery, or the dropship of Odoo's Dropship app, that shipped the units.",
    )
    serial_text = fields.Text("Serials", help="One serial per line, as scanned or typed.")
    default_reason_id = fields.Many2one("storq.return.reason", "Reason")
    default_note = fields.Char("Note")
    default_disposition = fields.Selection(DISPOSITIONS, "Disposition", default="restock")
    state = fields.Selection([("draft", "To check"), ("checked", "Checked")], default="draft", required=True)
    line_ids = fields.One2many("storq.serial.return.line", "wizard_id", "Units")
    accepted_count = fields.Integer("Accepted", compute="_compute_counts")
    refused_count = fields.Integer("Refused", compute="_compute_counts")

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model, record_id = context.get("active_model"), context.get("active_id")
        if not record_id:
            return values
        if model == "res.partner":
            values["partner_id"] = record_id
        elif model == "sale.order":
            order = self.env["sale.order"].browse(record_id)
            values.update(sale_id=order.id, partner_id=order.partner_id.id, company_id=order.company_id.id)
        elif model == "stock.picking":
            picking = self.env["stock.picking"].browse(record_id)
            if picking.picking_type_code not in DELIVERY_TYPES or picking.state != "done":
                raise UserError(
                    self.env._(
                        "%(transfer)s is not a done delivery: returns start from a delivery (or "
                        "a dropship) that was shipped, its order or its customer.",
                        transfer=picking.display_name,
                    )
                )
            values.update(
                picking_id=picking.id,
                partner_id=self._delivered_customer(picking).id,
                sale_id=picking.sale_id.id,
                company_id=picking.company_id.id,
            )
        if "default_reason_id" in fields_list and not values.get("default_reason_id"):
            values["default_reason_id"] = self.env["storq.return.reason"].search([], limit=1).id
        return values

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("line_ids.status")
    def _compute_counts(self):
        for wizard in self:
            statuses = wizard.line_ids.mapped("status")
            wizard.accepted_count = statuses.count("ok")
            wizard.refused_count = statuses.count("error")

    # ------------------------------------------------------------------
    # Onchange
    # ------------------------------------------------------------------
    @api.onchange("serial_text", "partner_id", "sale_id", "picking_id")
    def _onchange_input(self):
        """Verdicts belong to the serials and customer they were made for."""
        self.line_ids = [Command.clear()]
        self.state = "draft"

    @api.onchange("default_reason_id", "default_note", "default_disposition")
    def _onchange_defaults(self):
        """The defaults apply to every accepted unit; a line can then be changed alone."""
        for line in self.line_ids.filtered(lambda line: line.status == "ok"):
            line.reason_id = self.default_reason_id
            line.note = self.default_note
            line.disposition = self.default_disposition

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_check(self):
        """Give each serial its verdict; refused attempts on known units are recorded."""
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        self._check_lines()
        return self._reopen()

    def action_apply(self):
        """Receive the accepted units back and route each one by its disposition."""
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        lines = self.line_ids.filtered(lambda line: line.status == "ok")
        if self.state != "checked" or not lines:
            raise UserError(self.env._("No unit to take back: check serials that are accepted first."))
        self._check_line_details(lines)
        # The units may have moved since the check: check them again, without logging twice.
        refusals = self.env["storq.unit.rulebook"]._storq_return_verdicts(
            [self._claim(line.lot_id) for line in lines]
        )
        changed = [(line, refusal) for line, refusal in zip(lines, refusals) if refusal]
        if changed:
            raise UserError(
                self.env._(
                    "Some units changed since they were checked; check again:\n%(lines)s",
                    lines=self.env["storq.serial.input"]._capped_lines(refusal for _line, refusal in changed),
                )
            )
        records = self.env["storq.serial.return.record"]._return_units(
            [self._prepare_return_unit_vals(line) for line in lines]
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Returned Units"),
            "res_model": "storq.serial.return.record",
            "view_mode": "list,form",
            "domain": [("id", "in", records.ids)],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _delivered_customer(self, picking):
        """The customer `picking` delivered its units to.

        A dropship's partner is the vendor: its customer is on its moves (the order's delivery
        address, which the unit record keeps), or the order's."""
        if picking.picking_type_code == "dropship":
            order = picking.sale_id
            return picking.move_ids.partner_id[:1] or order.partner_shipping_id or order.partner_id
        return picking.partner_id

    def _storq_wizard_title(self):
        return self.env._("Return Units")

    def _document(self):
        """What a return attempt refers to: the delivery, the order, or the customer."""
        return self.picking_id or self.sale_id or self.partner_id

    def _claim(self, lot):
        return (
            lot,
            self.partner_id if not self.sale_id else self.partner_id.browse(),
            self.sale_id,
            self.picking_id,
        )

    def _read_entries(self):
        try:
            entries = split_pasted(self.serial_text)
        except SerialValidationError as error:  # over the bulk limits
            raise self.env["storq.serial.input"]._input_error(error) from None
        return [(number, raw.strip()) for number, raw in entries]

    def _held_units_domain(self):
        """Units the customer, the order or the delivery holds: whose serials are expected."""
        if self.picking_id:
            return [("storq_delivery_picking_id", "=", self.picking_id.id)]
        if self.sale_id:
            return [("storq_sale_id", "=", self.sale_id.id)]
        return [("storq_partner_id", "=", self.partner_id.commercial_partner_id.id)]

    def _find_units(self, entries):
        """{entry index: unit} for the serials entered, and the products to normalise with.

        A serial is looked up as typed and as normalised by the format rule of each product
        the customer, order or delivery holds units of (3 queries).
        """
        Lot = self.env["stock.lot"]
        validation = self.env["storq.serial.validation"]
        products = self.env["product.product"].union(
            *(product for [product] in Lot._read_group(self._held_units_domain(), ["product_id"]))
        )
        candidates = []
        for _number, raw in entries:
            names = {raw, raw.upper()}
            names.update(validation._normalize(product, raw) for product in products)
            candidates.append(names)
        lots = Lot.search(
            [
                ("name", "in", list(set().union(*candidates))),
                ("product_id.storq_serial_control", "=", True),
                ("company_id", "in", [False, self.company_id.id]),
            ]
        )
        # A unit of another company is unknown here, whoever shares its product.
        companies = Lot._storq_unit_companies(lots)
        by_name = defaultdict(list)
        for lot in lots:
            if companies[lot.id] in (self.company_id, self.company_id.browse()):
                by_name[lot.name].append(lot)
        units = {}
        for index, names in enumerate(candidates):
            found = [lot for name in names for lot in by_name.get(name, ())]
            if found:
                held = [lot for lot in found if lot.product_id in products]
                units[index] = (held or found)[0]
        return units, products

    def _format_error(self, raw, products):
        """Why `raw` is a serial of none of `products` (or breaks the default rule), or False."""
        validation = self.env["storq.serial.validation"]
        rules = [validation._get_rule(product) for product in products] or [(DEFAULT_RULE, False)]
        errors = []
        for rule, label in rules:
            try:
                rule.validate(raw)
            except SerialValidationError as error:
                errors.append(validation._error_message(error, serial=raw, rule_name=label))
                continue
            return False
        return errors[0]

    def _check_lines(self):
        """Check every serial entered and store one verdict line each (constant in queries)."""
        self.ensure_one()
        if not (self.partner_id or self.sale_id or self.picking_id):
            raise UserError(
                self.env._("Choose the customer, the order or the delivery the units come back from.")
            )
        entries = self._read_entries()
        if not entries:
            raise UserError(self.env._("Scan or type the serials of the units sent back, one per line."))
        units, products = self._find_units(entries)
        found = [units[index] for index in sorted(units)]
        refusals = dict(
            zip(
                sorted(units),
                self.env["storq.unit.rulebook"]._storq_return_verdicts([self._claim(lot) for lot in found]),
                strict=True,
            )
        )
        seen = {}
        vals_list, suspicious = [], []
        Lot = self.env["stock.lot"]
        for index, (number, raw) in enumerate(entries):
            lot = units.get(index, Lot)
            vals = {
                "wizard_id": self.id,
                "line_number": number,
                "raw_input": raw,
                "serial": lot.name or raw,
                "lot_id": lot.id,
                "product_id": lot.product_id.id,
            }
            if not lot:
                error = self._format_error(raw, products) or self.env._(
                    "%(serial)s is not a known unit: no unit with this serial was ever registered. "
                    "Check the label: a unit that did not come from us cannot be returned.",
                    serial=raw,
                )
            elif lot in seen:
                error = self.env._(
                    "%(serial)s is entered twice (lines %(first)s and %(second)s).",
                    serial=lot.name,
                    first=seen[lot],
                    second=number,
                )
            else:
                seen[lot] = number
                error = refusals[index]
                if error:
                    suspicious.append(
                        Lot._storq_prepare_suspicious_return_vals(
                            lot, self.partner_id, error, document=self._document()
                        )
                    )
            if error:
                vals.update(status="error", verdict=error)
            else:
                vals.update(
                    status="ok",
                    reason_id=self.default_reason_id.id,
                    note=self.default_note,
                    disposition=self.default_disposition,
                )
            vals_list.append(vals)
        # Logged now, in this request: cancelling the return afterwards does not erase the attempt.
        Lot._storq_log_suspicious_returns(suspicious)
        self.line_ids.unlink()
        self.env["storq.serial.return.line"].create(vals_list)
        self.state = "checked"

    def _check_line_details(self, lines):
        missing = []
        for line in lines:
            if not line.reason_id or not line.disposition:
                missing.append(
                    self.env._("%(serial)s: choose a reason and a disposition.", serial=line.serial)
                )
            elif line.reason_id.note_required and not (line.note or "").strip():
                missing.append(
                    self.env._(
                        "%(serial)s: the reason %(reason)s needs a note.",
                        serial=line.serial,
                        reason=line.reason_id.name,
                    )
                )
        if missing:
            raise UserError(
                self.env._(
                    "Complete the return before applying it:\n%(lines)s",
                    lines=self.env["storq.serial.input"]._capped_lines(missing),
                )
            )

    def _prepare_return_unit_vals(self, line):
        """What `storq.serial.return.record._return_units` takes back for an accepted line.

        The customer, order and delivery are those on the unit record, which the check
        matched against the wizard's.
        """
        return {
            "lot_id": line.lot_id.id,
            "reason_id": line.reason_id.id,
            "disposition": line.disposition,
            "note": line.note,
            "company_id": self.company_id.id,
        }
