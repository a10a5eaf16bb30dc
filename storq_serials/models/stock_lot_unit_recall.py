from odoo import api
from odoo import fields
from odoo import models

# Where a recalled unit's done move takes its recall line: {event type: (state, resolution)}.
RECALL_STEPS = {
    "returned": ("returned", None),
    "scrapped": ("resolved", "scrapped"),
    "written_off": ("resolved", "scrapped"),
}
# A unit leaving repair for stock or a customer has been repaired.
REPAIRED_TO = ("in_stock", "delivered")


class StockLot(models.Model):
    """A unit's recalls: the lines that name it, and how its done moves advance them (steps of
    `stock.lot._storq_record_moves`).
    """

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_recall_line_ids = fields.One2many("storq.recall.line", "lot_id", "Recall lines", readonly=True)
    # storq_recall_count: stock_lot_form_counts.py (read with the form's other counts)

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
    def _storq_recall_before_moves(self, move_lines):
        """(recalled units among the moved ones, those of them in repair): what
        `_storq_recall_after_moves` needs from before the unit records change. Only blocked units
        are looked at (a recalled unit stays blocked until its recall closes), so other moves
        cost no query."""
        recalled = move_lines.lot_id.filtered("storq_blocked")
        return recalled, recalled.filtered(lambda lot: lot.storq_state == "in_repair")

    @api.model
    def _storq_recall_after_moves(self, move_lines, before):
        """Recalled units advance their recall lines as they really move (the one place where
        stock moves do): into a quarantine location (quarantined), back from the customer
        (returned), scrapped or written off (resolved: scrapped), out of repair (resolved:
        repaired)."""
        Line = self.env["storq.recall.line"]
        quarantined = move_lines.filtered(lambda line: line.location_dest_id.storq_quarantine)
        for picking, lines in quarantined.grouped("picking_id").items():
            Line._storq_advance(lines.lot_id, "quarantined", picking or None)
        recalled, was_in_repair = before
        if not recalled:
            return
        steps = {}
        for line in move_lines.sorted(lambda line: (line.date, line.id)):
            if line.lot_id not in recalled:
                continue
            destination = line.location_dest_id.usage
            if line.location_id.usage == "customer" and destination in ("internal", "transit"):
                steps.setdefault(line.lot_id, RECALL_STEPS["returned"])
            elif destination == "inventory":
                steps[line.lot_id] = RECALL_STEPS["scrapped"]
        for lot in was_in_repair:
            if lot.storq_state in REPAIRED_TO and lot not in steps:
                steps[lot] = ("resolved", "repaired")
        document = move_lines.picking_id[:1] or move_lines.move_id.scrap_id[:1] or None
        returned = self.browse([lot.id for lot, step in steps.items() if step[0] == "returned"])
        # A unit returned and scrapped in the same batch passes through "returned" first.
        came_back = move_lines.filtered(lambda line: line.location_id.usage == "customer").lot_id & recalled
        if returned | came_back:
            Line._storq_advance(returned | came_back, "returned", document=document)
        for resolution in ("scrapped", "repaired"):
            lots = self.browse([lot.id for lot, step in steps.items() if step == ("resolved", resolution)])
            if lots:
                Line._storq_advance(lots, "resolved", document=document, resolution=resolution)
