from odoo import fields
from odoo import models


class StockReturnPicking(models.TransientModel):
    """Odoo's return wizard, where Return Units takes units back to a place of its own choice.

    Return Units (`storq.serial.return.record._receive_units`) creates its return transfers
    with this wizard, so they are Odoo's returns in every respect (moves copied from the
    delivered ones, linked to them and to the order, refund flag, chatter link). Only where a
    unit goes may differ from Odoo's default: a dropship's return goes back to its vendor,
    while Return Units receives the units into the order's warehouse. The fields below, empty
    in Odoo's own return, say so.
    """

    _inherit = "stock.return.picking"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_picking_type_id = fields.Many2one(
        "stock.picking.type", "Return type", help="The return's operation type, instead of Odoo's."
    )
    storq_location_id = fields.Many2one(
        "stock.location", "Return from", help="Where the units come back from, instead of Odoo's."
    )
    storq_location_dest_id = fields.Many2one(
        "stock.location", "Return to", help="Where the units are received, instead of Odoo's."
    )
    storq_partner_id = fields.Many2one(
        "res.partner", "Returned by", help="The customer sending the units back, instead of Odoo's."
    )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _prepare_picking_default_values(self):
        vals = super()._prepare_picking_default_values()
        overrides = {
            "picking_type_id": self.storq_picking_type_id,
            "location_id": self.storq_location_id,
            "location_dest_id": self.storq_location_dest_id,
            "partner_id": self.storq_partner_id,
        }
        vals.update({name: record.id for name, record in overrides.items() if record})
        return vals
