from collections import defaultdict

from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError


class StorqRecall(models.Model):
    """Quarantine: the recalled units still in stock go to a quarantine location of their
    warehouse, one internal transfer per warehouse."""

    _inherit = "storq.recall"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    quarantine_picking_ids = fields.Many2many(
        "stock.picking", "storq_recall_quarantine_picking_rel", string="Quarantine transfers", copy=False
    )
    quarantine_picking_count = fields.Integer(compute="_compute_quarantine_picking_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("quarantine_picking_ids")
    def _compute_quarantine_picking_count(self):
        for recall in self:
            recall.quarantine_picking_count = len(recall.quarantine_picking_ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_quarantine(self):
        """Create and confirm one internal transfer per warehouse moving the recalled units
        that are in stock (and not in quarantine, nor on a transfer already) to quarantine."""
        self.env["storq.serial.input"]._check_one(self)
        self._storq_check_manager()
        if self.state != "confirmed":
            raise UserError(
                self.env._(
                    "Confirm %(recall)s first: only its blocked units are quarantined.", recall=self.name
                )
            )
        pickings = self.sudo()._storq_create_quarantine_pickings()
        if not pickings:
            raise UserError(
                self.env._(
                    "No unit of %(recall)s is waiting in stock: the units in stock are in quarantine or "
                    "on a transfer already.",
                    recall=self.name,
                )
            )
        self.quarantine_picking_ids = [Command.link(picking.id) for picking in pickings]
        self.message_post(
            body=self.env._(
                "Quarantine transfers created: %(pickings)s", pickings=", ".join(pickings.mapped("name"))
            )
        )
        return self.action_view_quarantine_transfers()

    def action_view_quarantine_transfers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("stock.action_picking_tree_all")
        action["domain"] = [("id", "in", self.quarantine_picking_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_quarantine_units(self):
        """The recalled units in stock (internal location, not quarantine) and on no open
        transfer (2 queries)."""
        lines = self.line_ids.filtered(lambda line: line.state in ("pending", "blocked"))
        lots = lines.lot_id.filtered(
            lambda lot: lot.storq_state == "in_stock"
            and lot.storq_location_id.usage == "internal"
            and not lot.storq_location_id.storq_quarantine
        )
        busy = (
            self.env["stock.move.line"]
            .search([("lot_id", "in", lots.ids), ("state", "not in", ("done", "cancel"))])
            .lot_id
        )
        return lots - busy

    def _storq_create_quarantine_pickings(self):
        by_warehouse = defaultdict(lambda: self.env["stock.lot"])
        for lot in self._storq_quarantine_units():
            by_warehouse[lot.storq_location_id.warehouse_id] |= lot
        pickings = self.env["stock.picking"]
        for warehouse, lots in by_warehouse.items():
            if not warehouse:
                continue
            pickings |= self._storq_quarantine_picking(warehouse, lots)
        return pickings

    def _storq_quarantine_picking(self, warehouse, lots):
        quarantine = warehouse._storq_quarantine_location()
        picking_type = warehouse.with_context(active_test=False).int_type_id
        source = warehouse.lot_stock_id
        if any(not lot.storq_location_id._child_of(source) for lot in lots):
            source = warehouse.view_location_id
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": quarantine.id,
                "origin": self.name,
                "company_id": warehouse.company_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.env._("Quarantine %(recall)s", recall=self.name),
                            "product_id": product.id,
                            "product_uom_qty": len(product_lots),
                            "product_uom": product.uom_id.id,
                            "location_id": source.id,
                            "location_dest_id": quarantine.id,
                        }
                    )
                    for product, product_lots in lots.grouped("product_id").items()
                ],
            }
        )
        picking.action_confirm()
        # Odoo may reserve on confirmation: the transfer takes exactly the recalled units.
        picking.move_ids.move_line_ids.unlink()
        move_by_product = {move.product_id: move for move in picking.move_ids}
        self.env["stock.move.line"].create(
            [
                {
                    "move_id": move_by_product[lot.product_id].id,
                    "picking_id": picking.id,
                    "product_id": lot.product_id.id,
                    "lot_id": lot.id,
                    "quantity": 1,
                    "location_id": lot.storq_location_id.id,
                    "location_dest_id": quarantine.id,
                }
                for lot in lots
            ]
        )
        return picking
