import contextlib
from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools.misc import format_date
from odoo.tools.misc import split_every

UNIT_STATES = [
    ("in_stock", "In stock"),
    ("delivered", "Delivered"),
    ("in_repair", "In repair"),
    ("returned_to_vendor", "Returned to vendor"),
    ("scrapped", "Scrapped"),
    ("written_off", "Written off"),
    ("missing", "Missing"),
]

# How many units `_storq_rebuild_unit_records` replays at once.
REBUILD_BATCH = 1000
# What `_storq_find_unit` reads with the unit, so its situation costs no further unit query.
UNIT_FIELDS = [
    "name",
    "product_id",
    "company_id",
    "storq_state",
    "storq_location_id",
    "storq_partner_id",
    "storq_delivered_date",
    "storq_blocked",
    "storq_block_reason",
]
# The unit record: written only by the module's own server code (done moves, returns, blocks,
# the correction wizards), always in superuser mode, which no client can reach. Users, imports
# and integrations of any group are refused; a manager corrects it with `storq.unit.correct`.
RECORD_FIELDS = frozenset(
    {
        "storq_supplier_id",
        "storq_purchase_id",
        "storq_receipt_picking_id",
        "storq_received_date",
        "storq_state",
        "storq_location_id",
        "storq_partner_id",
        "storq_sale_line_id",
        "storq_sale_id",
        "storq_delivery_picking_id",
        "storq_delivered_date",
        "storq_blocked",
        "storq_block_reason",
        "storq_warranty_date_start",
        "storq_warranty_date_end",
        "storq_warranty_state",
        "storq_supplier_warranty_date_end",
        "storq_serial_prefix",
        "storq_serial_digits",
        "storq_serial_width",
        "storq_serial_suffix",
    }
)
# Also closed to clients: the history (append-only) and the stored serial control flag, whose
# value decides which guards and which unique index apply to the unit.
GUARDED_FIELDS = RECORD_FIELDS | {"storq_event_ids", "storq_serial_control"}
STOCK_USAGES = ("internal", "transit")
# How many serials a refused deletion names before counting the rest.
DELETE_REFUSAL_SHOWN = 20


