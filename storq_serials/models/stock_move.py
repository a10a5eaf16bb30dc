from odoo import api
from odoo import models


class StockMove(models.Model):
    _inherit = "stock.move"

    @api.model
    def action_generate_lot_line_vals(self, context, mode, first_lot, count, lot_text):
        """Generate or paste serials: check every line before the form gets them."""
        product = self.env["product.product"].browse(context.get("default_product_id"))
        if not product.storq_serial_control:
            return super().action_generate_lot_line_vals(context, mode, first_lot, count, lot_text)
        vals_list = super(
            StockMove, self.with_context(storq_serial_product_id=product.id)
        ).action_generate_lot_line_vals(context, mode, first_lot, count, lot_text)
        pending = [vals for vals in vals_list if vals.get("lot_name")]
        if pending:
            company = self.env["res.company"].browse(context.get("default_company_id")) or self.env.company
            validation = self.env["storq.serial.validation"]
            verdicts = validation._check_serials(
                [(product, vals["lot_name"], company) for vals in pending], check_existing=False
            )
            validation._raise_for_errors(verdicts)
            for vals, verdict in zip(pending, verdicts):
                vals["lot_name"] = verdict.serial
        return vals_list

    def _generate_serial_numbers(self, next_serial, next_serial_count=False, location_id=False):
        return super(
            StockMove, self.with_context(storq_serial_product_id=self.product_id.id)
        )._generate_serial_numbers(next_serial, next_serial_count, location_id)

    def _create_lot_ids_from_move_line_vals(self, vals_list, product_id, company_id=False):
        # Lots are stored normalised: match the names the same way before Odoo looks them up.
        product = self.env["product.product"].browse(product_id)
        if product.storq_serial_control:
            named = [vals for vals in vals_list if vals.get("lot_name")]
            names = self.env["storq.serial.validation"]._normalize_many(
                product, [vals["lot_name"] for vals in named]
            )
            for vals, name in zip(named, names):
                vals["lot_name"] = name
        return super()._create_lot_ids_from_move_line_vals(vals_list, product_id, company_id)
