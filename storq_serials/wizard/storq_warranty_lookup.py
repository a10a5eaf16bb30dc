from markupsafe import Markup

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date
from odoo.tools.misc import format_datetime

from ..models.stock_lot_unit import UNIT_STATES

# Coverage verdicts of `stock.lot._storq_warranty_coverages` (w-coverage contract).
COVERAGES = [
    ("covered", "Covered"),
    ("expired", "Expired"),
    ("no_warranty", "No warranty"),
    ("not_sold", "Not sold by us"),
    ("other_customer", "Sold to another customer"),
]
# How many claims, returns and events the card shows: a bounded card keeps the lookup's query
# count constant whatever the unit's history.
CARD_LIMIT = 20
# What the lookup reads with the unit, in the query that finds it.
LOOKUP_UNIT_FIELDS = [
    "name",
    "product_id",
    "company_id",
    "storq_state",
    "storq_partner_id",
    "storq_sale_id",
    "storq_delivery_picking_id",
    "storq_delivered_date",
    "storq_supplier_id",
    "storq_purchase_id",
    "storq_receipt_picking_id",
    "storq_received_date",
    "storq_blocked",
    "storq_block_reason",
]


class StorqWarrantyLookup(models.TransientModel):
    """The warranty desk: scan or type a serial, see the unit's card, open a claim.

    Sales and support staff need no stock rights: the card is read in superuser mode, limited
    to the user's companies, and shows only what a claim needs. Opened from a customer or an
    order, the lookup offers only the units that customer holds or that order delivered.
    """

    _name = "storq.warranty.lookup"
    _description = "Warranty Lookup"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    serial = fields.Char(help="Scan the unit's barcode or type its serial number.")
    description = fields.Text(
        "Problem", help="What the customer reports. Given here, Open claim saves the claim at once."
    )
    customer_id = fields.Many2one(
        "res.partner", "For customer", readonly=True, help="Only the units this customer holds are offered."
    )
    order_id = fields.Many2one(
        "sale.order", "For order", readonly=True, help="Only the units delivered on this order are offered."
    )
    allowed_lot_ids = fields.Many2many("stock.lot", compute="_compute_allowed_lot_ids")
    lot_id = fields.Many2one(
        "stock.lot",
        "Unit",
        compute="_compute_lot_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', allowed_lot_ids)]",
    )
    message = fields.Char(compute="_compute_lot_id", store=True)
    product_id = fields.Many2one("product.product", compute="_compute_card")
    unit_state = fields.Selection(UNIT_STATES, "Unit status", compute="_compute_card")
    partner_id = fields.Many2one("res.partner", "Customer", compute="_compute_card")
    sale_id = fields.Many2one("sale.order", "Sale order", compute="_compute_card")
    received_date = fields.Date("Purchased (received) on", compute="_compute_card")
    purchase_ref = fields.Char("Purchase", compute="_compute_card")
    supplier_id = fields.Many2one("res.partner", compute="_compute_card")
    delivered_date = fields.Date("Delivered on", compute="_compute_card")
    coverage = fields.Selection(COVERAGES, compute="_compute_card")
    warranty_date_end = fields.Date("Warranty until", compute="_compute_card")
    days_left = fields.Integer("Days left", compute="_compute_card")
    blocked_reason = fields.Char("Blocked", compute="_compute_card")
    claim_count = fields.Integer("Claims", compute="_compute_card")
    open_claim_name = fields.Char("Open claim", compute="_compute_card")
    return_count = fields.Integer("Returns", compute="_compute_card")
    card_html = fields.Html("History", compute="_compute_card", sanitize=False)

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_id"):
            values.setdefault("customer_id", context["active_id"])
        if context.get("active_model") == "sale.order" and context.get("active_id"):
            values.setdefault("order_id", context["active_id"])
        return values

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("customer_id", "order_id", "serial")
    def _compute_allowed_lot_ids(self):
        """The customer's or order's units, or else the units carrying the serial typed."""
        for lookup in self:
            if lookup.customer_id or lookup.order_id:
                lookup.allowed_lot_ids = lookup._storq_allowed_units()
            else:
                serial = (lookup.serial or "").strip()
                lookup.allowed_lot_ids = lookup._storq_find_units(serial) if serial else False

    @api.depends("serial")
    def _compute_lot_id(self):
        for lookup in self:
            serial = (lookup.serial or "").strip()
            units = lookup._storq_find_units(serial) if serial else self.env["stock.lot"]
            lookup.lot_id = units[:1]
            lookup.message = lookup._storq_find_message(serial, units)

    @api.depends("lot_id")
    def _compute_card(self):
        for lookup in self:
            card = lookup._storq_card(lookup.lot_id)
            for name, value in card.items():
                lookup[name] = value

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_open_claim(self):
        """The claim for this unit and its customer: saved at once when the problem is given
        here, else the claim form filled with the unit and the customer, to complete and save."""
        self.env["storq.serial.input"]._check_one(self)
        unit = self.lot_id
        if not unit:
            serial = (self.serial or "").strip()
            raise UserError(
                self._storq_find_message(serial, self._storq_find_units(serial) if serial else unit)
            )
        partner = self.customer_id or self.partner_id
        description = (self.description or "").strip()
        if not description:
            return unit._storq_new_claim_action(partner)
        vals = {"lot_id": unit.id, "description": description}
        if partner:
            vals["partner_id"] = partner.id
        claim = self.env["storq.warranty.claim"].create(vals)
        return {
            "type": "ir.actions.act_window",
            "name": claim.name,
            "res_model": "storq.warranty.claim",
            "res_id": claim.id,
            "views": [(False, "form")],
            "target": "current",
        }

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_allowed_units(self):
        """The units this lookup may offer: the customer's or the order's, or any (empty)."""
        Lot = self.env["stock.lot"]
        if self.customer_id:
            return Lot.sudo().search(self.customer_id._storq_held_units_domain()).with_env(self.env)
        if self.order_id:
            unit_ids = self.order_id._storq_unit_ids_by_order().get(self.order_id.id, ())
            return Lot.browse(sorted(unit_ids))
        return Lot

    def _storq_find_units(self, serial):
        """The units carrying `serial` in the user's companies, held ones first (1 query).

        The serial is matched as typed and in capitals (formats mostly upper-case serials).
        """
        domain = [
            ("name", "in", list({serial, serial.upper()})),
            ("company_id", "in", self.env.companies.ids + [False]),
        ]
        if self.customer_id or self.order_id:
            domain.append(("id", "in", self._storq_allowed_units().ids))
        return (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(domain, LOOKUP_UNIT_FIELDS, order="storq_delivered_date desc, id desc", limit=10)
            .with_env(self.env)
        )

    def _storq_find_message(self, serial, units):
        if not serial:
            return self.env._("Scan or type a serial number.")
        if not units:
            if self.customer_id:
                return self.env._(
                    "%(customer)s holds no unit with serial %(serial)s: check the serial, or look it "
                    "up from the Warranty Lookup menu to see who holds it.",
                    customer=self.customer_id.display_name,
                    serial=serial,
                )
            return self.env._(
                "No unit with serial %(serial)s: check the serial (a unit is known once it was "
                "received or counted in stock).",
                serial=serial,
            )
        if len(units) > 1:
            return self.env._(
                "%(count)s units carry serial %(serial)s (%(products)s): choose the unit below.",
                count=len(units),
                serial=serial,
                products=", ".join(units.product_id.mapped("display_name")),
            )
        return False

    def _storq_card(self, unit):
        """The card's values for `unit`, in a constant number of queries."""
        empty = {
            "product_id": False,
            "unit_state": False,
            "partner_id": False,
            "sale_id": False,
            "received_date": False,
            "purchase_ref": False,
            "supplier_id": False,
            "delivered_date": False,
            "coverage": False,
            "warranty_date_end": False,
            "days_left": 0,
            "blocked_reason": False,
            "claim_count": 0,
            "open_claim_name": False,
            "return_count": 0,
            "card_html": False,
        }
        if not unit:
            return empty
        lot = unit.sudo()
        customer = self.customer_id or lot.storq_partner_id
        coverage = lot._storq_warranty_coverage(customer.commercial_partner_id or None, None)
        claims = (
            self.env["storq.warranty.claim"]
            .sudo()
            .search_fetch(
                [("lot_id", "=", lot.id)],
                ["name", "state", "coverage", "partner_id", "description", "create_date", "resolution"],
                order="id desc",
                limit=CARD_LIMIT,
            )
        )
        claim_count = self.env["storq.warranty.claim"].sudo().search_count([("lot_id", "=", lot.id)])
        open_claims = claims.filtered(lambda claim: claim.state not in ("rejected", "resolved", "closed"))
        returns = (
            self.env["storq.serial.return.record"]
            .sudo()
            .search_fetch(
                [("lot_id", "=", lot.id)],
                ["date", "partner_id", "reason_id", "disposition", "note"],
                limit=CARD_LIMIT,
            )
        )
        events = (
            self.env["storq.serial.event"]
            .sudo()
            .search_fetch(
                [("lot_id", "=", lot.id)],
                ["date", "event_type", "partner_id", "document_ref", "note", "user_id"],
                limit=CARD_LIMIT,
            )
        )
        return {
            **empty,
            "product_id": lot.product_id.id,
            "unit_state": lot.storq_state,
            "partner_id": lot.storq_partner_id.id,
            "sale_id": lot.storq_sale_id.id,
            "received_date": self._storq_local_day(lot.storq_received_date),
            "purchase_ref": lot.storq_purchase_id.name or lot.storq_receipt_picking_id.name or False,
            "supplier_id": lot.storq_supplier_id.id,
            "delivered_date": self._storq_local_day(lot.storq_delivered_date),
            "coverage": coverage["verdict"],
            "warranty_date_end": coverage["date_end"],
            "days_left": max(coverage["days_left"] or 0, 0),
            "blocked_reason": lot.storq_blocked and (lot.storq_block_reason or self.env._("Blocked")),
            "claim_count": claim_count,
            "open_claim_name": open_claims[:1].name or False,
            "return_count": len(returns),
            "card_html": self._storq_card_html(claims, returns, events),
        }

    def _storq_local_day(self, moment):
        """The day the user lives it: coverage counts from that day, not from the UTC one."""
        return moment and fields.Datetime.context_timestamp(self, moment).date()

    def _storq_card_html(self, claims, returns, events):
        """Three small tables: the unit's claims, returns and latest history (already fetched)."""

        def selection(record, name):
            return dict(record._fields[name]._description_selection(self.env)).get(record[name], "")

        def table(title, headers, rows, empty):
            head = Markup("").join(Markup("<th>%s</th>") % header for header in headers)
            body = Markup("").join(
                Markup("<tr>%s</tr>") % Markup("").join(Markup("<td>%s</td>") % (cell or "") for cell in row)
                for row in rows
            ) or Markup('<tr><td colspan="%s" class="text-muted">%s</td></tr>') % (len(headers), empty)
            return Markup(
                '<h5 class="mt-3">%s</h5><table class="table table-sm o_storq_card_table">'
                "<thead><tr>%s</tr></thead><tbody>%s</tbody></table>"
            ) % (title, head, body)

        # References are browsed one by one: read their names in one batch per model.
        documents = {}
        for event in events:
            if event.document_ref:
                documents.setdefault(event.document_ref._name, set()).add(event.document_ref.id)
        names = {}
        for model, ids in documents.items():
            for document in self.env[model].sudo().browse(sorted(ids)).exists():
                names[(model, document.id)] = document.display_name
        parts = [
            table(
                self.env._("Claims"),
                [
                    self.env._("Claim"),
                    self.env._("Date"),
                    self.env._("Customer"),
                    self.env._("Coverage"),
                    self.env._("Status"),
                    self.env._("Problem"),
                ],
                [
                    (
                        claim.name,
                        format_date(self.env, claim.create_date),
                        claim.partner_id.display_name,
                        selection(claim, "coverage"),
                        selection(claim, "state"),
                        (claim.description or "")[:120],  # escaped by the row's Markup
                    )
                    for claim in claims
                ],
                self.env._("No claim on this unit."),
            ),
            table(
                self.env._("Returns"),
                [
                    self.env._("Date"),
                    self.env._("Customer"),
                    self.env._("Reason"),
                    self.env._("Disposition"),
                    self.env._("Note"),
                ],
                [
                    (
                        format_datetime(self.env, record.date),
                        record.partner_id.display_name,
                        record.reason_id.display_name,
                        selection(record, "disposition"),
                        record.note,
                    )
                    for record in returns
                ],
                self.env._("Never returned."),
            ),
            table(
                self.env._("History"),
                [
                    self.env._("Date"),
                    self.env._("Event"),
                    self.env._("Customer"),
                    self.env._("Document"),
                    self.env._("Note"),
                ],
                [
                    (
                        format_datetime(self.env, event.date),
                        selection(event, "event_type"),
                        event.partner_id.display_name,
                        event.document_ref and names.get((event.document_ref._name, event.document_ref.id)),
                        event.note,
                    )
                    for event in events
                ],
                self.env._("No history."),
            ),
        ]
        return Markup("").join(parts)
