from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

from .storq_serial_return_record import DISPOSITIONS


class StorqWarrantyClaim(models.Model):
    """The remedies of an approved claim, through the module's returns and Odoo's flows.

    - repair: the unit comes back (`_return_units`, disposition repair: a repair order when
      the Repair app is installed, else the module's repair transfer); once repaired it is
      delivered back and gets the repair warranty;
    - replace: the unit comes back and a unit of the same product from stock is delivered by
      an outgoing transfer of the warehouse, validated like any other (the rulebook checks it);
      it inherits the remaining coverage;
    - refund: the unit comes back and the order gets a credit note for it;
    - goodwill: nothing moves.
    """

    _inherit = "storq.warranty.claim"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    return_disposition = fields.Selection(
        DISPOSITIONS,
        "Returned unit goes to",
        default="repair",
        help="Where the faulty unit goes once back, for a replacement or a refund. A repaired "
        "unit always goes to repair.",
    )
    return_record_id = fields.Many2one(
        "storq.serial.return.record", "Return", readonly=True, copy=False, index="btree_not_null"
    )
    return_picking_id = fields.Many2one(
        related="return_record_id.return_picking_id", string="Return transfer"
    )
    repair_ref = fields.Reference(
        selection="_selection_repair_ref",
        string="Repair",
        readonly=True,
        copy=False,
        help="The repair order (Repair app) or the transfer to the repair location.",
    )
    replacement_lot_id = fields.Many2one(
        "stock.lot",
        "Replacement unit",
        copy=False,
        check_company=True,
        domain="[('product_id', '=', product_id), ('storq_state', '=', 'in_stock'), "
        "('storq_blocked', '=', False), ('id', '!=', lot_id)]",
        help="A unit of the same product in stock, delivered to the customer instead.",
    )
    out_picking_id = fields.Many2one(
        "stock.picking",
        "Delivery to the customer",
        readonly=True,
        copy=False,
        help="The replacement unit, or the repaired unit, on its way to the customer.",
    )
    credit_note_id = fields.Many2one("account.move", "Credit note", readonly=True, copy=False)
    picking_count = fields.Integer("Transfers", compute="_compute_picking_count")
    resolution_started = fields.Boolean(compute="_compute_picking_count")

    # ------------------------------------------------------------------
    # Selection and compute
    # ------------------------------------------------------------------
    @api.model
    def _selection_repair_ref(self):
        names = ("repair.order", "stock.picking")
        return [(name, self.env[name]._description) for name in names if name in self.env]

    def _compute_picking_count(self):
        for claim in self:
            claim.picking_count = len(claim._pickings())
            claim.resolution_started = claim._has_started_resolution()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply_resolution(self):
        """Start the approved remedy: the return, the replacement, the credit note."""
        self.ensure_one()
        self._check_state(("approved",))
        if self._has_started_resolution():
            raise UserError(self.env._("%(claim)s: the resolution is already under way.", claim=self.name))
        getattr(self, f"_resolve_{self.resolution}")()

    def action_deliver_repaired(self):
        """The unit is repaired: send it back to the customer, give it the repair warranty."""
        self.ensure_one()
        self._check_state(("approved",))
        if self.resolution != "repair" or not self.return_record_id or self.out_picking_id:
            raise UserError(
                self.env._(
                    "%(claim)s: only a unit sent to repair for this claim, and not yet sent back, "
                    "can be delivered as repaired.",
                    claim=self.name,
                )
            )
        repair = self.repair_ref
        if repair and repair._name == "repair.order" and repair.state != "done":
            raise UserError(
                self.env._(
                    "%(claim)s: the repair order %(repair)s is not done yet. End the repair first, "
                    "then send the unit back.",
                    claim=self.name,
                    repair=repair.name,
                )
            )
        self.out_picking_id = self._deliver_unit(self.lot_id)
        self.lot_id.sudo()._storq_apply_repair_warranty(self)
        self._mark_resolved()

    def action_view_pickings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self._pickings().ids)]
        action["context"] = {"create": False}
        return action

    def action_view_repair(self):
        self.ensure_one()
        return self._open_record(self.repair_ref)

    def action_view_credit_note(self):
        self.ensure_one()
        return self._open_record(self.credit_note_id)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _has_started_resolution(self):
        self.ensure_one()
        started = self.return_record_id or self.out_picking_id or self.credit_note_id
        return bool(started) or super()._has_started_resolution()

    def _pickings(self):
        self.ensure_one()
        pickings = self.return_picking_id | self.out_picking_id
        if self.repair_ref and self.repair_ref._name == "stock.picking":
            pickings |= self.repair_ref
        return pickings

    def _open_record(self, record):
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "views": [(False, "form")],
        }

    def _resolve_goodwill(self):
        self._mark_resolved()

    def _resolve_repair(self):
        record = self._take_unit_back("warranty", "repair")
        self.repair_ref = record.disposition_ref

    def _resolve_replace(self):
        replacement = self.replacement_lot_id
        if not replacement:
            raise UserError(
                self.env._(
                    "%(claim)s: choose the replacement unit (a unit of %(product)s in stock) first.",
                    claim=self.name,
                    product=self.product_id.display_name,
                )
            )
        if replacement.product_id != self.product_id:
            raise UserError(
                self.env._(
                    "%(serial)s is a unit of %(other)s: the replacement must be a unit of %(product)s.",
                    serial=replacement.name,
                    other=replacement.product_id.display_name,
                    product=self.product_id.display_name,
                )
            )
        self._take_unit_back("defective", self.return_disposition or "repair")
        self.out_picking_id = self._deliver_unit(replacement)
        replacement.sudo()._storq_inherit_warranty(self.lot_id.sudo(), self)
        replacement._storq_log_events(
            "claim_replacement",
            self.env._("Replaces %(serial)s (%(claim)s)", serial=self.lot_id.name, claim=self.name),
            self,
        )
        self._mark_resolved()

    def _resolve_refund(self):
        line = self.sale_line_id
        if not line or line.qty_invoiced <= 0:
            raise UserError(
                self.env._(
                    "%(claim)s: %(serial)s was not invoiced on a sale order, so there is nothing to "
                    "refund. Invoice the order first, or choose another resolution.",
                    claim=self.name,
                    serial=self.lot_id.name,
                )
            )
        self._take_unit_back("defective", self.return_disposition or "repair")
        self.credit_note_id = self._create_credit_note()
        self._mark_resolved()

    def _take_unit_back(self, reason_code, disposition):
        """The unit comes back from the customer through `_return_units`; its return record."""
        reason = self.env.ref(f"storq_serials.return_reason_{reason_code}")
        record = self.env["storq.serial.return.record"]._return_units(
            [
                {
                    "lot_id": self.lot_id.id,
                    "reason_id": reason.id,
                    "disposition": disposition,
                    "note": self.env._("Warranty claim %(claim)s", claim=self.name),
                    "partner_id": self.lot_id.sudo().storq_partner_id.id or self.partner_id.id,
                    "sale_id": self.sale_id.id,
                    "delivery_picking_id": self.delivery_picking_id.id,
                    "company_id": self.company_id.id,
                }
            ]
        )
        self.return_record_id = record
        return record

    def _deliver_unit(self, lot):
        """Deliver `lot` to the customer from where it is, with the warehouse's delivery type.

        Linked to the order line of the claimed unit: the order counts it delivered again
        (its return took the claimed unit off). Validated by Odoo's flow, so the rulebook
        decides whether this unit may leave."""
        Record = self.env["storq.serial.return.record"]
        source = lot.sudo().storq_location_id
        if lot.sudo().storq_state not in ("in_stock", "in_repair") or not source:
            raise UserError(
                self.env._(
                    "%(situation)s: only a unit in our stock can be delivered to the customer.",
                    situation=lot._storq_situation(),
                )
            )
        warehouse = source.warehouse_id or Record._get_warehouse(self.company_id)
        destination = self.partner_id.property_stock_customer
        line = self.sale_line_id.filtered(lambda sale_line: sale_line.product_id == lot.product_id)
        group = line.order_id.procurement_group_id
        return self._storq_send_unit(
            lot,
            warehouse.out_type_id,
            self.partner_id,
            destination,
            {"move_type": group.move_type or warehouse.out_type_id.move_type, "group_id": group.id},
            {"sale_line_id": line.id, "group_id": group.id},
        )

    def _storq_send_unit(self, lot, picking_type, partner, destination, picking_vals, move_vals):
        """A transfer of `picking_type` taking `lot` from where it is to `partner` at
        `destination`, validated through Odoo's flow (the rulebook decides whether the unit may
        leave); `picking_vals` and `move_vals` link it to its order."""
        Record = self.env["storq.serial.return.record"]
        source = lot.sudo().storq_location_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "move_type": picking_type.move_type,
                "partner_id": partner.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "origin": self.name,
                "company_id": self.company_id.id,
                **picking_vals,
                "move_ids": [
                    Command.create(
                        {
                            "name": lot.product_id.display_name,
                            "product_id": lot.product_id.id,
                            "product_uom_qty": 1,
                            "product_uom": lot.product_id.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                            "partner_id": partner.id,
                            "company_id": self.company_id.id,
                            **move_vals,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        Record._set_unit_lines(picking.move_ids, lot.with_env(self.env))
        Record._validate(picking)
        return picking

    def _create_credit_note(self):
        """A draft credit note for the claimed unit, made by the order's invoicing: the order
        line's price, taxes and accounts, linked to the line so that the order knows."""
        order = self.sale_id
        line = self.sale_line_id
        vals = order._prepare_invoice()
        vals.update(
            move_type="out_refund",
            invoice_origin=self.env._("%(order)s (claim %(claim)s)", order=order.name, claim=self.name),
            invoice_line_ids=[Command.create(line._prepare_invoice_line(quantity=1))],
        )
        move = self.env["account.move"].with_company(self.company_id).create(vals)
        move.message_post(body=self.env._("Credit note for the warranty claim %(claim)s", claim=self.name))
        return move

    def _mark_resolved(self):
        self.write({"state": "resolved"})
        self._log_unit_events("claim_resolved")
