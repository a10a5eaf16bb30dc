from odoo import api
from odoo import fields
from odoo import models


class StorqSerialReturnRecord(models.Model):
    """A returned unit under recall points to its recall line (the unit's own moves advance
    the line, see stock.lot `_storq_record_moves`)."""

    _inherit = "storq.serial.return.record"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    recall_line_id = fields.Many2one(
        "storq.recall.line", "Recall line", index="btree_not_null", readonly=True, ondelete="set null"
    )
    recall_id = fields.Many2one(related="recall_line_id.recall_id", string="Recall")

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        # Only blocked units can be under recall: the others cost no query.
        lots = self.env["stock.lot"].browse([vals["lot_id"] for vals in vals_list if vals.get("lot_id")])
        recalled = lots.filtered("storq_blocked")
        if recalled:
            lines = (
                self.env["storq.recall.line"]
                .sudo()
                .search([("lot_id", "in", recalled.ids), ("recall_id.state", "=", "confirmed")], order="id")
            )
            line_of = {line.lot_id.id: line.id for line in lines}
            for vals in vals_list:
                if vals.get("lot_id") in line_of and not vals.get("recall_line_id"):
                    vals["recall_line_id"] = line_of[vals["lot_id"]]
        return super().create(vals_list)
