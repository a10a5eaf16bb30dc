import logging
from datetime import timedelta

from odoo import api
from odoo import models
from odoo.tools.misc import format_date
from odoo.tools.sql import SQL

_logger = logging.getLogger(__name__)

# Where suspicious returns wait, in the cursor's hooks, for the end of the transaction.
SUSPICIOUS_RETURNS_KEY = "storq_serials.suspicious_returns"
# The same refused attempt (unit, user, document) is logged once in this window: checking the
# same list again and again must not fill the history.
SUSPICIOUS_RETURN_WINDOW = timedelta(hours=1)


class StockLot(models.Model):
    """Customer returns on the unit record: is this the unit sold, and what became of it."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _storq_return_refusals(self, claims):
        """Why each claimed return is refused, or False when the unit may come back.

        `claims` are (lot, customer, sale order, delivery) tuples: the unit claimed back, the
        customer returning it (or an empty recordset when any customer will do), the order and
        the delivery it must have been delivered on (or empty). A unit may come back when it
        is delivered, to that customer's company, on that order and delivery, and was not
        returned since. Two queries whatever the number of claims.
        """
        lots = self.browse().union(*(claim[0] for claim in claims))
        returned_on = self._storq_last_return_dates(lots)
        refusals = []
        for lot, partner, order, delivery in claims:
            refusals.append(
                self._storq_return_refusal(lot, partner, order, delivery, returned_on.get(lot.id))
            )
        return refusals

    @api.model
    def _storq_last_return_dates(self, lots):
        """{lot id: date of its last return from a customer} (1 query)."""
        if not lots:
            return {}
        groups = (
            self.env["storq.serial.event"]
            .sudo()
            ._read_group(
                [("lot_id", "in", lots.ids), ("event_type", "=", "returned")], ["lot_id"], ["date:max"]
            )
        )
        return {lot.id: date for lot, date in groups}

    @api.model
    def _storq_return_refusal(self, lot, partner, order, delivery, returned_on):
        serial = lot.name
        state = lot.storq_state
        if not lot.product_id.storq_serial_control:
            return False
        if state != "delivered":
            states = dict(self._fields["storq_state"]._description_selection(self.env))
            if not lot.storq_delivered_date:
                if state == "in_stock":
                    return self.env._(
                        "%(serial)s is still in stock: this unit was never sold, so it cannot be "
                        "returned. Check the label of the unit the customer sent.",
                        serial=serial,
                    )
                return self.env._(
                    "%(serial)s was never sold: no customer ever received this unit. Check the "
                    "label of the unit the customer sent.",
                    serial=serial,
                )
            if returned_on:
                return self.env._(
                    "%(serial)s was already returned on %(date)s and is now %(state)s: it cannot "
                    "be returned twice.",
                    serial=serial,
                    date=format_date(self.env, returned_on),
                    state=states.get(state, state or "-").lower(),
                )
            return self.env._(
                "%(serial)s is not with a customer: the unit is %(state)s.",
                serial=serial,
                state=states.get(state, state or "-").lower(),
            )
        customer = partner.commercial_partner_id if partner else partner
        if customer and lot.storq_partner_id != customer:
            # Never name the customer who holds the unit: the person asking may not know them.
            return self.env._(
                "%(serial)s was sold to another customer, not to %(customer)s: the unit sent back "
                "is not the one this customer bought.",
                serial=serial,
                customer=customer.display_name,
            )
        if delivery and lot.storq_delivery_picking_id != delivery:
            return self.env._(
                "%(serial)s was not delivered by %(delivery)s: start the return from the "
                "customer or from the delivery that shipped it.",
                serial=serial,
                delivery=delivery.display_name,
            )
        if order and lot.storq_sale_id != order:
            if customer or lot.storq_partner_id == order.partner_id.commercial_partner_id:
                return self.env._(
                    "%(serial)s was not delivered on %(order)s but on another order: start the "
                    "return from the customer or from that order.",
                    serial=serial,
                    order=order.display_name,
                )
            return self.env._(
                "%(serial)s was not delivered on %(order)s: it was sold to another customer.",
                serial=serial,
                order=order.display_name,
            )
        return False

    @api.model
    def _storq_unit_companies(self, lots):
        """{lot id: the company whose unit it is} (1 query).

        Units of products shared between companies have no company: the unit belongs to the
        company that delivered it, or received it, or holds it.
        """
        lots = lots.sudo()
        documents = lots.storq_delivery_picking_id | lots.storq_receipt_picking_id
        documents.fetch(["company_id"])
        return {
            lot.id: lot.company_id
            or lot.storq_delivery_picking_id.company_id
            or lot.storq_receipt_picking_id.company_id
            or lot.storq_location_id.company_id
            for lot in lots
        }

    @api.model
    def _storq_prepare_suspicious_return_vals(self, lot, partner, reason, document=None):
        """Values of a suspicious-return event: someone tried to return `lot` and was refused."""
        document = document or partner
        return {
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "company_id": (lot.company_id or self.env.company).id,
            "event_type": "suspicious_return",
            "date": self.env.cr.now(),
            "user_id": self.env.uid,
            "partner_id": partner.id if partner else None,
            "document_ref": f"{document._name},{document.id}" if document else None,
            # Named now, as the refusal named it: the events may be written after the transaction.
            "document_name": document.display_name if document else None,
            "note": reason,
        }

    @api.model
    def _storq_log_suspicious_returns(self, vals_list, after_transaction=False):
        """Write suspicious-return events now, or with `after_transaction` once it ends.

        A refused transfer is rolled back with everything it wrote. With `after_transaction`
        the events wait in `SUSPICIOUS_RETURNS_KEY` of the cursor's hooks and are written in
        a transaction of their own when the current one ends, rolled back or committed: the
        history keeps the attempt, and nothing waits on a lock the refused transaction holds.
        """
        if not vals_list:
            return
        if not after_transaction:
            self.env["storq.serial.event"].sudo()._bulk_create(self._storq_new_suspicious_returns(vals_list))
            return
        cr = self.env.cr
        pending = cr.postrollback.data.get(SUSPICIOUS_RETURNS_KEY)
        if pending is None:
            pending = cr.postrollback.data[SUSPICIOUS_RETURNS_KEY] = []
            registry, uid, context = self.env.registry, self.env.uid, dict(self.env.context)

            def write_pending():
                if not pending:
                    return
                try:
                    with registry.cursor() as new_cr:
                        env = api.Environment(new_cr, uid, context)
                        env["stock.lot"]._storq_log_suspicious_returns(list(pending))
                except Exception:
                    _logger.warning("Could not log %s suspicious returns", len(pending), exc_info=True)
                pending.clear()

            cr.postrollback.add(write_pending)
            cr.postcommit.add(write_pending)
        pending.extend(vals_list)

    @api.model
    def _storq_new_suspicious_returns(self, vals_list):
        """The attempts of `vals_list` not logged yet: one per unit, user and document within
        `SUSPICIOUS_RETURN_WINDOW` (1 query whatever their number)."""

        def key(vals):
            return (vals["lot_id"], vals.get("user_id") or None, vals.get("document_ref") or None)

        attempts = {}
        for vals in vals_list:
            attempts.setdefault(key(vals), vals)
        self.env.cr.execute(
            SQL(
                """
                SELECT lot_id, user_id, document_ref FROM storq_serial_event
                 WHERE event_type = 'suspicious_return' AND date >= %s AND lot_id = ANY(%s)
                """,
                self.env.cr.now() - SUSPICIOUS_RETURN_WINDOW,
                list({lot_id for lot_id, _user, _document in attempts}),
            )
        )
        logged = set(self.env.cr.fetchall())
        return [vals for attempt, vals in attempts.items() if attempt not in logged]

    # Unit record ------------------------------------------------------
    @api.model
    def _storq_unit_change(self, line):
        event_type, vals = super()._storq_unit_change(line)
        destination = line.location_dest_id
        if destination.usage == "internal" and destination == line.company_id.storq_repair_location_id:
            vals["storq_state"] = "in_repair"
        return event_type, vals

    @api.model
    def _storq_prepare_event_vals(self, line, event_type):
        vals = super()._storq_prepare_event_vals(line, event_type)
        notes = self.env.context.get("storq_return_notes")
        if notes and event_type == "returned" and line.lot_id.id in notes:
            vals["note"] = notes[line.lot_id.id]
        return vals
