from odoo import api
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
    """Recalled units advance their recall line as they really move: back from the customer
    (returned), scrapped or written off (resolved: scrapped), out of repair (resolved: repaired).

    The one place where stock moves advance recall lines. Only blocked units are looked at (a
    recalled unit is blocked until its recall closes), so other moves cost no query. (The file
    loads after stock_lot_unit.py, whose `_storq_record_moves` it extends.)
    """

    _inherit = "stock.lot"

    @api.model
    def _storq_record_moves(self, move_lines):
        recalled = move_lines.lot_id.filtered("storq_blocked")
        was_in_repair = recalled.filtered(lambda lot: lot.storq_state == "in_repair")
        super()._storq_record_moves(move_lines)
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
        Line = self.env["storq.recall.line"]
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
