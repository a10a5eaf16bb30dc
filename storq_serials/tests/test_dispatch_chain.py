from odoo import Command
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestDispatchChain(StorqSerialsCase):
    """Multi-step deliveries and dropshipping keep the right unit from end to end."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.warehouse = cls.env.ref("stock.warehouse0")
        cls.customer = cls.env["res.partner"].create({"name": "Chain Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Chain Vendor"})
        cls.units = cls._stock_units(cls.laptop, ["CHA1N01", "CHA1N02", "CHA1N03"])

    def _scan_and_validate(self, picking, unit):
        result = picking.storq_scan(unit.name, self.laptop.id)
        self.assertEqual(result["status"], "ok", result)
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_pick_pack_ship_delivers_the_picked_unit(self):
        self.warehouse.delivery_steps = "pick_pack_ship"
        order = self._sale(self.customer, self.laptop, 1)
        pick = order.picking_ids
        self.assertEqual(pick.location_id, self.stock_location)
        self.assertEqual(pick.move_ids.location_final_id, self.customer_location)
        reserved = pick.move_line_ids.lot_id
        unit = self.units[2] if reserved != self.units[2] else self.units[1]
        self._scan_and_validate(pick, unit)
        self.assertEqual(unit.storq_location_id, pick.location_dest_id)
        self.assertEqual(unit.storq_event_ids[0].event_type, "moved")
        self.assertEqual(unit.storq_state, "in_stock")
        self.assertFalse(unit.storq_sale_id)
        # Odoo 18 creates each next step when the previous one is done.
        pack = order.picking_ids.filtered(lambda p: p.location_id == pick.location_dest_id)
        self.assertEqual(pack.move_line_ids.lot_id, unit, "the next step reserves the picked unit")
        self._scan_and_validate(pack, unit)
        ship = order.picking_ids.filtered(lambda p: p.picking_type_code == "outgoing")
        self.assertEqual(ship.move_line_ids.lot_id, unit)
        # Another unit still on the shelf is not at the output: refused with where it is.
        other = self.units - unit - reserved
        refused = ship.storq_scan(other[:1].name or reserved.name, self.laptop.id)
        self.assertEqual(refused["status"], "error")
        self.assertIn("is at WH/Stock, so it cannot be taken from", refused["message"])
        self._scan_and_validate(ship, unit)
        self.assertEqual(
            (unit.storq_state, unit.storq_partner_id, unit.storq_sale_line_id),
            ("delivered", self.customer, order.order_line),
        )
        self.assertEqual(unit.storq_delivery_picking_id, ship)
        events = unit.storq_event_ids.mapped("event_type")
        self.assertEqual(events, ["delivered", "moved", "moved", "adjusted"])
        self.assertEqual(order.storq_unit_count, 1)

    def test_blocked_unit_is_refused_at_the_pick_step(self):
        self.warehouse.delivery_steps = "pick_ship"
        order = self._sale(self.customer, self.laptop, 1)
        pick = order.picking_ids.filtered(lambda p: p.location_id == self.stock_location)
        self.assertEqual(pick.picking_type_code, "internal")
        self.units[0]._storq_block("Recall R-3")
        result = pick.storq_scan(self.units[0].name, self.laptop.id)
        self.assertEqual(result["status"], "error")
        self.assertIn("is blocked (Recall R-3)", result["message"])

    def test_dropship_records_origin_and_delivery(self):
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.laptop.id, "product_uom_qty": 1})],
            }
        )
        purchase = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [Command.create({"product_id": self.laptop.id, "product_qty": 1})],
            }
        )
        dropship_type = self.env["stock.picking.type"].create(
            {
                "name": "Test dropship",
                "code": "incoming",
                "sequence_code": "TDS",
                "warehouse_id": self.warehouse.id,
                "use_create_lots": True,
                "use_existing_lots": True,
                "default_location_src_id": self.supplier_location.id,
                "default_location_dest_id": self.customer_location.id,
            }
        )
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": dropship_type.id,
                "partner_id": self.customer.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": 1,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.customer_location.id,
                            "sale_line_id": order.order_line.id,
                            "purchase_line_id": purchase.order_line.id,
                            "partner_id": self.customer.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        result = picking.storq_scan("dr0p5h1", self.laptop.id)
        self.assertEqual(result["status"], "ok", result)
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        unit = picking.move_line_ids.lot_id
        self.assertEqual(unit.name, "DR0P5H1")
        self.assertEqual(
            (unit.storq_supplier_id, unit.storq_purchase_id, unit.storq_receipt_picking_id),
            (self.vendor, purchase, picking),
        )
        self.assertEqual(
            (unit.storq_state, unit.storq_partner_id, unit.storq_sale_id, unit.storq_delivery_picking_id),
            ("delivered", self.customer, order, picking),
        )
        self.assertFalse(unit.storq_location_id)
        self.assertEqual(unit.storq_event_ids.mapped("event_type"), ["delivered"])
        self.assertEqual(self.customer.storq_unit_count, 1)

    def test_blocked_unit_cannot_be_dropshipped_either(self):
        unit = self._create_lots(self.laptop, ["DR0P5H2"])
        unit._storq_block("Vendor recall")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.receipt_type.id,
                "location_id": self.supplier_location.id,
                "location_dest_id": self.customer_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": 1,
                            "location_id": self.supplier_location.id,
                            "location_dest_id": self.customer_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._set_unit_lines(picking.move_ids, [{"lot_id": unit.id, "picked": True}])
        with self.assertRaisesRegex(Exception, "DR0P5H2 is blocked \\(Vendor recall\\)"):
            picking.button_validate()
