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


class StorqSerialReturn(models.TransientModel):
    """Take units back from a customer: scan the serials, check each is the unit sold, route it.

    Started from a customer, a sale order or a done delivery. "Check" gives every serial its
    verdict in a number of queries that does not grow with the serials, and records refused
    attempts on existing units as suspicious returns. "Apply" receives the accepted units with
    real return transfers and routes each by its disposition: back to stock, to repair, scrap
    or write-off.
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
        "stock.picking", "Delivery", check_company=True, domain="[('picking_type_code', '=', 'outgoing')]"
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
            if picking.picking_type_code != "outgoing" or picking.state != "done":
                raise UserError(
                    self.env._(
                        "%(transfer)s is not a done delivery: returns start from a delivery that "
                        "was shipped, its order or its customer.",
                        transfer=picking.display_name,
                    )
                )
            values.update(
                picking_id=picking.id,
                partner_id=picking.partner_id.id,
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
        self.ensure_one()
        self._check_lines()
        return self._reopen()

    def action_apply(self):
        """Receive the accepted units back and route each one by its disposition."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda line: line.status == "ok")
        if self.state != "checked" or not lines:
            raise UserError(self.env._("No unit to take back: check serials that are accepted first."))
        self._check_line_details(lines)
        # The units may have moved since the check: check them again, without logging twice.
        refusals = self.env["stock.lot"]._storq_return_refusals([self._claim(line.lot_id) for line in lines])
        changed = [(line, refusal) for line, refusal in zip(lines, refusals) if refusal]
        if changed:
            raise UserError(
                self.env._(
                    "Some units changed since they were checked; check again:\n%(lines)s",
                    lines="\n".join(refusal for _line, refusal in changed),
                )
            )
        records = self._apply_returns(lines)
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
        return [(number, raw.strip()) for number, raw in split_pasted(self.serial_text)]

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
                self.env["stock.lot"]._storq_return_refusals([self._claim(lot) for lot in found]),
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
                self.env._("Complete the return before applying it:\n%(lines)s", lines="\n".join(missing))
            )

    # Applying ---------------------------------------------------------
    def _apply_returns(self, lines):
        """Return pickings for the units, then their routing; one return record per unit."""
        notes = {line.lot_id.id: self._event_note(line) for line in lines}
        self_notes = self.with_context(storq_return_notes=notes)
        returns = self_notes._receive_units(lines)
        routed = self_notes._route_units(lines, returns)
        keep = lines.filtered(
            lambda line: line.disposition == "repair" and line.reason_id.keep_customer_on_repair
        )
        for customer, kept in self._group(keep, lambda line: returns[line][1]).items():
            kept.lot_id.sudo().write({"storq_partner_id": customer.id})
        # Return records are history: written by the return itself, never by hand.
        records = (
            self.env["storq.serial.return.record"]
            .sudo()
            .create([self._prepare_record_vals(line, returns[line], routed.get(line)) for line in lines])
        )
        return records.sudo(False)

    def _event_note(self, line):
        if line.note:
            return self.env._("%(reason)s: %(note)s", reason=line.reason_id.name, note=line.note)
        return line.reason_id.name

    @api.model
    def _group(self, records, key):
        groups = defaultdict(lambda: records.browse())
        for record in records:
            groups[key(record)] |= record
        return groups

    def _receive_units(self, lines):
        """Receive the units in one return transfer per delivery and customer; validate them.

        Returns {line: (return picking, customer)}.
        """
        lots = lines.lot_id
        delivery_lines = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", lots.ids),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "customer"),
                ("picking_id", "in", lots.storq_delivery_picking_id.ids),
            ],
            order="date, id",
        )
        delivery_move = {}
        for move_line in delivery_lines:
            if move_line.picking_id == move_line.lot_id.storq_delivery_picking_id:
                delivery_move[move_line.lot_id] = move_line.move_id
        result = {}
        groups = self._group(
            lines, lambda line: (line.lot_id.storq_delivery_picking_id, line.lot_id.storq_partner_id)
        )
        for (delivery, customer), group in groups.items():
            picking = self.env["stock.picking"].create(self._prepare_return_picking_vals(delivery, customer))
            by_move = self._group(group, lambda line: (line.product_id, delivery_move.get(line.lot_id)))
            moves = self.env["stock.move"].create(
                [
                    self._prepare_return_move_vals(picking, product, origin, units.lot_id, delivery)
                    for (product, origin), units in by_move.items()
                ]
            )
            picking.action_confirm()
            for move, units in zip(moves, by_move.values()):
                self._set_unit_lines(move, units.lot_id)
            self._validate(picking)
            for line in group:
                result[line] = (picking, customer)
        return result

    def _prepare_return_picking_vals(self, delivery, customer):
        warehouse = delivery.picking_type_id.warehouse_id or self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_id.id)], limit=1
        )
        picking_type = delivery.picking_type_id.return_picking_type_id or warehouse.in_type_id
        destination = picking_type.default_location_dest_id
        if destination.usage != "internal":
            destination = warehouse.lot_stock_id
        source = delivery.location_dest_id if delivery.location_dest_id.usage == "customer" else False
        source = source or customer.property_stock_customer
        return {
            "picking_type_id": picking_type.id,
            "partner_id": customer.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "origin": self.env._(
                "Return of %(document)s", document=(delivery or self.sale_id or customer).display_name
            ),
            "return_id": delivery.id,
            "company_id": self.company_id.id,
        }

    def _prepare_return_move_vals(self, picking, product, origin, lots, delivery):
        sale_line = origin.sale_line_id or lots[:1].storq_sale_line_id
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom_qty": len(lots),
            "product_uom": product.uom_id.id,
            "picking_id": picking.id,
            "picking_type_id": picking.picking_type_id.id,
            "location_id": picking.location_id.id,
            "location_dest_id": picking.location_dest_id.id,
            "partner_id": picking.partner_id.id,
            "origin_returned_move_id": origin.id,
            "sale_line_id": sale_line.id,
            "to_refund": True,
            "procure_method": "make_to_stock",
            # The delivery's procurement group links the return to the order, as Odoo's return does.
            "group_id": (origin.group_id or delivery.group_id).id,
            "warehouse_id": picking.picking_type_id.warehouse_id.id,
            "company_id": picking.company_id.id,
        }

    def _set_unit_lines(self, move, lots, location=None):
        """One picked line of one unit per lot on `move`, from `location` (default the move's)."""
        move.move_line_ids.unlink()
        return self.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": move.picking_id.id,
                    "product_id": move.product_id.id,
                    "product_uom_id": move.product_id.uom_id.id,
                    "lot_id": lot.id,
                    "quantity": 1,
                    "location_id": (location or move.location_id).id,
                    "location_dest_id": move.location_dest_id.id,
                    "picked": True,
                }
                for lot in lots
            ]
        )

    def _validate(self, picking):
        result = picking.with_context(
            skip_backorder=True, cancel_backorder=True, skip_sms=True
        ).button_validate()
        if result is not True or picking.state != "done":
            raise UserError(
                self.env._(
                    "%(transfer)s could not be validated: open it to see why.", transfer=picking.display_name
                )
            )

    def _route_units(self, lines, returns):
        """Take each received unit where its disposition says; {line: the document that did it}."""
        routed = {}
        by_disposition = self._group(lines, lambda line: line.disposition)
        if by_disposition.get("repair"):
            routed.update(self._route_to_repair(by_disposition["repair"], returns))
        if by_disposition.get("scrap"):
            routed.update(self._route_to_scrap(by_disposition["scrap"], returns))
        if by_disposition.get("write_off"):
            routed.update(self._route_to_loss(by_disposition["write_off"], returns))
        return routed

    def _route_to_repair(self, lines, returns):
        location = self.company_id._storq_get_repair_location()
        if not location:
            raise UserError(
                self.env._(
                    "%(company)s has no repair location: set one in the Inventory settings.",
                    company=self.company_id.name,
                )
            )
        routed = {}
        for source, group in self._group(lines, lambda line: returns[line][0].location_dest_id).items():
            warehouse = source.warehouse_id or self.env["stock.warehouse"].search(
                [("company_id", "=", self.company_id.id)], limit=1
            )
            picking = self.env["stock.picking"].create(
                {
                    "picking_type_id": warehouse.int_type_id.id,
                    "location_id": source.id,
                    "location_dest_id": location.id,
                    "origin": ", ".join(sorted({returns[line][0].name for line in group})),
                    "company_id": self.company_id.id,
                }
            )
            by_product = self._group(group, lambda line: line.product_id)
            moves = self.env["stock.move"].create(
                [
                    self._prepare_routing_move_vals(product, units, source, location, picking)
                    for product, units in by_product.items()
                ]
            )
            picking.action_confirm()
            for move, units in zip(moves, by_product.values()):
                self._set_unit_lines(move, units.lot_id)
            self._validate(picking)
            for line in group:
                routed[line] = picking
        if "repair.order" in self.env:
            repairs = self._create_repair_orders(lines, returns, location)
            routed.update(repairs)
        return routed

    def _create_repair_orders(self, lines, returns, location):
        """One draft repair order per unit, when the Repair app is installed."""
        Repair = self.env["repair.order"]
        vals_list = []
        for line in lines:
            vals = {
                "product_id": line.product_id.id,
                "lot_id": line.lot_id.id,
                "partner_id": returns[line][1].id,
                "company_id": self.company_id.id,
                "internal_notes": self._event_note(line),
            }
            if "product_location_src_id" in Repair._fields:
                vals.update(product_location_src_id=location.id, product_location_dest_id=location.id)
            if "under_warranty" in Repair._fields:
                vals["under_warranty"] = line.reason_id.keep_customer_on_repair
            vals_list.append(vals)
        repairs = Repair.create(vals_list)
        return dict(zip(lines, repairs, strict=True))

    def _route_to_scrap(self, lines, returns):
        scraps = self.env["stock.scrap"].create(
            [
                {
                    "product_id": line.product_id.id,
                    "lot_id": line.lot_id.id,
                    "scrap_qty": 1,
                    "product_uom_id": line.product_id.uom_id.id,
                    "location_id": returns[line][0].location_dest_id.id,
                    "origin": returns[line][0].name,
                    "company_id": self.company_id.id,
                }
                for line in lines
            ]
        )
        scraps.do_scrap()
        return dict(zip(lines, scraps, strict=True))

    def _route_to_loss(self, lines, returns):
        routed = {}
        groups = self._group(lines, lambda line: (line.product_id, returns[line][0].location_dest_id))
        for (product, source), group in groups.items():
            loss = product.with_company(self.company_id).property_stock_inventory
            move = self.env["stock.move"].create(
                dict(
                    self._prepare_routing_move_vals(product, group, source, loss),
                    name=self.env._("Returned unit written off: %(product)s", product=product.display_name),
                    origin=returns[group[0]][0].name,
                )
            )
            move._action_confirm()
            self._set_unit_lines(move, group.lot_id)
            move._action_done()
            for line in group:
                routed[line] = move
        return routed

    def _prepare_routing_move_vals(self, product, lines, source, destination, picking=None):
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom_qty": len(lines),
            "product_uom": product.uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "picking_id": picking.id if picking else False,
            "picking_type_id": picking.picking_type_id.id if picking else False,
            "company_id": self.company_id.id,
        }

    def _prepare_record_vals(self, line, received, routed):
        picking, customer = received
        lot = line.lot_id
        return {
            "lot_id": lot.id,
            "product_id": line.product_id.id,
            "partner_id": customer.id,
            "sale_id": lot.storq_sale_id.id,
            "delivery_picking_id": lot.storq_delivery_picking_id.id,
            "delivered_date": lot.storq_delivered_date,
            "supplier_id": lot.storq_supplier_id.id,
            "reason_id": line.reason_id.id,
            "note": line.note,
            "disposition": line.disposition,
            "return_picking_id": picking.id,
            "disposition_ref": f"{routed._name},{routed.id}" if routed else False,
            "user_id": self.env.uid,
            "company_id": self.company_id.id,
        }
