from odoo import Command
from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestSerialTours(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread, where
        # CPython 3.11.7's ast.literal_eval can fail ("AST constructor recursion depth mismatch").
        _ = http.root.statics

    def test_try_a_serial_in_the_format_form(self):
        self.env["storq.serial.format"].create(
            {
                "name": "Tour IMEI",
                "charset": "digits",
                "min_length": 15,
                "max_length": 15,
                "check_digit": "luhn",
                "strip_prefixes": "IMEI:",
                "example": "490154203237518",
            }
        )
        self.start_tour(
            "/odoo/action-storq_serials.storq_serial_format_action", "storq_serial_format_try", login="admin"
        )

    def test_scan_serials_into_a_receipt(self):
        rule = self.env["storq.serial.format"].create(
            {
                "name": "Tour tag",
                "charset": "upper_alnum",
                "min_length": 7,
                "max_length": 7,
                "uppercase": True,
                "example": "TR00000",
            }
        )
        product = self.env["product.product"].create(
            {
                "name": "Tour scanned phone",
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": rule.id,
                "barcode": "TOUR-SCAN-BOX",
            }
        )
        warehouse = self.env.ref("stock.warehouse0")
        supplier = self.env.ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": supplier.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 3,
                            "location_id": supplier.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{receipt.id}", "storq_picking_scan", login="admin"
        )
        self.assertEqual(receipt.state, "done")
        self.assertEqual(
            sorted(receipt.move_line_ids.lot_id.mapped("name")), ["TR00001", "TR00002", "TR00003"]
        )

    def _sale_of_units_in_stock(self, name, prefix, serials, away, quantity, barcode=False):
        """A confirmed sale of `quantity` units of a new product `name` whose units `serials`
        are in WH/Stock, but `away` in a back room outside it; (order, its units)."""
        rule = self.env["storq.serial.format"].create(
            {
                "name": f"Tour {prefix} tag",
                "charset": "upper_alnum",
                "min_length": 7,
                "max_length": 7,
                "uppercase": True,
                "example": f"{prefix}00000",
            }
        )
        product = self.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": rule.id,
                "barcode": barcode,
            }
        )
        warehouse = self.env.ref("stock.warehouse0")
        back_room = self.env["stock.location"].create(
            {"name": "Tour back room", "location_id": warehouse.view_location_id.id}
        )
        lots = self.env["stock.lot"].create([{"product_id": product.id, "name": name} for name in serials])
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            [
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "location_id": (back_room if lot.name == away else warehouse.lot_stock_id).id,
                    "inventory_quantity": 1,
                }
                for lot in lots
            ]
        ).action_apply_inventory()
        customer = self.env["res.partner"].create({"name": f"Tour {prefix} Customer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": quantity})],
            }
        )
        order.action_confirm()
        self.assertEqual(len(order.picking_ids.move_line_ids), quantity, "Odoo reserved the units")
        return order, lots

    def test_scan_serials_into_a_delivery_from_a_sale_order(self):
        order, lots = self._sale_of_units_in_stock(
            "Tour shipped phone",
            "TO",
            ["TO00001", "TO00002", "TO00003", "TO00009"],
            "TO00009",
            2,
            barcode="TOUR-OUT-BOX",
        )
        delivery, customer = order.picking_ids, order.partner_id
        self.start_tour(f"/odoo/action-sale.action_orders/{order.id}", "storq_delivery_scan", login="admin")
        self.assertEqual(delivery.state, "done")
        shipped = delivery.move_line_ids.lot_id
        self.assertEqual(sorted(shipped.mapped("name")), ["TO00001", "TO00003"])
        self.assertEqual(set(shipped.mapped("storq_partner_id")), {customer})
        self.assertEqual(set(shipped.mapped("storq_sale_id")), {order})
        self.assertEqual(lots.filtered(lambda lot: lot.name == "TO00009").storq_state, "in_stock")

    def test_pick_a_pasted_list_into_a_delivery_from_a_sale_order(self):
        order, lots = self._sale_of_units_in_stock(
            "Tour picked phone", "TP", ["TP00001", "TP00002", "TP00003", "TP00004", "TP00009"], "TP00009", 3
        )
        delivery, customer = order.picking_ids, order.partner_id
        self.start_tour(f"/odoo/action-sale.action_orders/{order.id}", "storq_pick_serials", login="admin")
        self.assertEqual(delivery.state, "done")
        self.assertFalse(order.picking_ids - delivery, "the whole order left: no backorder")
        shipped = delivery.move_line_ids.lot_id
        self.assertEqual(sorted(shipped.mapped("name")), ["TP00001", "TP00002", "TP00004"])
        self.assertEqual(set(shipped.mapped("storq_partner_id")), {customer})
        self.assertEqual(order.order_line.qty_delivered, 3)
        left = lots - shipped
        self.assertEqual(left.mapped("storq_state"), ["in_stock", "in_stock"])
