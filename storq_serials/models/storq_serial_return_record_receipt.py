from odoo import Command
from odoo import api
from odoo import models
from odoo.exceptions import UserError


class StorqSerialReturnRecord(models.Model):
    """Returned units come in with Odoo's own return transfers (`stock.return.picking`).

    One return per delivery, customer and company, made by Odoo's return wizard from the moves
    that delivered the units: the return moves are Odoo's (linked to the delivered moves and the
    order lines, refund flag set), so the order knows its units came back and every module
    extending Odoo's returns takes part. `_return_units` then routes the units.
    """

    _inherit = "storq.serial.return.record"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _receive_units(self, units):
        """Receive the units in one return transfer per delivery and customer; validate them.

        Returns {lot: return picking}. Queries grow with the deliveries and their moves, not
        with the units.
        """
        delivered_moves = self._delivered_moves(units)
        result = {}
        groups = self._group(units, lambda unit: (unit.delivery, unit.partner, unit.company))
        for (delivery, customer, company), group in groups.items():
            picking_vals = self._prepare_return_picking_vals(delivery, customer, company, group[0].sale)
            by_move = self._group(group, lambda unit: delivered_moves.get(unit.lot))
            unknown = by_move.pop(None, [])
            if by_move:
                picking = self._create_odoo_return(delivery, picking_vals, by_move)
                result.update((unit.lot, picking) for same in by_move.values() for unit in same)
            if unknown:
                picking = self._create_return_without_delivery(picking_vals, unknown)
                result.update((unit.lot, picking) for unit in unknown)
        return result

    @api.model
    def _delivered_moves(self, units):
        """{lot: the done move that delivered it on its delivery} (1 query).

        A unit delivered by a move outside any transfer has none."""
        delivery_of = {unit.lot: unit.delivery for unit in units}
        delivery_lines = self.env["stock.move.line"].search(
            [
                ("lot_id", "in", self._lots(units).ids),
                ("state", "=", "done"),
                ("location_dest_id.usage", "=", "customer"),
                ("picking_id", "in", list({unit.delivery.id for unit in units if unit.delivery})),
            ],
            order="date, id",
        )
        delivered_moves = {}
        for move_line in delivery_lines:
            if move_line.picking_id == delivery_of.get(move_line.lot_id):
                delivered_moves[move_line.lot_id] = move_line.move_id
        return delivered_moves

    @api.model
    def _create_odoo_return(self, delivery, picking_vals, by_move):
        """Return `delivery`'s units with Odoo's return wizard; put each unit on its line.

        `by_move` is {delivered move: its units}: one wizard line per move, for as many units
        as come back from it. The return is received where `picking_vals` says (the wizard's
        own default for a delivery; the order's warehouse for a dropship); validated.
        """
        ReturnPicking = self.env["stock.return.picking"]
        wizard = ReturnPicking.create(
            {
                "picking_id": delivery.id,
                "storq_picking_type_id": picking_vals["picking_type_id"],
                "storq_location_id": picking_vals["location_id"],
                "storq_location_dest_id": picking_vals["location_dest_id"],
                "storq_partner_id": picking_vals["partner_id"],
                "product_return_moves": [
                    Command.create(
                        dict(
                            ReturnPicking._prepare_stock_return_picking_line_vals_from_move(move),
                            quantity=len(same),
                        )
                    )
                    for move, same in by_move.items()
                ],
            }
        )
        picking = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        moves = {move.origin_returned_move_id: move for move in picking.move_ids}
        for origin, same in by_move.items():
            self._set_unit_lines(moves[origin], self._lots(same))
        self._validate(picking)
        return picking

    @api.model
    def _create_return_without_delivery(self, picking_vals, units):
        """A return receipt for units no transfer delivered, built from the same values.

        Odoo's return wizard starts from a delivery: a unit delivered by a move outside any
        transfer has none, so its return is made here, one move per product."""
        picking = self.env["stock.picking"].create(picking_vals)
        by_product = self._group(units, lambda unit: unit.lot.product_id)
        self._move_units_on(
            picking,
            [
                self._prepare_return_move_vals(picking, product, self._lots(same))
                for product, same in by_product.items()
            ],
            by_product.values(),
        )
        return picking

    @api.model
    def _move_units_on(self, picking, move_vals_list, unit_groups):
        """Create `picking`'s moves, one per group of `unit_groups`, put each group's units on
        its move and validate the transfer."""
        moves = self.env["stock.move"].create(move_vals_list)
        picking.action_confirm()
        for move, units in zip(moves, unit_groups):
            self._set_unit_lines(move, self._lots(units))
        self._validate(picking)

    @api.model
    def _prepare_return_picking_vals(self, delivery, customer, company, sale):
        """A receipt from the customer into the warehouse that delivered the units.

        A dropship (Odoo's Dropship app) belongs to no warehouse and its own return goes back
        to the vendor: its units come back to the order's warehouse, with that warehouse's
        receipt type (or the delivery's return type when it is a receipt)."""
        warehouse = (
            delivery.picking_type_id.warehouse_id
            or sale.warehouse_id.filtered(lambda order_warehouse: order_warehouse.company_id == company)
            or self._get_warehouse(company)
        )
        picking_type = delivery.picking_type_id.return_picking_type_id
        if picking_type.code != "incoming":
            picking_type = warehouse.in_type_id
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
                "Return of %(document)s", document=(delivery or sale or customer).display_name
            ),
            "return_id": delivery.id,
            "company_id": company.id,
        }

    @api.model
    def _prepare_return_move_vals(self, picking, product, lots):
        """A return move of `lots` no transfer delivered (see `_create_return_without_delivery`).

        Linked to the order line the units were sold on, with the refund flag Odoo's return sets,
        so the order knows they came back."""
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
            "sale_line_id": lots[:1].storq_sale_line_id.id,
            "to_refund": True,
            "procure_method": "make_to_stock",
            "group_id": lots[:1].storq_sale_id.procurement_group_id.id,
            "warehouse_id": picking.picking_type_id.warehouse_id.id,
            "company_id": picking.company_id.id,
        }

    @api.model
    def _get_warehouse(self, company):
        return self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    @api.model
    def _set_unit_lines(self, move, lots):
        """Replace `move`'s lines by one picked line of one unit per lot.

        The values are Odoo's (`stock.move._prepare_move_line_vals`, which modules extend),
        plus the unit. The lines Odoo reserved carry no unit, but each its place by the
        putaway rules: the units take those places. Writing a unit on each line would cost
        queries per unit; the lines are replaced in one batch instead."""
        places = [line.location_dest_id.id for line in move.move_line_ids]
        move.move_line_ids.unlink()
        base = move._prepare_move_line_vals(quantity=1)
        vals_list = [dict(base, lot_id=lot.id, picked=True) for lot in lots]
        for vals, place in zip(vals_list, places):
            vals["location_dest_id"] = place
        return self.env["stock.move.line"].create(vals_list)

    @api.model
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
