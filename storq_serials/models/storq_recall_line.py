from odoo import api
from odoo import fields
from odoo import models

SITUATIONS = [
    ("in_stock", "In stock"),
    ("reserved", "Reserved on an open transfer"),
    ("in_transit", "In transit"),
    ("at_customer", "At a customer"),
    ("in_repair", "In repair"),
    ("scrapped", "Scrapped or written off"),
    ("returned_to_vendor", "Returned to vendor"),
    ("unknown", "Never moved"),
]

LINE_STATES = [
    ("pending", "Pending"),
    ("blocked", "Blocked"),
    ("quarantined", "Quarantined"),
    ("notified", "Notified"),
    ("acknowledged", "Acknowledged"),
    ("returned", "Returned"),
    ("resolved", "Resolved"),
    ("unreachable", "Unreachable"),
]
# A line only moves forward; "unreachable" closes a line like "resolved" does.
STATE_RANK = {state: rank for rank, (state, _label) in enumerate(LINE_STATES)}
CLOSED_STATES = ("resolved", "unreachable")

RESOLUTIONS = [
    ("repaired", "Repaired"),
    ("replaced", "Replaced"),
    ("refunded", "Refunded"),
    ("scrapped", "Scrapped"),
]


class StorqRecallLine(models.Model):
    """One affected unit of a recall, with where it was when the recall was confirmed and how
    far its recovery has come."""

    _name = "storq.recall.line"
    _description = "Recalled Unit"
    _order = "recall_id, id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    recall_id = fields.Many2one("storq.recall", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one("res.company", required=True, index=True)
    lot_id = fields.Many2one("stock.lot", "Unit", required=True, ondelete="restrict", index=True)
    product_id = fields.Many2one("product.product", required=True, index=True)
    partner_id = fields.Many2one(
        "res.partner",
        "Customer",
        index="btree_not_null",
        help="The customer holding the unit at confirmation.",
    )
    location_id = fields.Many2one("stock.location", help="Where the unit was at confirmation.")
    situation = fields.Selection(SITUATIONS, required=True, help="Where the unit was at confirmation.")
    state = fields.Selection(LINE_STATES, required=True, default="pending", index=True)
    resolution = fields.Selection(RESOLUTIONS)
    date_done = fields.Datetime("Closed on", readonly=True)

    # ------------------------------------------------------------------
    # SQL constraints
    # ------------------------------------------------------------------
    _sql_constraints = [
        ("recall_lot_unique", "unique(recall_id, lot_id)", "A unit is listed once per recall."),
    ]

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _storq_advance(self, lots, state, document=None, resolution=None):
        """Move the open lines of `lots` (in any recall) forward to `state`, never backwards.

        Each unit whose line moved gets one history event naming the recall. Returns the lines
        moved. Two queries for the search and one write per distinct starting point: constant
        in the number of units.
        """
        if not lots:
            return self.browse()
        rank = STATE_RANK[state]
        lower = [name for name, value in STATE_RANK.items() if value < rank and name not in CLOSED_STATES]
        lines = self.sudo().search([("lot_id", "in", lots.ids), ("state", "in", lower)])
        if not lines:
            return lines
        vals = {"state": state}
        if resolution:
            vals["resolution"] = resolution
        if state in CLOSED_STATES:
            vals["date_done"] = fields.Datetime.now()
        lines.write(vals)
        states = dict(self._fields["state"]._description_selection(self.env))
        for recall, recall_lines in lines.grouped("recall_id").items():
            note = self.env._("%(recall)s: %(state)s", recall=recall.name, state=states[state])
            recall_lines.lot_id.sudo()._storq_log_events("recalled", note, document or recall)
        return lines.with_env(self.env)
