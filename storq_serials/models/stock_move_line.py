from odoo import api
from odoo import models
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare
from odoo.tools.float_utils import float_is_zero

MAX_LISTED_LINES = 20


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.filtered("lot_name")._storq_check_lot_names()
        return lines

    def write(self, vals):
        result = super().write(vals)
        if vals.get("lot_name") or "product_id" in vals:
            self.filtered("lot_name")._storq_check_lot_names()
        return result

    def _action_done(self):
        self._storq_check_one_serial_per_unit()
        result = super()._action_done()
        # Lines of zero quantity were deleted by Odoo; lots were created from lot names.
        done = self.exists().filtered(lambda line: line.lot_id and line.product_id.storq_serial_control)
        if done:
            self.env["stock.lot"]._storq_record_moves(done)
        return result

    def _create_and_assign_production_lot(self):
        # A unit's history starts with its "received" event: the chatter's per-lot
        # creation message would only repeat it, at a cost that grows with the receipt.
        controlled = self.filtered(lambda line: line.product_id.storq_serial_control)
        if controlled:
            super(
                StockMoveLine, controlled.with_context(mail_create_nolog=True)
            )._create_and_assign_production_lot()
        others = self - controlled
        if others:
            super(StockMoveLine, others)._create_and_assign_production_lot()
        return None

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_check_lot_names(self):
        """Normalise and check serial names typed, pasted, generated or imported on move lines."""
        lines = self.filtered(lambda line: line.product_id.storq_serial_control)
        if not lines:
            return
        validation = self.env["storq.serial.validation"]
        # Known units are not refused here: receiving a unit again reuses its record.
        verdicts = validation._check_serials(
            [(line.product_id, line.lot_name, line.company_id) for line in lines],
            check_existing=False,
        )
        validation._raise_for_errors(
            verdicts,
            line_label=lambda verdict: self.env._(
                "%(product)s, serial %(serial)s",
                product=verdict.product.display_name,
                serial=verdict.serial or "-",
            ),
        )
        for line, verdict in zip(lines, verdicts):
            if line.lot_name != verdict.serial:
                line.lot_name = verdict.serial

    def _storq_check_one_serial_per_unit(self):
        """Every unit of a serial-controlled product that moves carries its own serial.

        Odoo lets inventory adjustments and operation types without lot options move tracked
        products without a lot; serial control closes those gaps.
        """
        missing = self.env["stock.move.line"]
        not_unit = self.env["stock.move.line"]
        for line in self:
            if not line.product_id.storq_serial_control:
                continue
            rounding = line.product_uom_id.rounding
            if float_is_zero(line.quantity, precision_rounding=rounding):
                continue
            if float_compare(
                line.quantity_product_uom, 1.0, precision_rounding=line.product_id.uom_id.rounding
            ):
                not_unit |= line
            elif not line.lot_id and not (line.lot_name and line.move_id.picking_type_id.use_create_lots):
                missing |= line
        if not missing and not not_unit:
            return
        lines = []
        for line in (missing | not_unit)[:MAX_LISTED_LINES]:
            document = line.reference or line.move_id.display_name or line.product_id.display_name
            if line in missing:
                lines.append(
                    self.env._(
                        "- %(document)s: %(product)s, from %(location)s, has no serial number",
                        document=document,
                        product=line.product_id.display_name,
                        location=line.location_id.display_name,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "- %(document)s: %(product)s, serial %(serial)s, moves %(quantity)s units",
                        document=document,
                        product=line.product_id.display_name,
                        serial=line.lot_id.name or line.lot_name or "-",
                        quantity=line.quantity_product_uom,
                    )
                )
        raise UserError(
            self.env._(
                "These products are under serial control: every unit that moves needs its own "
                "serial number, one line per unit.\n%(lines)s\nEnter the serial of each unit "
                "(one line of quantity 1 per serial), then validate again.",
                lines="\n".join(lines),
            )
        )
