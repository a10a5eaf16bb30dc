from collections import defaultdict
from collections import namedtuple

from odoo import api
from odoo import models
from odoo.exceptions import UserError

from .storq_serial_return_record import DISPOSITIONS

# One unit coming back, as records: what `_return_units` reads from the values it is given.
ReturnedUnit = namedtuple(
    "ReturnedUnit", ["lot", "reason", "disposition", "note", "partner", "sale", "delivery", "company"]
)


class StorqSerialReturnRecord(models.Model):
    """Taking units back from customers: Odoo's return transfers, then each unit's routing.

    `_return_units` is the one entry point. The return wizard calls it once the serials are
    checked; warranty claims and recalls call it the same way, without a wizard.
    """

    _inherit = "storq.serial.return.record"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _return_units(self, vals_list):
        """Receive units back from their customers, route each one; return the return records.

        `vals_list` holds one dict per unit:

        - ``lot_id``: the unit (required, once);
        - ``reason_id`` and ``disposition`` (a key of `DISPOSITIONS`), required, and ``note``:
          why the unit came back and where it goes;
        - ``partner_id``, ``sale_id``, ``delivery_picking_id``: the customer, order and
          delivery it comes back from, by default those on the unit record;
        - ``company_id``: the company taking it back, by default the current one.

        Only inventory users may take units back, and only the units sold: each is held to the
        return checks (`stock.lot._storq_return_refusals`: the unit delivered, to this customer,
        on this order and delivery, not returned since) before anything moves, and again when its
        return transfer is validated. The units are received with one return transfer per
        delivery and customer, made by Odoo's return wizard (`_receive_units`), then each goes
        back to stock, to repair, to scrap or is written off, from where its return put it.
        Queries grow with the deliveries and dispositions, not with the units.
        """
        self._check_can_take_back()
        units = self._read_returned_units(vals_list)
        if not units:
            return self.browse()
        self._check_units_sold(units)
        notes = {unit.lot.id: self._event_note(unit) for unit in units}
        self_notes = self.with_context(storq_return_notes=notes)
        received = self_notes._receive_units(units)
        routed = self_notes._route_units(units, received)
        self._keep_customers(units)
        # Return records are history: written by the return itself, never by hand.
        records = self.sudo().create(
            [self._prepare_record_vals(unit, received[unit.lot], routed.get(unit.lot)) for unit in units]
        )
        return records.sudo(False)

    @api.model
    def _check_can_take_back(self):
        """Taking units back moves stock: refuse clearly rather than fail on a stock record."""
        if self.env.su or self.env.user.has_group("stock.group_stock_user"):
            return
        raise UserError(
            self.env._(
                "Taking units back moves them into stock, which needs the Inventory / User rights. "
                "Ask an inventory user to apply this return, or ask your administrator for those rights."
            )
        )

    @api.model
    def _check_units_sold(self, units):
        """Refuse, with each unit's reason, units that are not the ones sold (2 queries)."""
        refusals = self.env["storq.unit.rulebook"]._storq_return_verdicts(
            [(unit.lot, unit.partner, unit.sale, unit.delivery) for unit in units]
        )
        refused = [refusal for refusal in refusals if refusal]
        if refused:
            raise UserError(
                self.env._(
                    "These units cannot be taken back:\n%(lines)s",
                    lines=self.env["storq.serial.input"]._capped_lines(refused),
                )
            )

    @api.model
    def _read_returned_units(self, vals_list):
        """`ReturnedUnit`s of `vals_list`, sharing their prefetch; refuse incomplete values."""

        def browse_each(model, key):
            return self._browse_each(model, [vals.get(key) for vals in vals_list])

        lots = browse_each("stock.lot", "lot_id")
        reasons = browse_each("storq.return.reason", "reason_id")
        partners = browse_each("res.partner", "partner_id")
        sales = browse_each("sale.order", "sale_id")
        deliveries = browse_each("stock.picking", "delivery_picking_id")
        companies = browse_each("res.company", "company_id")
        units, problems, seen = [], [], set()
        dispositions = dict(DISPOSITIONS)
        for index, vals in enumerate(vals_list):
            lot = lots[index]
            reason, note = reasons[index], (vals.get("note") or "").strip()
            if not lot:
                problems.append(self.env._("Line %(line)s: give the unit that comes back.", line=index + 1))
                continue
            if lot in seen:
                problems.append(self.env._("%(serial)s is given twice.", serial=lot.name))
                continue
            seen.add(lot)
            if not reason or vals.get("disposition") not in dispositions:
                problems.append(self.env._("%(serial)s: choose a reason and a disposition.", serial=lot.name))
                continue
            if reason.note_required and not note:
                problems.append(
                    self.env._(
                        "%(serial)s: the reason %(reason)s needs a note.", serial=lot.name, reason=reason.name
                    )
                )
                continue
            units.append(
                ReturnedUnit(
                    lot=lot,
                    reason=reason,
                    disposition=vals["disposition"],
                    note=vals.get("note") or False,
                    partner=partners[index] or lot.storq_partner_id,
                    sale=sales[index] or lot.storq_sale_id,
                    delivery=deliveries[index] or lot.storq_delivery_picking_id,
                    company=companies[index] or self.env.company,
                )
            )
        if problems:
            raise UserError(
                self.env._(
                    "These units cannot be taken back:\n%(lines)s",
                    lines=self.env["storq.serial.input"]._capped_lines(problems),
                )
            )
        return units

    @api.model
    def _browse_each(self, model, ids):
        """One record (or an empty one) per id of `ids`, all prefetched together."""
        records = self.env[model].browse(list(dict.fromkeys(filter(None, ids))))
        by_id = {record.id: record for record in records}
        return [by_id.get(record_id, records.browse()) for record_id in ids]

    @api.model
    def _group(self, units, key):
        groups = defaultdict(list)
        for unit in units:
            groups[key(unit)].append(unit)
        return groups

    @api.model
    def _lots(self, units):
        return self.env["stock.lot"].browse([unit.lot.id for unit in units])

    @api.model
    def _event_note(self, unit):
        if unit.note:
            return self.env._("%(reason)s: %(note)s", reason=unit.reason.name, note=unit.note)
        return unit.reason.name

    @api.model
    def _keep_customers(self, units):
        """Units repaired for their customer (warranty) stay the customer's."""
        keep = [
            unit for unit in units if unit.disposition == "repair" and unit.reason.keep_customer_on_repair
        ]
        for customer, kept in self._group(keep, lambda unit: unit.partner.commercial_partner_id).items():
            self._lots(kept).sudo().write({"storq_partner_id": customer.id})

    # Routing ----------------------------------------------------------
    @api.model
    def _route_units(self, units, received):
        """Take each received unit where its disposition says; {lot: the document that did it}.

        A unit leaves from where its return put it (`placed`): the return's destination, or the
        shelf of a putaway rule, never from a location where it is not."""
        routed = {}
        placed = self._received_places(received)
        by_disposition = self._group(units, lambda unit: unit.disposition)
        if by_disposition.get("repair"):
            routed.update(self._route_to_repair(by_disposition["repair"], received, placed))
        if by_disposition.get("scrap"):
            routed.update(self._route_to_scrap(by_disposition["scrap"], received, placed))
        if by_disposition.get("write_off"):
            routed.update(self._route_to_loss(by_disposition["write_off"], received, placed))
        return routed

    @api.model
    def _received_places(self, received):
        """{lot: the location its return transfer put it in} (1 query)."""
        pickings = self.env["stock.picking"].union(*received.values())
        return {line.lot_id: line.location_dest_id for line in pickings.move_line_ids}

    @api.model
    def _route_to_repair(self, units, received, placed):
        routed = {}
        for company, company_units in self._group(units, lambda unit: unit.company).items():
            location = company._storq_get_repair_location()
            if not location:
                raise UserError(
                    self.env._(
                        "%(company)s has no repair location: set one in the Inventory settings.",
                        company=company.name,
                    )
                )
            sources = self._group(company_units, lambda unit: placed[unit.lot])
            for source, group in sources.items():
                warehouse = source.warehouse_id or self._get_warehouse(company)
                picking = self.env["stock.picking"].create(
                    {
                        "picking_type_id": warehouse.int_type_id.id,
                        "location_id": source.id,
                        "location_dest_id": location.id,
                        "origin": ", ".join(sorted({received[unit.lot].name for unit in group})),
                        "company_id": company.id,
                    }
                )
                by_product = self._group(group, lambda unit: unit.lot.product_id)
                self._move_units_on(
                    picking,
                    [
                        self._prepare_routing_move_vals(product, same, source, location, company, picking)
                        for product, same in by_product.items()
                    ],
                    by_product.values(),
                )
                for unit in group:
                    routed[unit.lot] = picking
            if "repair.order" in self.env:
                routed.update(self._create_repair_orders(company_units, location))
        return routed

    @api.model
    def _create_repair_orders(self, units, location):
        """One draft repair order per unit, when the Repair app is installed.

        The unit is repaired where it now is. A unit repaired for its customer stays there once
        repaired, waiting to be sent back; the others go where the repair operation type puts
        repaired products (the warehouse's stock by default), sellable again.
        """
        Repair = self.env["repair.order"]
        vals_list = []
        for unit in units:
            for_customer = unit.reason.keep_customer_on_repair
            vals = {
                "product_id": unit.lot.product_id.id,
                "lot_id": unit.lot.id,
                "partner_id": unit.partner.id,
                "company_id": unit.company.id,
                "internal_notes": self._event_note(unit),
            }
            if "product_location_src_id" in Repair._fields:
                vals["product_location_src_id"] = location.id
                if for_customer:
                    vals["product_location_dest_id"] = location.id
            if "under_warranty" in Repair._fields:
                vals["under_warranty"] = for_customer
            vals_list.append(vals)
        repairs = Repair.create(vals_list)
        return dict(zip((unit.lot for unit in units), repairs, strict=True))

    @api.model
    def _route_to_scrap(self, units, received, placed):
        scraps = self.env["stock.scrap"].create(
            [
                {
                    "product_id": unit.lot.product_id.id,
                    "lot_id": unit.lot.id,
                    "scrap_qty": 1,
                    "product_uom_id": unit.lot.product_id.uom_id.id,
                    "location_id": placed[unit.lot].id,
                    "origin": received[unit.lot].name,
                    "company_id": unit.company.id,
                }
                for unit in units
            ]
        )
        scraps.do_scrap()
        return dict(zip((unit.lot for unit in units), scraps, strict=True))

    @api.model
    def _route_to_loss(self, units, received, placed):
        routed = {}
        groups = self._group(units, lambda unit: (unit.lot.product_id, placed[unit.lot], unit.company))
        for (product, source, company), group in groups.items():
            loss = product.with_company(company).property_stock_inventory
            move = self.env["stock.move"].create(
                dict(
                    self._prepare_routing_move_vals(product, group, source, loss, company),
                    name=self.env._("Returned unit written off: %(product)s", product=product.display_name),
                    origin=received[group[0].lot].name,
                )
            )
            move._action_confirm()
            self._set_unit_lines(move, self._lots(group))
            move._action_done()
            for unit in group:
                routed[unit.lot] = move
        return routed

    @api.model
    def _prepare_routing_move_vals(self, product, units, source, destination, company, picking=None):
        return {
            "name": product.display_name,
            "product_id": product.id,
            "product_uom_qty": len(units),
            "product_uom": product.uom_id.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "picking_id": picking.id if picking else False,
            "picking_type_id": picking.picking_type_id.id if picking else False,
            "company_id": company.id,
        }

    @api.model
    def _prepare_record_vals(self, unit, picking, routed):
        lot = unit.lot
        return {
            "lot_id": lot.id,
            "product_id": lot.product_id.id,
            "partner_id": unit.partner.id,
            "sale_id": unit.sale.id,
            "delivery_picking_id": unit.delivery.id,
            "delivered_date": lot.storq_delivered_date,
            "supplier_id": lot.storq_supplier_id.id,
            "reason_id": unit.reason.id,
            "note": unit.note,
            "disposition": unit.disposition,
            "return_picking_id": picking.id,
            "disposition_ref": f"{routed._name},{routed.id}" if routed else False,
            "user_id": self.env.uid,
            "company_id": unit.company.id,
        }
