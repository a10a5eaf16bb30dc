import threading
from collections import defaultdict
from collections import namedtuple
from datetime import timedelta

from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import warranty as wty

WARRANTY_STATES = [("none", "No warranty"), ("active", "Active"), ("expired", "Expired")]
# How many units the expiry job moves to "expired" per committed batch.
EXPIRE_BATCH = 1000

# The terms that apply to a unit: from its product, else its category, for one company.
Terms = namedtuple("Terms", "duration unit trigger grace_days")


class StockLot(models.Model):
    """Warranty coverage of each unit: dates set when the starting event happens, frozen at the
    terms in force that day, and the coverage verdict that claims and the lookup rely on."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_warranty_date_start = fields.Date("Warranty start", readonly=True, copy=False)
    storq_warranty_date_end = fields.Date(
        "Warranty end",
        index="btree_not_null",
        readonly=True,
        copy=False,
        help="The last day the customer's warranty covers (extensions and repairs included).",
    )
    storq_warranty_state = fields.Selection(
        WARRANTY_STATES,
        "Warranty",
        default="none",
        index=True,
        readonly=True,
        copy=False,
        help="Active until the end date, then expired (moved along every night). "
        "No warranty: the product has no terms, or its starting event has not happened yet.",
    )
    storq_supplier_warranty_date_end = fields.Date(
        "Vendor warranty end",
        readonly=True,
        copy=False,
        help="Last day the vendor covers the unit, counted from our receipt (vendor line terms).",
    )
    storq_manufacture_date = fields.Date(
        "Manufactured on",
        copy=False,
        help="Starts the warranty of products whose terms count from manufacture (plus the grace "
        "period). Serial managers set it; each change is recorded in the unit's history.",
    )

    # ------------------------------------------------------------------
    # CRUD (create and write are overridden once, in stock_lot.py, which calls these)
    # ------------------------------------------------------------------
    @api.model
    def _storq_check_manufacture_date_create(self, vals_list):
        if any(vals.get("storq_manufacture_date") for vals in vals_list):
            self._storq_check_manufacture_date_access()

    def _storq_manufacture_dates_before(self, vals):
        """The manufacture dates a write of `vals` is about to change (checked), or None."""
        if "storq_manufacture_date" not in vals:
            return None
        self._storq_check_manufacture_date_access()
        return {lot: lot.storq_manufacture_date for lot in self}

    def _storq_log_manufacture_dates(self, before):
        """One event per unit whose manufacture date a write changed from `before`."""
        if not before:
            return
        changed = self.filtered(lambda lot: lot.storq_manufacture_date != before[lot])
        if changed:
            changed._storq_log_warranty_events(
                "manufacture_dated",
                {
                    lot: self.env._(
                        "Manufacture date: %(old)s → %(new)s",
                        old=before[lot] or "-",
                        new=lot.storq_manufacture_date or "-",
                    )
                    for lot in changed
                },
            )

    def _storq_check_manufacture_date_access(self):
        if not (self.env.su or self.env.user.has_group("storq_serials.group_storq_manager")):
            raise AccessError(
                self.env._("Only serial managers can set the manufacture date of a unit: ask one.")
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_register_warranty(self):
        """Staff register the warranty for the customer holding the unit (registration terms)."""
        for lot in self:
            if not lot.storq_partner_id:
                raise UserError(
                    self.env._(
                        "%(serial)s is not at a customer: only a delivered unit's warranty can be "
                        "registered.",
                        serial=lot.name,
                    )
                )
        for partner, lots in self.grouped("storq_partner_id").items():
            if not lots._storq_register_warranty(partner):
                raise UserError(
                    self.env._(
                        "%(serials)s: nothing to register. Only units of products whose warranty "
                        "starts at registration, and not registered yet, can be.",
                        serials=", ".join(lots.mapped("name")),
                    )
                )
        return True

    # ------------------------------------------------------------------
    # Business methods: terms
    # ------------------------------------------------------------------
    def _storq_warranty_terms(self, companies=None):
        """{unit: Terms or None}: the product's terms, else its category's, in the unit's company
        (or `companies[unit]`, the company of the document that starts it). A few queries per
        company, whatever the number of units."""
        companies = companies or {}
        unit_companies = self._storq_unit_companies(self.filtered(lambda lot: not companies.get(lot)))
        by_company = defaultdict(list)
        for lot in self:
            company = companies.get(lot) or unit_companies.get(lot.id) or self.env.company
            by_company[company.sudo()].append(lot)
        result = {}
        for company, lots in by_company.items():
            for lot in lots:
                template = lot.product_id.product_tmpl_id.with_company(company).sudo()
                result[lot] = self._storq_terms_of(template) or self._storq_terms_of(template.categ_id)
        return result

    @api.model
    def _storq_terms_of(self, record):
        duration = record.storq_warranty_duration
        if not duration or duration <= 0:
            return None
        return Terms(
            duration,
            record.storq_warranty_unit or "months",
            record.storq_warranty_trigger or "delivery",
            record.storq_warranty_grace_days or 0,
        )

    # ------------------------------------------------------------------
    # Business methods: writing coverage
    # ------------------------------------------------------------------
    def _storq_write_warranty(self, changes, event_type):
        """Apply `changes` {unit: (start, end, note, document)}: one write per distinct pair of
        dates, the state as of today, and one event per unit in one statement."""
        if not changes:
            return
        today = fields.Date.context_today(self)
        groups = defaultdict(list)
        for lot, (start, end, _note, _document) in changes.items():
            groups[(start or False, end or False)].append(lot.id)
        for (start, end), ids in groups.items():
            self.browse(ids).sudo().write(
                {
                    "storq_warranty_date_start": start,
                    "storq_warranty_date_end": end,
                    "storq_warranty_state": wty.state_at(end, today),
                }
            )
        notes = {}
        documents = {}
        for lot, (start, end, note, document) in changes.items():
            covered = (
                self.env._("Covered %(start)s to %(end)s", start=start or "-", end=end)
                if end
                else self.env._("No warranty")
            )
            notes[lot] = f"{covered}. {note}" if note else covered
            documents[lot] = document
        self.browse([lot.id for lot in changes])._storq_log_warranty_events(event_type, notes, documents)

    def _storq_log_warranty_events(self, event_type, notes, documents=None):
        """One event per unit with its own note (`notes` {unit: text}) and document (a record,
        or {unit: record}), in one statement."""
        now = fields.Datetime.now()
        companies = self._storq_unit_companies(self)
        vals_list = []
        for lot in self:
            document = documents.get(lot) if isinstance(documents, dict) else documents
            vals_list.append(
                {
                    "lot_id": lot.id,
                    "product_id": lot.product_id.id,
                    "company_id": companies[lot.id].id or self.env.company.id,
                    "event_type": event_type,
                    "date": now,
                    "user_id": self.env.uid,
                    "partner_id": lot.storq_partner_id.id,
                    "location_id": lot.storq_location_id.id,
                    "document_ref": f"{document._name},{document.id}" if document else None,
                    "note": notes.get(lot),
                }
            )
        self.env["storq.serial.event"].sudo()._bulk_create(vals_list)

    # ------------------------------------------------------------------
    # Business methods: starting events
    # ------------------------------------------------------------------
    @api.model
    def _storq_warranty_before_moves(self, move_lines):
        """(units delivered with their last delivery line, the sale line each was sold on
        before, units received for the first time): what `_storq_warranty_after_moves` needs
        from before the unit records change (see `_storq_record_moves`)."""
        deliveries = {}  # unit -> its last delivery line in the batch
        first_receipt_ids = {}  # ids of the units, in order (a union per unit grows quadratically)
        for line in move_lines.with_prefetch().sorted(lambda line: (line.date, line.id)):
            lot = line.lot_id
            if line.location_dest_id.usage == "customer":
                deliveries[lot] = line
            if line.location_id.usage == "supplier" and not lot.storq_received_date:
                first_receipt_ids[lot.id] = True
        sold_before = {lot: lot.storq_sale_line_id for lot in deliveries}
        return deliveries, sold_before, self.env["stock.lot"].browse(list(first_receipt_ids))

    @api.model
    def _storq_warranty_after_moves(self, move_lines, before):
        """After the unit records: the vendor warranty of units received for the first time, and
        the customer warranty of units delivered on a new sale."""
        deliveries, sold_before, first_receipts = before
        if first_receipts:
            first_receipts._storq_set_supplier_warranty()
        if deliveries:
            self._storq_start_on_delivery(deliveries, sold_before)
            self.browse([lot.id for lot in deliveries])._storq_apply_pending_extensions()

    @api.model
    def _storq_start_on_delivery(self, deliveries, sold_before):
        """Start the warranty of units delivered on a new sale (another sale line than before),
        or delivered without any coverage yet, at the terms in force today.

        A unit delivered again on the same sale (an exchange, a repaired unit going back) keeps
        its coverage. Invoice and registration terms wait for their event (an invoice already
        posted for the sale line starts it now)."""
        starting = {
            lot: line
            for lot, line in deliveries.items()
            if (line.move_id.sale_line_id and line.move_id.sale_line_id != sold_before[lot])
            or not lot.storq_warranty_date_start
        }
        if not starting:
            return
        lots = self.browse([lot.id for lot in starting])
        terms = lots._storq_warranty_terms({lot: line.company_id for lot, line in starting.items()})
        invoice_dates = self._storq_invoice_dates(
            self.env["sale.order.line"].union(
                *(
                    line.move_id.sale_line_id
                    for lot, line in starting.items()
                    if terms[lot] and terms[lot].trigger == "invoice"
                )
            )
        )
        changes = {}
        for lot, line in starting.items():
            lot_terms = terms[lot]
            delivered_on = fields.Datetime.context_timestamp(self, line.date).date()
            start = False
            if lot_terms and lot_terms.trigger == "delivery":
                start = delivered_on
            elif lot_terms and lot_terms.trigger == "manufacture":
                start = (
                    wty.manufacture_start(lot.storq_manufacture_date, lot_terms.grace_days) or delivered_on
                )
            elif lot_terms and lot_terms.trigger == "invoice":
                start = invoice_dates.get(line.move_id.sale_line_id, False)
            end = wty.warranty_end(start, lot_terms.duration, lot_terms.unit) if start else False
            if not (start or lot.storq_warranty_date_start or lot.storq_warranty_date_end):
                continue  # nothing started, nothing to clear: no event
            note = self._storq_terms_note(lot_terms)
            if lot_terms and not start:
                note = self.env._("%(terms)s It starts with its invoice or registration.", terms=note)
            changes[lot] = (start, end, note, line.picking_id)
        self._storq_write_warranty(changes, "warranty_started")

    @api.model
    def _storq_invoice_dates(self, sale_lines):
        """{sale line: date of its first posted customer invoice}, in one query."""
        if not sale_lines:
            return {}
        invoice_lines = (
            self.env["account.move.line"]
            .sudo()
            .search_fetch(
                [
                    ("sale_line_ids", "in", sale_lines.ids),
                    ("parent_state", "=", "posted"),
                    ("move_id.move_type", "=", "out_invoice"),
                ],
                ["sale_line_ids", "invoice_date"],
            )
        )
        wanted = set(sale_lines.ids)
        result = {}
        for invoice_line in invoice_lines:
            day = invoice_line.invoice_date
            for line_id in invoice_line.sale_line_ids.ids:
                if line_id in wanted and day:
                    result[line_id] = min(result.get(line_id, day), day)
        return {sale_lines.browse(line_id): day for line_id, day in result.items()}

    @api.model
    def _storq_start_on_invoice(self, invoices):
        """Start the warranty of delivered units whose terms start at the invoice, when the
        customer invoice of their sale line is posted."""
        dates = {}
        for invoice in invoices:
            for sale_line in invoice.invoice_line_ids.sale_line_ids:
                day = invoice.invoice_date or fields.Date.context_today(self)
                dates[sale_line.id] = min(dates.get(sale_line.id, day), day)
        if not dates:
            return
        lots = self.sudo().search(
            [
                ("storq_sale_line_id", "in", list(dates)),
                ("storq_state", "=", "delivered"),
                ("storq_warranty_date_start", "=", False),
            ]
        )
        terms = lots._storq_warranty_terms()
        changes = {}
        for lot in lots:
            lot_terms = terms[lot]
            if not lot_terms or lot_terms.trigger != "invoice":
                continue
            start = dates[lot.storq_sale_line_id.id]
            end = wty.warranty_end(start, lot_terms.duration, lot_terms.unit)
            invoice = invoices.filtered(
                lambda inv, lot=lot: lot.storq_sale_line_id in inv.invoice_line_ids.sale_line_ids
            )
            changes[lot] = (start, end, self._storq_terms_note(lot_terms), invoice[:1])
        started = self.browse([lot.id for lot in changes])
        started._storq_write_warranty(changes, "warranty_started")
        started._storq_apply_pending_extensions()

    def _storq_register_warranty(self, partner):
        """The customer `partner` registers these units: the warranty of those whose terms start
        at registration, and not started yet, starts today. Returns the units registered.

        Refused for a unit that `partner` does not hold (the portal only offers the customer's
        own units; this guards the method itself)."""
        commercial = partner.commercial_partner_id
        foreign = self.filtered(lambda lot: lot.storq_partner_id.commercial_partner_id != commercial)
        if foreign:
            raise UserError(
                self.env._(
                    "%(serials)s cannot be registered by %(customer)s: these units are not theirs. "
                    "Check the serial numbers.",
                    serials=", ".join(foreign.mapped("name")),
                    customer=partner.display_name,
                )
            )
        terms = self._storq_warranty_terms()
        today = fields.Date.context_today(self)
        changes = {}
        for lot in self:
            lot_terms = terms[lot]
            if lot.storq_warranty_date_start or not lot_terms or lot_terms.trigger != "registration":
                continue
            note = self.env._(
                "Registered by %(customer)s. %(terms)s",
                customer=partner.display_name,
                terms=self._storq_terms_note(lot_terms),
            )
            changes[lot] = (today, wty.warranty_end(today, lot_terms.duration, lot_terms.unit), note, partner)
        registered = self.browse([lot.id for lot in changes])
        registered._storq_write_warranty(changes, "warranty_started")
        registered._storq_apply_pending_extensions()
        return registered

    def _storq_terms_note(self, terms):
        if not terms:
            return self.env._("The product has no warranty terms.")
        units = dict(
            self.env["product.template"]._fields["storq_warranty_unit"]._description_selection(self.env)
        )
        return self.env._("Terms: %(duration)s %(unit)s.", duration=terms.duration, unit=units[terms.unit])

    # ------------------------------------------------------------------
    # Business methods: vendor warranty
    # ------------------------------------------------------------------
    def _storq_set_supplier_warranty(self):
        """Vendor warranty end of units just received, from the vendor line of their product
        (a line for the variant wins over one for the template), counted from our receipt."""
        lots = self.filtered(lambda lot: lot.storq_supplier_id and lot.storq_received_date)
        if not lots:
            return
        infos = (
            self.env["product.supplierinfo"]
            .sudo()
            .search(
                [
                    ("product_tmpl_id", "in", lots.product_id.product_tmpl_id.ids),
                    ("partner_id.commercial_partner_id", "in", lots.storq_supplier_id.ids),
                    ("storq_warranty_duration", ">", 0),
                ],
                order="sequence, id",
            )
        )
        if not infos:
            return
        ends = defaultdict(list)
        for lot in lots:
            company = lot.company_id or self.env.company
            matching = infos.filtered(
                lambda info, lot=lot, company=company: info.partner_id.commercial_partner_id
                == lot.storq_supplier_id
                and info.product_tmpl_id == lot.product_id.product_tmpl_id
                and info.product_id in (lot.product_id, info.product_id.browse())
                and info.company_id in (company, info.company_id.browse())
            ).sorted(lambda info: not info.product_id)[:1]
            if matching:
                received_on = fields.Datetime.context_timestamp(self, lot.storq_received_date).date()
                end = wty.add_duration(
                    received_on, matching.storq_warranty_duration, matching.storq_warranty_unit or "months"
                )
                ends[end].append(lot.id)
        for end, ids in ends.items():
            self.browse(ids).sudo().write({"storq_supplier_warranty_date_end": end})

    # ------------------------------------------------------------------
    # Business methods: extending, repair, replacement (used by claims)
    # ------------------------------------------------------------------
    def _storq_extend_warranty(self, until, document=None, note=None):
        """Extend these units' coverage to `until`, for those whose coverage ends earlier (a unit
        without a warranty is covered from today). Returns the units extended."""
        today = fields.Date.context_today(self)
        changes = {
            lot: (lot.storq_warranty_date_start or today, until, note, document)
            for lot in self
            if not lot.storq_warranty_date_end or lot.storq_warranty_date_end < until
        }
        self._storq_write_warranty(changes, "warranty_extended")
        return self.browse([lot.id for lot in changes])

    def _storq_apply_repair_warranty(self, document=None):
        """Give repaired units the repair's warranty (the product's repair days, else the
        company's) when it ends later than their remaining coverage. Returns the units extended."""
        today = fields.Date.context_today(self)
        by_end = defaultdict(list)
        for lot in self:
            company = lot.company_id or self.env.company
            days = (
                lot.product_id.product_tmpl_id.with_company(company).sudo().storq_repair_warranty_days
                or company.sudo().storq_repair_warranty_days
            )
            if days > 0:
                by_end[(today + timedelta(days=days), days)].append(lot.id)
        extended = self.browse()
        for (until, days), ids in by_end.items():
            note = self.env._("Repair warranty of %(days)s days.", days=days)
            extended |= self.browse(ids)._storq_extend_warranty(until, document, note)
        return extended

    def _storq_inherit_warranty(self, old_lot, document=None):
        """This replacement unit takes over the remaining coverage of `old_lot`, the unit it
        replaces (its start and end dates)."""
        self.ensure_one()
        old = old_lot.sudo()
        note = self.env._("Replaces %(serial)s.", serial=old.name)
        self._storq_write_warranty(
            {self: (old.storq_warranty_date_start, old.storq_warranty_date_end, note, document)},
            "warranty_inherited",
        )

    def _storq_reapply_warranty_terms(self, reason, document=None):
        """A manager gives these units the product's current terms: the end is computed again
        from the unit's start (from the manufacture date when the terms count from it). Units
        whose warranty has not started are left alone. One event per unit."""
        if not (self.env.su or self.env.user.has_group("storq_serials.group_storq_manager")):
            raise AccessError(self.env._("Only serial managers can re-apply warranty terms to units."))
        self.check_access("read")
        foreign = [
            lot
            for lot, company in self._storq_unit_companies(self).items()
            if company and company not in self.env.user.company_ids
        ]
        if foreign:
            raise AccessError(
                self.env._(
                    "%(serials)s are units of another company: only its own managers can re-apply "
                    "their warranty terms.",
                    serials=", ".join(self.browse(foreign).sudo().mapped("name")),
                )
            )
        lots = self.sudo().filtered("storq_warranty_date_start")
        terms = lots._storq_warranty_terms()
        changes = {}
        for lot in lots:
            lot_terms = terms[lot]
            start = lot.storq_warranty_date_start
            if lot_terms and lot_terms.trigger == "manufacture" and lot.storq_manufacture_date:
                start = wty.manufacture_start(lot.storq_manufacture_date, lot_terms.grace_days)
            end = wty.warranty_end(start, lot_terms.duration, lot_terms.unit) if lot_terms else False
            note = self.env._(
                "%(terms)s Before: until %(old)s. Reason: %(reason)s",
                terms=self._storq_terms_note(lot_terms),
                old=lot.storq_warranty_date_end or "-",
                reason=reason,
            )
            changes[lot] = (start if end else False, end, note, document)
        lots.with_env(self.env)._storq_write_warranty(changes, "warranty_reapplied")
        return lots.with_env(self.env)

    # ------------------------------------------------------------------
    # Business methods: coverage verdict
    # ------------------------------------------------------------------
    def _storq_warranty_coverage(self, partner=None, on_date=None):
        """The coverage verdict of this unit (see `_storq_warranty_coverages`)."""
        self.ensure_one()
        return self._storq_warranty_coverages(partner, on_date)[self]

    def _storq_warranty_coverages(self, partner=None, on_date=None):
        """{unit: {"verdict", "date_end", "days_left"}} on `on_date` (today), for a claim by
        `partner`, decided from each unit's own record and history, in at most four queries:

        - not_sold: we never delivered the unit;
        - other_customer: we delivered it to another company or person than `partner`;
        - no_warranty: no coverage (no terms, or its starting event has not happened);
        - expired: its coverage ended before `on_date`;
        - covered: otherwise, with the days left.
        """
        on_date = on_date or fields.Date.context_today(self)
        lots = self.sudo()
        lots.fetch(["storq_delivered_date", "storq_partner_id", "storq_warranty_date_end"])
        customers = {}
        if partner:
            commercial = partner.sudo().commercial_partner_id
            customers = {lot.id: lot.storq_partner_id.commercial_partner_id.id for lot in lots}
            # Units back with us: the customer of their last delivery, from their history.
            back = [lot.id for lot in lots if lot.storq_delivered_date and not lot.storq_partner_id]
            if back:
                self.env["storq.serial.event"].flush_model(["lot_id", "event_type", "partner_id", "date"])
                rows = self.env.execute_query(
                    SQL(
                        """
                        SELECT DISTINCT ON (event.lot_id) event.lot_id,
                               COALESCE(partner.commercial_partner_id, partner.id)
                          FROM storq_serial_event event
                          LEFT JOIN res_partner partner ON partner.id = event.partner_id
                         WHERE event.lot_id = ANY(%s) AND event.event_type = 'delivered'
                         ORDER BY event.lot_id, event.date DESC, event.id DESC
                        """,
                        back,
                    )
                )
                customers.update(dict(rows))
        result = {}
        for lot in lots:
            date_end = lot.storq_warranty_date_end or False
            if not lot.storq_delivered_date:
                verdict = "not_sold"
            elif partner and customers.get(lot.id) != commercial.id:
                verdict = "other_customer"
            elif not date_end:
                verdict = "no_warranty"
            elif on_date > date_end:
                verdict = "expired"
            else:
                verdict = "covered"
            result[lot.with_env(self.env)] = {
                "verdict": verdict,
                "date_end": date_end,
                "days_left": wty.days_left(date_end, on_date) if verdict == "covered" else 0,
            }
        return result

    # ------------------------------------------------------------------
    # Business methods: expiry job
    # ------------------------------------------------------------------
    @api.model
    def _storq_cron_expire_warranties(self, batch_size=EXPIRE_BATCH):
        """Move units whose coverage ended from active to expired, in committed batches with
        the progress reported to the scheduler."""
        today = fields.Date.context_today(self)
        domain = [("storq_warranty_state", "=", "active"), ("storq_warranty_date_end", "<", today)]
        Lot = self.sudo()
        remaining = Lot.search_count(domain)
        done = 0
        while remaining > 0:
            lots = Lot.search(domain, limit=batch_size, order="id")
            if not lots:
                break
            lots._storq_expire_warranty_batch(today)
            done += len(lots)
            remaining = max(remaining - len(lots), 0)
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            if not getattr(threading.current_thread(), "testing", False):
                self.env.cr.commit()  # pylint: disable=invalid-commit
        return done

    def _storq_expire_warranty_batch(self, today=None):
        """One batch of the expiry job: one update, one event per unit in one statement."""
        today = today or fields.Date.context_today(self)
        lots = self.sudo().filtered(
            lambda lot: lot.storq_warranty_state == "active"
            and lot.storq_warranty_date_end
            and lot.storq_warranty_date_end < today
        )
        if not lots:
            return
        lots.write({"storq_warranty_state": "expired"})
        lots._storq_log_warranty_events(
            "warranty_expired",
            {
                lot: self.env._("Warranty ended on %(date)s.", date=lot.storq_warranty_date_end)
                for lot in lots
            },
        )
