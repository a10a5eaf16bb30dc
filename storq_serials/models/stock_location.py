from odoo import fields
from odoo import models


class StockLocation(models.Model):
    _inherit = "stock.location"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_quarantine = fields.Boolean(
        "Recall quarantine",
        index="btree_not_null",
        copy=False,
        help="Recalled units moved here are counted as quarantined on their recall lines.",
    )
