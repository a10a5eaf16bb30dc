from odoo import fields
from odoo import models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_unit_count = fields.Integer("Units", compute="_compute_storq_unit_count")
    storq_claim_count = fields.Integer("Claims", compute="_compute_storq_claim_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_storq_unit_count(self):
        units = self._storq_unit_ids_by_order()
        for order in self:
            order.storq_unit_count = len(units.get(order._origin.id, ()))

    def _compute_storq_claim_count(self):
        orders = self._origin.filtered("id")
        counts = {}
        if orders:
            counts = {
                order.id: count
                for order, count in self.env["storq.warranty.claim"]
                .sudo()
                ._read_group([("sale_id", "in", orders.ids)], ["sale_id"], ["__count"])
            }
        for order in self:
            order.storq_claim_count = counts.get(order._origin.id, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_view_claims(self):
        self.env["storq.serial.input"]._check_one(self)
        return self.env["storq.warranty.claim"]._storq_claims_action(
            self.env._("Claims on %(order)s", order=self.name), [("sale_id", "=", self.id)]
        )

    def action_storq_new_claim(self):
        """The Warranty Lookup for this order: only the units it delivered are offered."""
        self.env["storq.serial.input"]._check_one(self)
        return self.env["stock.lot"]._storq_lookup_action({"default_order_id": self.id})

    def action_storq_view_units(self):
        """The units delivered on this order, also those that came back since."""
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        unit_ids = sorted(self._storq_unit_ids_by_order().get(self.id, ()))
        return self.env["stock.lot"]._storq_units_action(
            self.env._("Units of %(order)s", order=self.name), unit_ids
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_unit_ids_by_order(self):
        """{order id: ids of the units delivered on it}: units whose last delivery was on the
        order, and units with a "delivered" event on one of its transfers (3 queries)."""
        orders = self._origin.filtered("id")  # not the order being created in a form
        result = {order.id: set() for order in orders}
        if not orders:
            return result
        Lot = self.env["stock.lot"].sudo()
        for order, unit_ids in Lot._read_group(
            [("storq_sale_id", "in", orders.ids)], ["storq_sale_id"], ["id:array_agg"]
        ):
            result[order.id].update(unit_ids)
        pickings = self.env["stock.picking"].sudo().search_fetch([("sale_id", "in", orders.ids)], ["sale_id"])
        order_by_ref = {f"stock.picking,{picking.id}": picking.sale_id.id for picking in pickings}
        if order_by_ref:
            events = (
                self.env["storq.serial.event"]
                .sudo()
                .search_fetch(
                    [("event_type", "=", "delivered"), ("document_ref", "in", list(order_by_ref))],
                    ["lot_id", "document_ref"],
                )
            )
            for event in events:
                document = event.document_ref
                result[order_by_ref[f"{document._name},{document.id}"]].add(event.lot_id.id)
        return result
