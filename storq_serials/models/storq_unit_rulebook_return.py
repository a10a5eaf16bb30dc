from odoo import api
from odoo import models

from .storq_unit_rulebook import Refusal


class StorqUnitRulebook(models.AbstractModel):
    """The rulebook's customer returns (rule 2): only the unit sold comes back."""

    _inherit = "storq.unit.rulebook"

    # ------------------------------------------------------------------
    # Business methods: customer returns
    # ------------------------------------------------------------------
    @api.model
    def _storq_return_verdicts(self, claims):
        """Why each claimed customer return is refused, or False (`stock.lot._storq_return_refusals`:
        claims are (unit, customer, order, delivery)). Return Units asks this, as validation does."""
        return self.env["stock.lot"]._storq_return_refusals(claims)

    @api.model
    def _storq_return_movement_verdicts(self, movements, units):
        """{index: verdict} for the movements from a customer to anywhere else (rule 2)."""
        indexes = [
            index
            for index, movement in enumerate(movements)
            if movement.source.usage == "customer"
            and movement.destination.usage != "customer"
            and movement.product.storq_serial_control
        ]
        if not indexes:
            return {}
        Lot = self.env["stock.lot"]
        companies = Lot._storq_unit_companies(Lot.union(*(units[index] for index in indexes)))
        verdicts, claimed = {}, []
        for index in indexes:
            movement, unit = movements[index], units[index]
            refusal = self._storq_product_refusal(movement, unit)
            if refusal:
                verdicts[index] = Refusal(refusal, "product")
                continue
            if not unit:
                verdicts[index] = Refusal(
                    self.env._(
                        "%(serial)s is not a known unit: it was never delivered.",
                        serial=movement.serial or "-",
                    ),
                    "return",
                )
                continue
            company = self._storq_movement_company(movement)
            if companies[unit.id] not in (company, company.browse()):
                verdicts[index] = Refusal(
                    self.env._(
                        "%(serial)s is a unit of another company: it cannot come back to %(company)s.",
                        serial=unit.name,
                        company=company.name,
                    ),
                    "return",
                )
                continue
            claimed.append((index, self._storq_return_claim(movement, unit.sudo())))
        refusals = self._storq_return_verdicts([claim for _index, claim in claimed])
        for (index, claim), refusal in zip(claimed, refusals):
            if not refusal:
                verdicts[index] = False
                continue
            lot, partner, order, delivery = claim
            movement = movements[index]
            picking = (
                movement.line.picking_id
                if movement.line
                else movement.move.picking_id
                if movement.move
                else None
            )
            suspicious = Lot._storq_prepare_suspicious_return_vals(
                lot, partner, refusal, document=picking or order or delivery
            )
            verdicts[index] = Refusal(refusal, "return", suspicious)
        return verdicts

    @api.model
    def _storq_return_claim(self, movement, unit):
        """(unit, customer, order, delivery) that a movement from a customer claims for its unit."""
        move = movement.move or self.env["stock.move"]
        line = movement.line
        picking = line.picking_id if line else move.picking_id
        origin = move.origin_returned_move_id
        if origin.picking_code == "dropship":
            # A dropship's partner is its vendor, and its return may keep it: the customer who
            # got the units is on the dropship's moves, as on the unit record.
            partner = origin.partner_id or move.partner_id
        elif picking.picking_type_id.code == "dropship":
            partner = move.partner_id or picking.partner_id
        else:
            partner = picking.partner_id or move.partner_id
        order = move.sale_line_id.order_id or origin.sale_line_id.order_id
        delivery = origin.picking_id if origin and not order else self.env["stock.picking"]
        return unit, partner, order, delivery
