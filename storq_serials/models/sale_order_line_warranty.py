from odoo import api
from odoo import fields
from odoo import models
from odoo.exceptions import AccessError
from odoo.exceptions import ValidationError


class SaleOrderLine(models.Model):
    """A warranty extension sold on an order: for the units delivered on the same order, or
    for the unit the line names (one the customer holds, sold on an earlier order)."""

    _inherit = "sale.order.line"

    # ------------------------------------------------------------------
    # Fields
    # ------------------------------------------------------------------
    storq_warranty_extension = fields.Boolean(related="product_id.product_tmpl_id.storq_warranty_extension")
    storq_customer_id = fields.Many2one(
        "res.partner", related="order_id.partner_id.commercial_partner_id", string="Customer company"
    )
    storq_lot_id = fields.Many2one(
        "stock.lot",
        "Extended unit",
        index="btree_not_null",
        copy=False,
        domain="[('storq_partner_id', '=', storq_customer_id), ('storq_state', '=', 'delivered')]",
        help="The customer's unit this warranty extension is for. Empty: the units delivered on "
        "this order.",
    )
    storq_extended_lot_ids = fields.Many2many(
        "stock.lot",
        "storq_sale_line_extended_lot_rel",
        "sale_line_id",
        "lot_id",
        "Units extended",
        readonly=True,
        copy=False,
        help="The units whose warranty this line has extended.",
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("storq_lot_id", "product_id", "order_partner_id")
    def _check_storq_lot_id(self):
        for line in self.filtered("storq_lot_id"):
            unit = line.storq_lot_id.sudo()
            if not line.product_id.storq_warranty_extension:
                raise ValidationError(
                    self.env._(
                        "%(product)s is not a warranty extension: only an extension line names a "
                        "unit. Remove the unit %(serial)s or choose an extension product.",
                        product=line.product_id.display_name,
                        serial=unit.name,
                    )
                )
            if (
                unit.storq_state != "delivered"
                or unit.storq_partner_id != line.order_id.partner_id.commercial_partner_id
            ):
                raise ValidationError(
                    self.env._(
                        "%(serial)s is not a unit %(customer)s holds: a warranty extension can only "
                        "name one of the customer's own units.",
                        serial=unit.name,
                        customer=line.order_id.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("storq_extended_lot_ids") for vals in vals_list):
            self._storq_refuse_extended_write()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "storq_extended_lot_ids" in vals:
            self._storq_refuse_extended_write()
        return super().write(vals)

    def _storq_refuse_extended_write(self):
        raise AccessError(
            self.env._("The units a warranty extension has extended are recorded by the module only.")
        )
