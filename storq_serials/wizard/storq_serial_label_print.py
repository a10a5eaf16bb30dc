from odoo import Command
from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import UserError

LABEL_SIZE_SELECTION = [
    ("62x29", "62 x 29 mm (Brother DK-11209, DK-22205)"),
    ("57x32", "57 x 32 mm"),
    ("102x51", "102 x 51 mm (4 x 2 in, Zebra)"),
]


class StorqSerialLabelPrint(models.TransientModel):
    """Choose the label size, then print one label per unit (of units, or of transfers)."""

    _name = "storq.serial.label.print"
    _description = "Print Serial Labels"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    label_size = fields.Selection(LABEL_SIZE_SELECTION, "Label size", required=True, default="62x29")
    lot_ids = fields.Many2many("stock.lot", string="Units")
    picking_ids = fields.Many2many("stock.picking", string="Transfers")
    label_count = fields.Integer("Labels", compute="_compute_label_count")

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        active_ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
        if context.get("active_model") == "stock.lot" and "lot_ids" in fields_list:
            values["lot_ids"] = [Command.set(active_ids)]
        elif context.get("active_model") == "stock.picking" and "picking_ids" in fields_list:
            values["picking_ids"] = [Command.set(active_ids)]
        return values

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("lot_ids", "picking_ids")
    def _compute_label_count(self):
        builder = self.env["storq.serial.label"]
        for wizard in self:
            if wizard.picking_ids:
                wizard.label_count = len(builder._get_picking_units(wizard.picking_ids._origin))
            else:
                wizard.label_count = len(wizard.lot_ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_print(self):
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        if not self.label_count:
            raise UserError(
                self.env._(
                    "There is no unit to label: enter the serials of the transfer's units first, "
                    "or select units with a serial."
                )
            )
        source, records = ("picking", self.picking_ids) if self.picking_ids else ("lot", self.lot_ids)
        report = self.env.ref(f"storq_serials.action_report_serial_label_{source}_{self.label_size}")
        action = report.report_action(records, config=False)
        action["close_on_report_download"] = True
        return action
