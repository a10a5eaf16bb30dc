from datetime import timedelta

from odoo import Command
from odoo import fields

from .common import StorqSerialsCase


class WarrantyCase(StorqSerialsCase):
    """Fixtures of the warranty tests: products with terms, a customer, deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["stock.lot"])
        cls.customer = cls.env["res.partner"].create({"name": "Warranty Customer", "is_company": True})
        cls.customer_contact = cls.env["res.partner"].create(
            {"name": "Warranty buyer", "parent_id": cls.customer.id}
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Other Warranty Customer"})
        # 12 months from delivery on the laptop itself.
        cls.laptop.product_tmpl_id.write(
            {
                "storq_warranty_duration": 12,
                "storq_warranty_unit": "months",
                "storq_warranty_trigger": "delivery",
            }
        )
        # The gadget has no terms, its category neither: no warranty.
        cls.warranty_category = cls.env["product.category"].create(
            {
                "name": "Test covered gear",
                "storq_serial_control": True,
                "storq_warranty_duration": 2,
                "storq_warranty_unit": "years",
            }
        )
        cls.speaker = cls.env["product.product"].create(
            {"name": "Test speaker", "type": "consu", "categ_id": cls.warranty_category.id}
        )

    @classmethod
    def _deliver(cls, partner, units, order=None):
        """Sell `units` (one product) to `partner` on a new or given confirmed order, deliver them
        and return (order, delivery)."""
        product = units.product_id
        if order is None:
            order = cls._sale(partner, product, len(units))
        delivery = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        cls._set_lines(
            delivery.move_ids.filtered(lambda m: m.product_id == product),
            [{"lot_id": unit.id, "picked": True} for unit in units],
        )
        delivery.button_validate()
        return order, delivery

    @classmethod
    def _set_lines(cls, move, unit_vals):
        move.move_line_ids.unlink()
        return cls.env["stock.move.line"].create(
            [
                {
                    "move_id": move.id,
                    "picking_id": move.picking_id.id,
                    "product_id": move.product_id.id,
                    "quantity": 1,
                    "location_id": move.location_id.id,
                    "location_dest_id": move.location_dest_id.id,
                    **vals,
                }
                for vals in unit_vals
            ]
        )

    @classmethod
    def _return_from_customer(cls, delivery, units):
        wizard = (
            cls.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = len(units)
        returned = wizard._create_return()
        cls._set_lines(returned.move_ids, [{"lot_id": unit.id, "picked": True} for unit in units])
        returned.button_validate()
        return returned

    def _events(self, units, event_type):
        return self.env["storq.serial.event"].search(
            [("lot_id", "in", units.ids), ("event_type", "=", event_type)]
        )

    @staticmethod
    def _days(count):
        return timedelta(days=count)

    @classmethod
    def _order_with(cls, partner, lines):
        """A confirmed order of `lines` [(product, quantity, extra vals)]."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": qty, **extra})
                    for product, qty, extra in lines
                ],
            }
        )
        order.action_confirm()
        return order
