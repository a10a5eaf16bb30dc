from odoo import Command


class DropshipMixin:
    """Tests of Odoo's Dropship app (`stock_dropshipping`): sale order, purchase order, then the
    vendor's units go straight to the customer on a "dropship" transfer.

    The module does not depend on the app: these tests skip when it is not installed (as with
    `scripts/test.sh`) and run in `scripts/test_odoo_runner.sh`, which installs it. Mix it in
    before a `StorqSerialsCase`.
    """

    @classmethod
    def _setup_dropship(cls, vendor, on_product=True):
        """Let `vendor` supply the laptop, dropshipped always (`on_product`) or when the order
        line asks for it; False when the app is not installed."""
        cls.route = cls.env.ref("stock_dropshipping.route_drop_shipping", raise_if_not_found=False)
        if not cls.route:
            return False
        vals = {"seller_ids": [Command.create({"partner_id": vendor.id, "price": 500.0})]}
        if on_product:
            vals["route_ids"] = [Command.link(cls.route.id)]
        cls.laptop.write(vals)
        return True

    def setUp(self):
        super().setUp()
        if not self.route:
            self.skipTest("the Dropship app (stock_dropshipping) is not installed")

    def _dropship(self, quantity):
        """(sale order, purchase order, dropship transfer) of `quantity` laptops, both orders
        confirmed as a salesperson and a buyer would."""
        order = self._sale(self.customer, self.laptop, quantity)
        purchase = order.order_line.purchase_line_ids.order_id
        self.assertEqual(len(purchase), 1, "confirming the sale creates the request for quotation")
        self.assertEqual((purchase.partner_id, purchase.dest_address_id), (self.vendor, self.customer))
        purchase.button_confirm()
        picking = purchase.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.picking_type_code, "dropship")
        self.assertEqual(
            (picking.location_id, picking.location_dest_id), (self.supplier_location, self.customer_location)
        )
        self.assertEqual(picking.move_ids.sale_line_id, order.order_line)
        self.assertIn(picking, order.picking_ids)
        return order, purchase, picking
