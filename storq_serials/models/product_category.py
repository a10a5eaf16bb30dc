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
        """Apply the category's serial control to the products already in it.

        A product with units keeps serial control (see `product.template._compute_storq_serial_control`):
        the answer names those, to be turned off one by one on the product if that is really meant.
        """
        templates = self.env["product.template"].search([("categ_id", "in", self.ids)])
        keep = templates._storq_controlled_with_units()
        kept = self.env["product.template"]
        for category in self:
            changed = templates.filtered(
                lambda t, c=category: t.categ_id == c and t.storq_serial_control != c.storq_serial_control
            )
            if not category.storq_serial_control:
                kept |= changed.filtered(lambda t: t.id in keep)
                changed -= kept
            changed.write({"storq_serial_control": category.storq_serial_control})
        if not kept:
            return True
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": True,
                "message": self.env._(
                    "%(products)s keep serial control: they have units whose serials and history it "
                    "guards. To take it off all the same, untick Serial control on each product.",
                    products=", ".join(kept.mapped("display_name")),
                ),
            },
        }
