from odoo import Command
from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestScanScreenTours(HttpCase):
    """The scanning screen in headless Chromium, with simulated scanner input."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread (see test_ui_tours).
        _ = http.root.statics
        cls.warehouse = cls.env.ref("stock.warehouse0")

    def _product(self, name, prefix, barcode=False):
        rule = self.env["storq.serial.format"].create(
            {
                "name": f"Tour screen {prefix.lower()} tag" if prefix != "TS" else "Tour screen tag",
                "charset": "upper_alnum",
                "min_length": 7,
                "max_length": 7,
                "uppercase": True,
                "example": f"{prefix}00000",
            }
        )
        return self.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": rule.id,
                "barcode": barcode,
            }
        )

    def test_receipt_on_the_scanning_screen(self):
        product = self._product("Tour screen radio", "TS", barcode="TOUR-SCREEN-BOX")
        supplier = self.env.ref("stock.stock_location_suppliers")
        stock = self.warehouse.lot_stock_id
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": self.warehouse.in_type_id.id,
                "location_id": supplier.id,
                "location_dest_id": stock.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": 4,
                            "location_id": supplier.id,
                            "location_dest_id": stock.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        self.start_tour(
            f"/odoo/action-stock.action_picking_tree_all/{receipt.id}",
            "storq_scan_screen_receipt",
            login="admin",
        )
        self.assertEqual(receipt.state, "done")
        self.assertEqual(
            sorted(receipt.move_line_ids.lot_id.mapped("name")), ["TS00001", "TS00002", "TS00003"]
        )
        self.assertEqual(set(receipt.move_line_ids.lot_id.mapped("storq_state")), {"in_stock"})
        # The backorder wizard, opened over the screen, kept the missing unit's receipt open.
        backorder = self.env["stock.picking"].search([("backorder_id", "=", receipt.id)])
        self.assertEqual(backorder.move_ids.product_uom_qty, 1)

    def test_delivery_with_a_refused_scan_on_the_scanning_screen(self):
        product = self._product("Tour screen phone", "TD")
        back_room = self.env["stock.location"].create(
            {"name": "Tour screen back room", "location_id": self.warehouse.view_location_id.id}
        )
        lots = self.env["stock.lot"].create(
            [
                {"product_id": product.id, "name": name}
                for name in ("TD00001", "TD00002", "TD00003", "TD00009")
            ]
        )
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            [
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "location_id": (back_room if lot.name == "TD00009" else self.warehouse.lot_stock_id).id,
                    "inventory_quantity": 1,
                }
                for lot in lots
            ]
        ).action_apply_inventory()
        customer = self.env["res.partner"].create({"name": "Tour SD Customer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        self.start_tour(
            "/odoo/action-storq_serials.storq_scan_screen_action", "storq_scan_screen_delivery", login="admin"
        )
        self.assertEqual(delivery.state, "done")
        shipped = delivery.move_line_ids.lot_id
        self.assertEqual(sorted(shipped.mapped("name")), ["TD00001", "TD00003"])
        self.assertEqual(set(shipped.mapped("storq_partner_id")), {customer})
        self.assertEqual(lots.filtered(lambda lot: lot.name == "TD00009").storq_state, "in_stock")

    def test_customer_return_from_the_inventory_overview(self):
        product = self._product("Tour screen returned radio", "TR")
        lots = self.env["stock.lot"].create(
            [{"product_id": product.id, "name": name} for name in ("TR00001", "TR00002")]
        )
        stock = self.warehouse.lot_stock_id
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            [
                {"product_id": product.id, "lot_id": lot.id, "location_id": stock.id, "inventory_quantity": 1}
                for lot in lots
            ]
        ).action_apply_inventory()
        customer = self.env["res.partner"].create({"name": "Tour SR Customer"})
        order = self.env["sale.order"].create(
            {
                "partner_id": customer.id,
                "order_line": [Command.create({"product_id": product.id, "product_uom_qty": 2})],
            }
        )
        order.action_confirm()
        delivery = order.picking_ids
        delivery.move_line_ids.picked = True
        delivery.button_validate()
        self.assertEqual(set(lots.mapped("storq_partner_id")), {customer})
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        wizard.product_return_moves.quantity = 1
        back = self.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        self.start_tour(
            "/odoo/action-stock.stock_picking_type_action", "storq_scan_screen_return", login="admin"
        )
        self.assertEqual(back.state, "done")
        self.assertEqual(back.move_line_ids.lot_id.name, "TR00002")
        returned = lots.filtered(lambda lot: lot.name == "TR00002")
        self.assertEqual(returned.storq_state, "in_stock")
        self.assertEqual((lots - returned).storq_partner_id, customer)
