from odoo import api
from odoo import models
from odoo.exceptions import UserError


class StorqSerialReturnRecord(models.Model):
    """Returned units come in with real return transfers, as Odoo's own return makes them.

    One transfer per delivery, customer and company, linked to the delivery's moves and
    order lines so the order knows its units came back; `_return_units` then routes them.
    """

    _inherit = "storq.serial.return.record"

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _receive_units(self, units):
        """Receive the units in one return transfer per delivery and customer; validate them.

        Returns {lot: return picking}.
        """
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
        delivery_move = {}
        for move_line in delivery_lines:
            if move_line.picking_id == delivery_of.get(move_line.lot_id):
                delivery_move[move_line.lot_id] = move_line.move_id
        result = {}
        groups = self._group(units, lambda unit: (unit.delivery, unit.partner, unit.company))
        for (delivery, customer, company), group in groups.items():
            picking = self.env["stock.picking"].create(
                self._prepare_return_picking_vals(delivery, customer, company, group[0].sale)
            )
            by_move = self._group(group, lambda unit: (unit.lot.product_id, delivery_move.get(unit.lot)))
            self._move_units_on(
                picking,
                [
                    self._prepare_return_move_vals(picking, product, origin, self._lots(same), delivery)
                    for (product, origin), same in by_move.items()
                ],
                by_move.values(),
            )
            for unit in group:
                result[unit.lot] = picking
        return result

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

    @api.model
    def _get_warehouse(self, company):
        return self.env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)

    @api.model
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
