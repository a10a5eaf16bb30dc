from odoo import http
from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestScanScreenAuditTour(HttpCase):
    """An audit driven in the scanning screen in headless Chromium, with simulated scanner
    input; a serial manager applies it afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        _ = http.root.statics  # read the manifests here, not in the HTTP thread (test_ui_tours)
        cls.warehouse = cls.env.ref("stock.warehouse0")

    def test_audit_on_the_scanning_screen(self):
        rule = self.env["storq.serial.format"].create(
            {
                "name": "Tour audit tag",
                "charset": "upper_alnum",
                "min_length": 7,
                "max_length": 7,
                "uppercase": True,
                "example": "TA00000",
            }
        )
        product = self.env["product.product"].create(
            {
                "name": "Tour audit radio",
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": rule.id,
            }
        )
        Location = self.env["stock.location"]
        shelf = Location.create({"name": "Tour audit shelf", "location_id": self.warehouse.lot_stock_id.id})
        back_room = Location.create(
            {"name": "Tour audit back room", "location_id": self.warehouse.lot_stock_id.id}
        )
        lots = self.env["stock.lot"].create(
            [
                {"product_id": product.id, "name": name}
                for name in ("TA00001", "TA00002", "TA00003", "TA00009")
            ]
        )
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            [
                {
                    "product_id": product.id,
                    "lot_id": lot.id,
                    "location_id": (back_room if lot.name == "TA00009" else shelf).id,
                    "inventory_quantity": 1,
                }
                for lot in lots
            ]
        ).action_apply_inventory()
        found_elsewhere = lots.filtered(lambda lot: lot.name == "TA00009")
        not_found = lots.filtered(lambda lot: lot.name == "TA00003")
        audit = self.env["storq.serial.audit"].create({"location_id": shelf.id})
        self.start_tour(
            "/odoo/action-storq_serials.storq_scan_screen_action", "storq_scan_screen_audit", login="admin"
        )
        self.assertEqual(audit.state, "to_review")
        results = {line.serial: line.result for line in audit.line_ids}
        self.assertEqual(
            results,
            {
                "TA00001": "present",
                "TA00002": "present",
                "TA00003": "missing",
                "TA00009": "unexpected",
                "TA77777": "unknown",
            },
        )
        # Nothing moved before the manager's confirmation.
        self.assertEqual(found_elsewhere.storq_location_id, back_room)
        self.assertEqual(not_found.storq_state, "in_stock")
        manager = new_test_user(
            self.env,
            "storq_tour_audit_manager",
            groups="stock.group_stock_user,storq_serials.group_storq_manager",
        )
        audit.with_user(manager).action_apply()
        self.assertEqual(audit.state, "applied")
        self.assertEqual(found_elsewhere.storq_location_id, shelf)
        move = audit.picking_ids.move_line_ids
        self.assertEqual(move.lot_id, found_elsewhere)
        self.assertEqual((move.state, move.location_id, move.location_dest_id), ("done", back_room, shelf))
        self.assertEqual(not_found.storq_state, "missing")
        adjusted = self.env["stock.move.line"].search(
            [("lot_id", "=", not_found.id), ("state", "=", "done")], order="id desc", limit=1
        )
        self.assertEqual(adjusted.location_dest_id.usage, "inventory")
        self.assertEqual(self.env["stock.quant"]._get_available_quantity(product, shelf), 3)
