from odoo import fields
from odoo import models
from odoo.tools import SQL

# The unit form's smart buttons: {count field: (model counted, its field naming the unit)}.
COUNTED = {
    "storq_claim_count": ("storq.warranty.claim", "lot_id"),
    "storq_recall_count": ("storq.recall.line", "lot_id"),
}


class StockLot(models.Model):
    """The counts of a unit's smart buttons (its claims, its recalls), read together: opening a
    unit reads them in one query, not a grouped read each (issue 13: the unit's form)."""

    _inherit = "stock.lot"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_claim_count = fields.Integer("Claims", compute="_compute_storq_form_counts")
    storq_recall_count = fields.Integer("Recalls", compute="_compute_storq_form_counts")

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    def _compute_storq_form_counts(self):
        """One query for the batch and every count, each under the user's record rules (the
        query of `_search`); records of a model the user may not read are not counted."""
        selects = []
        for field_name, (model_name, lot_field) in COUNTED.items():
            Model = self.env[model_name]
            if not self.ids or not Model.has_access("read"):
                continue
            Model.flush_model([lot_field])
            query = Model._search([(lot_field, "in", self.ids)])
            selects.append(query.subselect(SQL.identifier(Model._table, lot_field), SQL("%s", field_name)))
        counts = {}
        if selects:
            self.env.cr.execute(
                SQL(
                    "SELECT lot_id, counted, count(*) FROM (%s) AS found(lot_id, counted)"
                    " GROUP BY lot_id, counted",
                    SQL(" UNION ALL ").join(selects),
                )
            )
            counts = {(lot_id, counted): count for lot_id, counted, count in self.env.cr.fetchall()}
        for lot in self:
            for field_name in COUNTED:
                lot[field_name] = counts.get((lot._origin.id, field_name), 0)