class StockLot(models.Model):
    """The unit record: where a serial-controlled unit is, who has it, where it came from.

    Stored and kept up to date as moves are done (`_storq_record_moves`), never recomputed
    by walking the whole history.
    """

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_supplier_id = fields.Many2one(
        "res.partner", "Supplier", index="btree_not_null", readonly=True, copy=False
    )
    storq_purchase_id = fields.Many2one(
        "purchase.order", "Purchase order", index="btree_not_null", readonly=True, copy=False
    )
    storq_receipt_picking_id = fields.Many2one("stock.picking", "First receipt", readonly=True, copy=False)
    storq_received_date = fields.Datetime("Received on", index=True, readonly=True, copy=False)
    storq_state = fields.Selection(UNIT_STATES, "Unit status", index=True, readonly=True, copy=False)
    storq_location_id = fields.Many2one(
        "stock.location",
        "Current location",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="Where the unit is while it is in stock.",
    )
    storq_partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The customer who holds the delivered unit.",
    )
    storq_sale_line_id = fields.Many2one(
        "sale.order.line", "Sale order line", index="btree_not_null", readonly=True, copy=False
    )
    storq_sale_id = fields.Many2one(
        "sale.order",
        "Sale order",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The order the unit was last delivered on.",
    )
    storq_delivery_picking_id = fields.Many2one("stock.picking", "Delivery", readonly=True, copy=False)
    storq_delivered_date = fields.Datetime("Delivered on", index=True, readonly=True, copy=False)
    storq_blocked = fields.Boolean(
        "Blocked",
        index=True,
        readonly=True,
        copy=False,
        help="A blocked unit cannot be shipped (a recall, a quarantine).",
    )
    storq_block_reason = fields.Char("Why blocked", readonly=True, copy=False)
    storq_event_ids = fields.One2many("storq.serial.event", "lot_id", "History")
    storq_event_count = fields.Integer("Events", compute="_compute_storq_event_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_storq_event_count(self):
        counts = dict(
            self.env["storq.serial.event"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.storq_event_count = counts.get(lot, 0)

    # ------------------------------------------------------------------
    # CRUD (create and write are overridden once, in stock_lot.py, which calls these checks)
    # ------------------------------------------------------------------
    def web_read(self, specification):
        """A unit opened in its form reads its record, its page of history and, for each, the
        names of the records they point to. Odoo reads each many2one field on its own (a query
        per field: the delivery and the receipt are two reads of stock.picking) and the events
        with two queries; they are read beforehand here, one query per model."""
        events_spec = specification.get("storq_event_ids")
        if events_spec and events_spec.get("fields") and len(self) == 1:
            self._storq_prefetch_form(specification)
        return super().web_read(specification)

    @api.model
    def _storq_check_record_create(self, vals_list):
        """Refuse units created with a unit record by anyone but the module (superuser mode)."""
        if not self.env.su:
            forged = {name for vals in vals_list for name in GUARDED_FIELDS if vals.get(name)}
            self._storq_refuse_record_write(forged)
        # Context defaults come from the client as sent: refused in any mode. (Odoo's `sudo()`
        # drops them, but a flow may hand its context on explicitly.)
        self._storq_refuse_record_write(
            {name for name in GUARDED_FIELDS if self.env.context.get(f"default_{name}")}
        )

    def _storq_check_record_write(self, vals):
        """Refuse writes to the unit record by anyone but the module (superuser mode)."""
        if not self.env.su:
            self._storq_refuse_record_write(GUARDED_FIELDS & set(vals))

    @api.ondelete(at_uninstall=False)
    def _unlink_except_unit_history(self):
        """A unit that has lived keeps its history and its return records: it is never deleted.

        Units with events or done moves are refused (2 queries for the batch); a unit created
        by mistake and never used can still be deleted.
        """
        if not self:
            return
        lots = self.sudo()
        used = {
            lot.id
            for [lot] in self.env["storq.serial.event"]
            .sudo()
            ._read_group([("lot_id", "in", lots.ids)], ["lot_id"])
        }
        used.update(
            lot.id
            for [lot] in self.env["stock.move.line"]
            .sudo()
            ._read_group([("lot_id", "in", lots.ids), ("state", "=", "done")], ["lot_id"])
        )
        if used:
            serials = lots.browse(sorted(used)).mapped("name")
            shown = ", ".join(serials[:DELETE_REFUSAL_SHOWN])
            if len(serials) > DELETE_REFUSAL_SHOWN:
                shown = self.env._(
                    "%(serials)s and %(count)s more",
                    serials=shown,
                    count=len(serials) - DELETE_REFUSAL_SHOWN,
                )
            raise UserError(
                self.env._(
                    "%(serials)s cannot be deleted: these units have a history (moves, returns, "
                    "events) that traceability keeps. Correct a wrong record or serial with the "
                    "unit's Correct Record or Correct Serial buttons instead.",
                    serials=shown,
                )
            )

    def _storq_refuse_record_write(self, names):
        if not names:
            return
        labels = sorted(self._fields[name]._description_string(self.env) for name in names)
        # Blocking has its own action; the rest of the record is corrected with a reason.
        if names <= {"storq_blocked", "storq_block_reason"}:
            raise AccessError(
                self.env._(
                    "Units are blocked and unblocked with the Block Units and Unblock Units "
                    "actions, by serial managers only (recalls, quarantine)."
                )
            )
        raise AccessError(
            self.env._(
                "The unit record (%(fields)s) is kept by the stock moves and cannot be written "
                "directly, nor imported. A serial manager corrects it with the Correct Record "
                "button of the unit, giving the reason.",
                fields=", ".join(labels),
            )
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def _storq_units_action(self, name, unit_ids):
        """The list of `unit_ids` as customers' units are shown (sale orders, customers).

        Serial users open a unit in its full form (with its history); sales users without
        stock rights in the unit card.
        """
        form = (
            False
            if self.env.user.has_group("storq_serials.group_storq_user")
            else self.env.ref("storq_serials.stock_lot_view_form_customer_unit").id
        )
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "stock.lot",
            "views": [
                (self.env.ref("storq_serials.stock_lot_view_list_customer_units").id, "list"),
                (form, "form"),
            ],
            "domain": [("id", "in", list(unit_ids))],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Business methods: the unit form
    # ------------------------------------------------------------------
    def _storq_prefetch_form(self, specification):
        """Fill the cache with what `web_read(specification)` of this unit's form reads: its
        stored fields, its events with their page's fields (one query for both), then the
        records their many2one fields name, grouped by model (users first: their names are
        their partners'). Records the user may not read are left to Odoo's own reads."""
        self.ensure_one()
        self._storq_prefetch_names(self._name, self._ids)
        events_spec = specification["storq_event_ids"]
        Event = self.env["storq.serial.event"]
        event_fields = [
            name for name, field in Event._fields.items() if field.prefetch is True and field.column_type
        ]
        events = Event.search_fetch([("lot_id", "=", self.id)], event_fields)
        self.env.cache.insert_missing(self, self._fields["storq_event_ids"], [events._ids])
        page = events[: events_spec.get("limit") or len(events)]
        targets = defaultdict(set)
        if "document_ref" in events_spec["fields"]:
            # Events show the name stored with them; those written before it read their documents.
            for event in page.filtered(lambda event: not event.document_name):
                document = event.document_ref
                if document:  # None: a document of a model no longer installed
                    targets[document._name].add(document.id)
        for records, spec in ((self, specification), (page, events_spec["fields"])):
            for name, field_spec in spec.items():
                field = records._fields.get(name)
                if (
                    field is None
                    or field.type != "many2one"
                    or "display_name" not in field_spec.get("fields", ())
                ):
                    continue
                targets[field.comodel_name].update(records.mapped(name)._ids)
        if targets.get("res.users"):
            users = self._storq_prefetch_names("res.users", targets.pop("res.users"))
            targets["res.partner"].update(users.mapped("partner_id")._ids)
        for model_name, ids in targets.items():
            self._storq_prefetch_names(model_name, ids)

    def _storq_prefetch_names(self, model_name, ids):
        """Read `ids` of `model_name` into the cache in one query, with the fields Odoo reads
        on a first access (its prefetched columns: what their display names and the record rules
        read); nothing when the user may not read them all."""
        records = self.env[model_name].browse(ids)
        names = [
            name for name, field in records._fields.items() if field.prefetch is True and field.column_type
        ]
        with contextlib.suppress(AccessError):
            records.fetch(names)
        return records

    @api.model
    def _storq_find_unit(self, product, serial, company):
        """(the unit `serial` of `product`, a unit of another product with that serial), in 1 query.

        Either may be empty. The unit comes with its record (state, location, customer, block)
        so that `_storq_situation` and `_storq_leave_refusal` need no further unit query.
        """
        return self._storq_find_units([(product, serial)], company)[(product, serial)]

    @api.model
    def _storq_find_units(self, pairs, company):
        """{(product, serial): (its unit, a unit of another product with that serial)} for the
        (product, serial) `pairs`, in 1 query whatever their number (`_storq_find_unit` in batch).
        """
        pairs = list(pairs)
        lots = self.sudo().search_fetch(
            [
                ("name", "in", list({serial for _product, serial in pairs})),
                ("company_id", "in", [False, company.id]),
            ],
            UNIT_FIELDS,
        )
        by_name = defaultdict(lambda: self.sudo().browse())
        for lot in lots:
            by_name[lot.name] |= lot
        result = {}
        for product, serial in pairs:
            named = by_name[serial]
            unit = named.filtered(lambda lot, product=product: lot.product_id == product)[:1]
            result[(product, serial)] = (unit.with_env(self.env), (named - unit)[:1].with_env(self.env))
        return result

    def _storq_stock_locations(self):
        """{unit: the locations where it is in stock}, from the unit record.

        Units without a record (products not under serial control, units never moved since)
        are looked up in their quants, all in one query.
        """
        result = {}
        without_record = self.browse()
        for lot in self:
            if lot.storq_state:
                in_stock = lot.storq_state == "in_stock"
                result[lot] = lot.storq_location_id if in_stock else lot.storq_location_id.browse()
            else:
                without_record |= lot
        if without_record:
            groups = (
                self.env["stock.quant"]
                .sudo()
                ._read_group(
                    [
                        ("lot_id", "in", without_record.ids),
                        ("location_id.usage", "in", STOCK_USAGES),
                        ("quantity", ">", 0),
                    ],
                    ["lot_id"],
                    ["location_id:recordset"],
                )
            )
            found = {lot: locations for lot, locations in groups}
            for lot in without_record:
                result[lot] = found.get(lot, self.env["stock.location"]).with_env(self.env)
        return result

    def _storq_situation(self, stock_locations=None):
        """Where the unit is, as a sentence for a refusal: "SN-0042 is at WH/Stock/Shelf 3"."""
        self.ensure_one()
        if stock_locations is None:
            stock_locations = self._storq_stock_locations()[self]
        serial = self.name
        state = self.storq_state
        if stock_locations:
            return self.env._(
                "%(serial)s is at %(location)s",
                serial=serial,
                location=", ".join(stock_locations.mapped("display_name")),
            )
        if state == "delivered":
            when = self.storq_delivered_date
            return self.env._(
                "%(serial)s was delivered to %(customer)s on %(date)s",
                serial=serial,
                customer=self.storq_partner_id.display_name or "-",
                date=format_date(self.env, fields.Datetime.context_timestamp(self, when)) if when else "-",
            )
        messages = {
            "in_repair": lambda: self.env._("%(serial)s is in repair", serial=serial),
            "returned_to_vendor": lambda: self.env._("%(serial)s was returned to the vendor", serial=serial),
            "scrapped": lambda: self.env._("%(serial)s was scrapped", serial=serial),
            "written_off": lambda: self.env._("%(serial)s was written off", serial=serial),
            "missing": lambda: self.env._("%(serial)s is missing since an audit", serial=serial),
        }
        build = messages.get(state)
        return build() if build else self.env._("%(serial)s is not in stock", serial=serial)

    def _storq_in_stock_refusal(self, stock_locations=None):
        """Why the unit cannot arrive from outside our stock (a vendor, production, a count): it
        is in stock already, at `stock_locations`. The scan and the validation both say this."""
        self.ensure_one()
        return self.env._(
            "%(situation)s: the unit of %(product)s is already in stock, and the same unit "
            "cannot be received twice. Check the label.",
            situation=self._storq_situation(stock_locations),
            product=self.product_id.display_name,
        )

    def _storq_leave_refusal(self, location, shipping=False, exact=False, stock_locations=None):
        """Why the unit cannot leave `location` now, or False when it can.

        It must be in stock there (under it, or exactly there with `exact`: a move line takes
        its unit from one precise location) and, when `shipping` to a customer, not blocked.
        """
        self.ensure_one()
        if shipping and self.storq_blocked:
            return self.env._(
                "%(serial)s is blocked (%(reason)s) and cannot be shipped: set it aside and take "
                "another unit.",
                serial=self.name,
                reason=self.storq_block_reason or "-",
            )
        if stock_locations is None:
            stock_locations = self._storq_stock_locations()[self]
        here = (
            stock_locations.filtered(lambda loc: loc == location)
            if exact
            else stock_locations.filtered(lambda loc: loc._child_of(location))
        )
        if here:
            return False
        return self.env._(
            "%(situation)s, so it cannot be taken from %(location)s.",
            situation=self._storq_situation(stock_locations),
            location=location.display_name,
        )

    # ------------------------------------------------------------------
    # Business methods: blocking units
    # ------------------------------------------------------------------
    def _storq_check_can_block(self):
        if not (self.env.su or self.env.user.has_group("storq_serials.group_storq_manager")):
            raise AccessError(
                self.env._("Only serial managers can block or unblock units (recalls, quarantine).")
            )

    def _storq_block(self, reason, document=None):
        """Block these units from being shipped, with the reason; `document` is the recall or
        claim behind it. Each unit gets a "blocked" event."""
        self._storq_check_can_block()
        self.check_access("read")
        self.sudo().write({"storq_blocked": True, "storq_block_reason": reason})
        self._storq_log_events("blocked", reason, document)

    def _storq_unblock(self, document=None, note=None):
        """Release blocked units; each gets an "unblocked" event."""
        self._storq_check_can_block()
        self.check_access("read")
        units = self.filtered("storq_blocked")
        units.sudo().write({"storq_blocked": False, "storq_block_reason": False})
        units._storq_log_events("unblocked", note, document)

    def _storq_log_events(self, event_type, note=None, document=None):
        """One event of `event_type` per unit, in one statement."""
        now = fields.Datetime.now()
        document_ref = f"{document._name},{document.id}" if document else None
        document_name = document.display_name if document else None
        self.env["storq.serial.event"].sudo()._bulk_create(
            [
                {
                    "lot_id": lot.id,
                    "product_id": lot.product_id.id,
                    "company_id": lot.company_id.id or self.env.company.id,
                    "event_type": event_type,
                    "date": now,
                    "user_id": self.env.uid,
                    "partner_id": lot.storq_partner_id.id,
                    "location_id": lot.storq_location_id.id,
                    "document_ref": document_ref,
                    "document_name": document_name,
                    "note": note,
                }
                for lot in self
            ]
        )

    def _storq_check_company_access(self):
        """Corrections stay within the user's companies, also for units of shared products
        (no company on the unit): the company is then the one that received or delivered it."""
        self.ensure_one()
        self.check_access("read")
        company = self._storq_unit_companies(self)[self.id]
        if company and company not in self.env.user.company_ids:
            raise AccessError(
                self.env._(
                    "%(serial)s is a unit of %(company)s: only its own users can correct it.",
                    serial=self.name,
                    company=company.sudo().display_name,
                )
            )

    def _storq_log_correction(self, event_type, reason, old_value, new_value):
        """Record a manager's correction of this unit ("corrected", "renamed"): one event with
        the reason and the values before and after, and the same in the chatter."""
        self.ensure_one()
        self.env["storq.serial.event"].sudo().create(
            {
                "lot_id": self.id,
                "product_id": self.product_id.id,
                "company_id": self.company_id.id or self.env.company.id,
                "event_type": event_type,
                "user_id": self.env.uid,
                "partner_id": self.storq_partner_id.id,
                "location_id": self.storq_location_id.id,
                "note": reason,
                "old_value": old_value,
                "new_value": new_value,
            }
        )
        self.env["stock.lot"].invalidate_model(["storq_event_ids", "storq_event_count"])
        self.sudo().message_post(
            body=self.env._(
                "%(what)s by %(user)s: %(old)s → %(new)s. Reason: %(reason)s",
                what=dict(
                    self.env["storq.serial.event"]._fields["event_type"]._description_selection(self.env)
                )[event_type],
                user=self.env.user.name,
                old=old_value,
                new=new_value,
                reason=reason,
            ),
            author_id=self.env.user.partner_id.id,
        )

    # ------------------------------------------------------------------
    # Business methods: recording moves
    # ------------------------------------------------------------------
    @api.model
    def _storq_record_moves(self, move_lines):
        """Record done move lines on their units, in batches, in this order (the one place
        where done moves reach the unit record; the steps live with their feature):

        1. what the later steps need to know from before the moves: the warranty's
           (`_storq_warranty_before_moves`, stock_lot_warranty.py) and the recalls'
           (`_storq_recall_before_moves`, stock_lot_unit_recall.py);
        2. the unit records and one history event per line (`_storq_update_unit_records`);
        3. the warranty: the vendor's from a first receipt, the customer's from a delivery on a
           new sale (`_storq_warranty_after_moves`);
        4. the recall lines of recalled units: quarantined, returned, resolved
           (`_storq_recall_after_moves`).

        `move_lines` are done lines of serial-controlled products, with their lot.
        """
        warranty = self._storq_warranty_before_moves(move_lines)
        recall = self._storq_recall_before_moves(move_lines)
        self._storq_update_unit_records(move_lines)
        self._storq_warranty_after_moves(move_lines, warranty)
        self._storq_recall_after_moves(move_lines, recall)

    @api.model
    def _storq_update_unit_records(self, move_lines):
        """Update the unit records and write one event per done move line, in batches."""
        # Prefetch the whole batch whatever recordset the lines were taken from.
        lines = move_lines.with_prefetch().sorted(lambda line: (line.date, line.id))
        pending = {}  # lot -> vals to write, last move wins
        received = set()  # lots that got their origin in this batch
        events = []
        for line in lines:
            lot = line.lot_id
            event_type, vals = self._storq_unit_change(line)
            if line.location_id.usage == "supplier" and not lot.storq_received_date and lot not in received:
                received.add(lot)
                vals.update(self._storq_origin_vals(line))
            pending.setdefault(lot, {}).update(vals)
            events.append(self._storq_prepare_event_vals(line, event_type))
        self._storq_write_grouped(pending)
        self.env["storq.serial.event"].sudo()._bulk_create(events)

    @api.model
    def _storq_unit_change(self, line):
        """(event type, unit values) for one done move line, from where it went."""
        source = line.location_id.usage
        destination = line.location_dest_id.usage
        if destination == "customer":
            partner = line.move_id.partner_id or line.picking_id.partner_id
            sale_line = line.move_id.sale_line_id
            return "delivered", {
                "storq_state": "delivered",
                "storq_location_id": False,
                "storq_partner_id": partner.commercial_partner_id.id or partner.id,
                "storq_sale_line_id": sale_line.id,
                "storq_sale_id": sale_line.order_id.id,
                "storq_delivery_picking_id": line.picking_id.id,
                "storq_delivered_date": line.date,
            }
        if destination in ("internal", "transit"):
            if source == "supplier":
                event_type = "received"
            elif source == "customer":
                event_type = "returned"
            elif self.env.context.get("storq_audit_apply"):
                # An audit found the unit here (moved from its recorded place, or counted back).
                event_type = "found"
            elif line.is_inventory:
                event_type = "adjusted"
            else:
                event_type = "moved"
            return event_type, {
                "storq_state": "in_stock",
                "storq_location_id": line.location_dest_id.id,
                "storq_partner_id": False,
            }
        if destination == "supplier":
            return "returned_to_vendor", {
                "storq_state": "returned_to_vendor",
                "storq_location_id": False,
                "storq_partner_id": False,
            }
        if destination == "inventory":
            if line.move_id.scrap_id:
                event_type, state = "scrapped", "scrapped"
            elif line.is_inventory and self.env.context.get("storq_audit_apply"):
                event_type, state = "missing", "missing"
            elif line.is_inventory:
                event_type, state = "adjusted", "written_off"
            else:
                event_type, state = "written_off", "written_off"
            return event_type, {
                "storq_state": state,
                "storq_location_id": False,
                "storq_partner_id": False,
            }
        return "moved", {"storq_location_id": False}

    @api.model
    def _storq_origin_vals(self, line):
        """Where the unit comes from, set at its first receipt from a supplier."""
        purchase = line.move_id.purchase_line_id.order_id
        supplier = purchase.partner_id or line.picking_id.partner_id
        return {
            "storq_supplier_id": supplier.commercial_partner_id.id or supplier.id,
            "storq_purchase_id": purchase.id,
            "storq_receipt_picking_id": line.picking_id.id,
            "storq_received_date": line.date,
        }

    @api.model
    def _storq_prepare_event_vals(self, line, event_type):
        document = line.picking_id or line.move_id.scrap_id or line.move_id
        return {
            "lot_id": line.lot_id.id,
            "product_id": line.product_id.id,
            "company_id": line.company_id.id,
            "event_type": event_type,
            "date": line.date,
            "user_id": self.env.uid,
            "partner_id": (line.move_id.partner_id or line.picking_id.partner_id).id,
            "location_id": line.location_id.id,
            "location_dest_id": line.location_dest_id.id,
            "move_line_id": line.id,
            "document_ref": f"{document._name},{document.id}",
            "note": line.reference,
        }

    def _storq_write_grouped(self, pending):
        """One write per distinct set of values (a receipt's units share theirs)."""
        groups = defaultdict(list)  # ids, not a union per unit: that grows quadratically
        for lot, vals in pending.items():
            groups[tuple(sorted(vals.items()))].append(lot.id)
        for items, lot_ids in groups.items():
            self.env["stock.lot"].browse(lot_ids).sudo().write(dict(items))

    @api.model
    def _storq_rebuild_unit_records(self, lots=None):
        """Replay the done moves of units without history (existing data), in batches."""
        Lot = self.env["stock.lot"].sudo()
        if lots is None:
            lots = Lot.search([("storq_serial_control", "=", True), ("storq_event_ids", "=", False)])
        else:
            lots = lots.sudo().filtered(lambda lot: lot.storq_serial_control and not lot.storq_event_ids)
        for lot_ids in split_every(REBUILD_BATCH, lots.ids):
            lines = (
                self.env["stock.move.line"]
                .sudo()
                .search([("lot_id", "in", list(lot_ids)), ("state", "=", "done")], order="date, id")
            )
            if lines:
                self._storq_record_moves(lines)
