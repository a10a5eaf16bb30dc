from odoo import fields
from odoo import models


class ProductCategory(models.Model):
    _inherit = "product.category"

    storq_serial_control = fields.Boolean(
        "Serial control",
        help="Default for the products of this category: every unit must carry its own serial "
        "number in every operation that moves it.",
    )
    storq_serial_format_id = fields.Many2one(
        "storq.serial.format",
        "Serial format",
        help="Default format rule for the serials of this category's products; a product's own rule wins.",
    )

    def action_storq_apply_serial_policy(self):
        """Apply the category's serial control to the products already in it."""
        templates = self.env["product.template"].search([("categ_id", "in", self.ids)])
        for category in self:
            templates.filtered(
                lambda t, c=category: t.categ_id == c and t.storq_serial_control != c.storq_serial_control
            ).write({"storq_serial_control": category.storq_serial_control})
        return True
