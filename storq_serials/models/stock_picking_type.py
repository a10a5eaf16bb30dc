from odoo import models


class StockPickingType(models.Model):
    _inherit = "stock.picking.type"

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_storq_scan_screen(self):
        """The scanning screen, listing the open transfers of this operation type."""
        self.env["storq.serial.input"]._check_one(self)
        action = self.env["ir.actions.actions"]._for_xml_id("storq_serials.storq_scan_screen_action")
        action["params"] = {"picking_type_id": self.id}
        return action
