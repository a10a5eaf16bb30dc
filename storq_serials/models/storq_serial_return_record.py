from odoo import fields
from odoo import models

DISPOSITIONS = [
    ("restock", "Back to sellable stock"),
    ("repair", "To repair"),
    ("scrap", "Scrap"),
    ("write_off", "Write off"),
]


class StorqSerialReturnRecord(models.Model):
    """One unit returned by a customer: what came back, why, and where it went.

    Written when units are taken back (`_return_units`, which the return wizard calls); the
    returns report reads it.
    """

    _name = "storq.serial.return.record"
    _description = "Returned Unit"
    _order = "date desc, id desc"
    _rec_name = "lot_id"
    _check_company_auto = True

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    # Restrict: the return record outlives any attempt to delete its unit.
    lot_id = fields.Many2one(
        "stock.lot", "Unit", required=True, index=True, readonly=True, ondelete="restrict"
    )
    product_id = fields.Many2one("product.product", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", "Customer", index=True, readonly=True)
    sale_id = fields.Many2one("sale.order", "Sale order", index="btree_not_null", readonly=True)
    delivery_picking_id = fields.Many2one("stock.picking", "Delivery", readonly=True)
    delivered_date = fields.Datetime("Delivered on", readonly=True)
    supplier_id = fields.Many2one("res.partner", index="btree_not_null", readonly=True)
    reason_id = fields.Many2one("storq.return.reason", required=True, index=True, readonly=True)
    note = fields.Char(readonly=True)
    disposition = fields.Selection(DISPOSITIONS, required=True, readonly=True)
    date = fields.Datetime(required=True, index=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", "By", readonly=True, default=lambda self: self.env.user)
    return_picking_id = fields.Many2one("stock.picking", "Return", readonly=True)
    disposition_ref = fields.Reference(
        selection="_selection_disposition_ref",
        string="Routed by",
        readonly=True,
        help="The transfer, scrap, stock move or repair order that took the unit where it went.",
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)

    # ------------------------------------------------------------------
    # Selection
    # ------------------------------------------------------------------
    def _selection_disposition_ref(self):
        names = ("stock.picking", "stock.scrap", "stock.move", "repair.order")
        return [(name, self.env[name]._description) for name in names if name in self.env]
