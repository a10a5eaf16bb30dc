from odoo import api
from odoo import fields
from odoo import models


class StockLot(models.Model):
    """A unit's recalls: the lines that name it, and quarantine reached by a done move.

    Loaded after `stock_lot_unit.py`, whose `_storq_record_moves` it extends.
    """

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_recall_line_ids = fields.One2many("storq.recall.line", "lot_id", "Recall lines", readonly=True)
    storq_recall_count = fields.Integer("Recalls", compute="_compute_storq_recall_count")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_storq_recall_count(self):
        counts = dict(
            self.env["storq.recall.line"]._read_group([("lot_id", "in", self.ids)], ["lot_id"], ["__count"])
        )
        for lot in self:
            lot.storq_recall_count = counts.get(lot, 0)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_view_recalls(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("storq_serials.storq_recall_action")
        action["domain"] = [("line_ids.lot_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _storq_record_moves(self, move_lines):
        """Units arriving in a recall quarantine location move their recall lines on."""
        result = super()._storq_record_moves(move_lines)
        quarantined = move_lines.filtered(lambda line: line.location_dest_id.storq_quarantine)
        for picking, lines in quarantined.grouped("picking_id").items():
            self.env["storq.recall.line"]._storq_advance(lines.lot_id, "quarantined", picking or None)
        return result
