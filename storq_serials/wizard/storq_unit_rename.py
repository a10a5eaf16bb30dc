from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import UserError

# A unit still in our stock (or never received) may have its serial corrected by whoever
# handles it; once it has left (delivered, returned to the vendor, scrapped...) the serial is
# what a customer or a vendor knows it by, and only a serial manager may correct it.
RENAMABLE_BY_USERS = (False, "in_stock")


class StorqUnitRename(models.TransientModel):
    """Correct the serial of a unit (a typo at receipt), with the reason, kept in its history.

    The new serial is checked like any new serial (format, uniqueness) by `stock.lot.write`.
    """

    _name = "storq.unit.rename"
    _description = "Correct the Serial of a Unit"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    lot_id = fields.Many2one("stock.lot", "Unit", required=True)
    serial = fields.Char("Current serial", related="lot_id.name")
    new_serial = fields.Char("Correct serial", required=True)
    reason = fields.Char(required=True, help="Why the serial was wrong; kept in the unit's history.")

    # ------------------------------------------------------------------
    # Defaults
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "stock.lot" and self.env.context.get("active_id"):
            values["lot_id"] = self.env.context["active_id"]
        return values

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_apply(self):
        self.env["storq.serial.input"]._check_one(self)  # a clear error over RPC
        lot = self.lot_id
        self._check_can_rename(lot)
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason for the correction: it is kept in the unit's history.")
            )
        new_serial = (self.new_serial or "").strip()
        old_serial = lot.name
        # `stock.lot.write` checks and normalises the serial as for any new unit; superuser mode
        # is what lets it through the guard that refuses a plain rename.
        lot.sudo().write({"name": new_serial})
        if lot.name == old_serial:
            raise UserError(
                self.env._(
                    "%(serial)s is already the serial of this unit: nothing to correct.", serial=old_serial
                )
            )
        lot._storq_log_correction("renamed", reason, old_serial, lot.name)
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _check_can_rename(self, lot):
        if not lot.product_id.storq_serial_control:
            raise UserError(
                self.env._(
                    "%(product)s is not under serial control: rename its lot %(serial)s in the lot form.",
                    product=lot.product_id.display_name,
                    serial=lot.name,
                )
            )
        lot._storq_check_company_access()
        if self.env.user.has_group("storq_serials.group_storq_manager"):
            return
        lot.check_access("write")
        if lot.storq_state not in RENAMABLE_BY_USERS:
            states = dict(lot._fields["storq_state"]._description_selection(self.env))
            raise AccessError(
                self.env._(
                    "%(serial)s has left our stock (%(state)s): only a serial manager can correct "
                    "its serial now. Ask one, with the reason.",
                    serial=lot.name,
                    state=states.get(lot.storq_state, lot.storq_state).lower(),
                )
            )
