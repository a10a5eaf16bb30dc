from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

from ..models.stock_lot_unit import UNIT_STATES

# The record fields a manager may correct, named as on the unit. Blocking has its own action
# (Block Units / Unblock Units); the serial its own (Correct Serial).
CORRECTABLE_FIELDS = (
    "storq_state",
    "storq_location_id",
    "storq_partner_id",
    "storq_sale_id",
    "storq_sale_line_id",
    "storq_delivery_picking_id",
    "storq_delivered_date",
    "storq_supplier_id",
    "storq_purchase_id",
    "storq_receipt_picking_id",
    "storq_received_date",
)


class StorqUnitCorrect(models.TransientModel):
    """A serial manager's correction of a unit record, with the reason, kept in its history.

    The record is otherwise written only by the stock moves: this is the one door for a
    person, and every use of it leaves a "Record corrected" event with the values before and
    after. It corrects the record only; stock itself moves with transfers.
    """

    _name = "storq.unit.correct"
    _description = "Correct a Unit Record"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    lot_id = fields.Many2one("stock.lot", "Unit", required=True)
    reason = fields.Char(required=True, help="Why the record was wrong; kept in the unit's history.")
    storq_state = fields.Selection(UNIT_STATES, "Unit status")
    storq_location_id = fields.Many2one("stock.location", "Current location")
    storq_partner_id = fields.Many2one("res.partner", "Customer")
    storq_sale_id = fields.Many2one("sale.order", "Sale order")
    storq_sale_line_id = fields.Many2one(
        "sale.order.line", "Sale order line", domain="[('order_id', '=', storq_sale_id)]"
    )
    storq_delivery_picking_id = fields.Many2one("stock.picking", "Delivery")
    storq_delivered_date = fields.Datetime("Delivered on")
    storq_supplier_id = fields.Many2one("res.partner", "Supplier")
    storq_purchase_id = fields.Many2one("purchase.order", "Purchase order")
    storq_receipt_picking_id = fields.Many2one("stock.picking", "First receipt")
    storq_received_date = fields.Datetime("Received on")

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        """The unit's record as it is, to be corrected."""
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "stock.lot" and self.env.context.get("active_id"):
            lot = self.env["stock.lot"].browse(self.env.context["active_id"])
            values["lot_id"] = lot.id
            for name in CORRECTABLE_FIELDS:
                if name in fields_list:
                    values[name] = lot._fields[name].convert_to_write(lot[name], lot)
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply(self):
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        if not self.env.user.has_group("storq_serials.group_storq_manager"):
            raise AccessError(self.env._("Only serial managers can correct a unit record."))
        lot = self.lot_id
        lot._storq_check_company_access()
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for the correction: it is kept in the unit's history.")
            )
        changes = {name: self[name] for name in CORRECTABLE_FIELDS if self[name] != lot[name]}
        if not changes:
            raise UserError(
                self.env._("Nothing to correct: change at least one value of %(serial)s.", serial=lot.name)
            )
        self._check_consistency()
        old_value = self._describe(lot, changes)
        lot.sudo().write(
            {name: self._fields[name].convert_to_write(value, self) for name, value in changes.items()}
        )
        lot._storq_log_correction("corrected", reason, old_value, self._describe(lot, changes))
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_consistency(self):
        """A unit in stock is somewhere in our stock; a delivered one is with a customer."""
        if self.storq_state in ("in_stock", "in_repair") and self.storq_location_id.usage not in (
            "internal",
            "transit",
        ):
            raise UserError(
                self.env._("A unit in stock or in repair needs its current location, in your warehouse.")
            )
        if self.storq_state == "delivered" and not self.storq_partner_id:
            raise UserError(self.env._("A delivered unit needs the customer who holds it."))

    def _describe(self, record, changes):
        """ "Label: value" lines of the `changes` fields, as `record` has them."""
        lines = []
        for name in changes:
            field = self._fields[name]
            value = record[name]
            if field.type == "selection":
                text = dict(field._description_selection(self.env)).get(value) or "-"
            elif field.type == "many2one":
                text = value.sudo().display_name or "-"
            elif field.type == "datetime":
                text = fields.Datetime.to_string(value) if value else "-"
            else:
                text = value or "-"
            lines.append(f"{field._description_string(self.env)}: {text}")
        return "\n".join(lines)
