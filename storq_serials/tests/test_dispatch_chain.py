from freezegun import freeze_time

from odoo import Command
from odoo import fields
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import StorqSerialsCase
from .common_dropship import DropshipMixin


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
        picking = self._vendor_to_customer(self.laptop, 1)
        self._set_unit_lines(picking.move_ids, [{"lot_id": unit.id, "picked": True}])
        with self.assertRaisesRegex(Exception, "DR0P5H2 is blocked \\(Vendor recall\\)"):
            picking.button_validate()


@tagged("post_install", "-at_install")
class TestDropshipFlow(DropshipMixin, StorqSerialsCase):
    """Odoo's own dropship flow: the unit record and the checks on the vendor's units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Dropship Customer"})
        cls.vendor = cls.env["res.partner"].create({"name": "Dropship Vendor"})
        cls._setup_dropship(cls.vendor)

    def _type_serials(self, picking, serials):
        """Type the vendor's serials on the transfer's empty lines, as in the detailed operations."""
        lines = picking.move_line_ids.filtered(lambda line: not line.lot_id and not line.lot_name)
        for line, serial in zip(lines, serials, strict=False):
            line.write({"lot_name": serial, "picked": True})

    def test_dropship_delivers_the_vendor_units_to_the_customer(self):
        order, purchase, picking = self._dropship(2)
        # One unit scanned from the vendor's box, the other typed from the vendor's list.
        result = picking.storq_scan("dr0p5h1", self.laptop.id)
        self.assertEqual(result["status"], "ok", result)
        self.assertEqual((result["scanned"], result["expected"]), (1, 2))
        self._type_serials(picking, ["s/n: dr0p5h2"])
        self.assertEqual(sorted(picking.move_line_ids.mapped("lot_name")), ["DR0P5H1", "DR0P5H2"])
        # The lines' date and the transfer's are each "now": one instant, not two seconds apart.
        with freeze_time(fields.Datetime.now()):
            picking.button_validate()
        self.assertEqual(picking.state, "done")
        units = picking.move_line_ids.lot_id
        self.assertEqual(sorted(units.mapped("name")), ["DR0P5H1", "DR0P5H2"])
        for unit in units:
            self.assertEqual(
                (unit.storq_supplier_id, unit.storq_purchase_id, unit.storq_receipt_picking_id),
                (self.vendor, purchase, picking),
            )
            self.assertEqual(unit.storq_received_date, picking.date_done)
            self.assertEqual(
                (unit.storq_state, unit.storq_partner_id, unit.storq_sale_line_id, unit.storq_sale_id),
                ("delivered", self.customer, order.order_line, order),
            )
            self.assertEqual(
                (unit.storq_delivery_picking_id, unit.storq_delivered_date), (picking, picking.date_done)
            )
            self.assertFalse(unit.storq_location_id)
            event = unit.storq_event_ids
            self.assertEqual(event.mapped("event_type"), ["delivered"])
            self.assertEqual(
                (event.partner_id, event.location_id, event.location_dest_id, event.document_ref),
                (self.customer, picking.location_id, self.customer_location, picking),
            )
        self.assertEqual(order.storq_unit_count, 2)
        self.assertEqual(self.customer.storq_unit_count, 2)
        self.assertEqual(purchase.order_line.qty_received, 2)
        self.assertEqual(order.order_line.qty_delivered, 2)

    def test_format_rules_hold_on_a_dropship(self):
        _order, _purchase, picking = self._dropship(1)
        refused = picking.storq_scan("DR0P", self.laptop.id)
        self.assertEqual(refused["status"], "error")
        self.assertIn("DR0P", refused["message"])
        self.assertFalse(picking.move_line_ids.filtered("lot_name"), "a refused scan writes nothing")
        with self.assertRaisesRegex(ValidationError, "Test laptop, serial DR0P"):
            self._type_serials(picking, ["DR0P"])

    def test_blocked_unit_cannot_be_dropshipped_again(self):
        # A recalled unit goes back to its vendor, who then ships it straight to a customer.
        unit = self._stock_units(self.laptop, ["DR0P5H3"])
        unit._storq_block("Vendor recall")
        to_vendor = self._to_vendor(self.laptop, 1)
        self.assertEqual(to_vendor.storq_scan("DR0P5H3", self.laptop.id)["status"], "ok")
        to_vendor.button_validate()
        self.assertEqual(unit.storq_state, "returned_to_vendor")
        _order, _purchase, picking = self._dropship(1)
        refused = picking.storq_scan("DR0P5H3", self.laptop.id)
        self.assertEqual(refused["status"], "error")
        self.assertIn("DR0P5H3 is blocked (Vendor recall)", refused["message"])
        # Typed from the vendor's list, the serial names the blocked unit: validation refuses it.
        self._type_serials(picking, ["DR0P5H3"])
        with self.assertRaisesRegex(UserError, "DR0P5H3 is blocked \\(Vendor recall\\)"):
            picking.button_validate()
        self.assertEqual(picking.state, "assigned")
        self.assertEqual(unit.storq_state, "returned_to_vendor")
        unit._storq_unblock(note="Repaired by the vendor")
        picking.button_validate()
        self.assertEqual(picking.move_line_ids.lot_id, unit, "the known unit, not a new one")
        self.assertEqual((unit.storq_state, unit.storq_partner_id), ("delivered", self.customer))
        self.assertEqual(
            unit.storq_event_ids.mapped("event_type"),
            ["delivered", "unblocked", "returned_to_vendor", "blocked", "adjusted"],
        )

    def test_checking_typed_units_is_constant_in_queries(self):
        counts = []
        for size in (2, 30):
            _order, _purchase, picking = self._dropship(size)
            names = [f"DRQ{size:02d}{n:02d}" for n in range(size)]
            self._create_lots(self.laptop, names[::2])  # half of them are known units
            self._type_serials(picking, names)
            lines = picking.move_line_ids
            self.env.invalidate_all()
            _ = lines.mapped(lambda line: (line.product_id.storq_serial_control, line.location_dest_id.usage))
            before = self.cr.sql_log_count
            self.env["storq.unit.rulebook"]._storq_check_move_lines(lines)
            counts.append(self.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1], "looking up the typed units does not grow with them")

    def test_unit_in_stock_cannot_be_dropshipped_typed_or_chosen(self):
        warehouse2 = self.env["stock.warehouse"].create({"name": "Dropship second warehouse", "code": "DWH2"})
        in_wh2 = self._stock_units(self.laptop, ["DR0P5H4"], warehouse2.lot_stock_id)
        in_wh = self._stock_units(self.laptop, ["DR0P5H5"])
        returned = self._stock_units(self.laptop, ["DR0P5H6"])
        to_vendor = self._to_vendor(self.laptop, 1)
        self.assertEqual(to_vendor.storq_scan("DR0P5H6", self.laptop.id)["status"], "ok")
        to_vendor.button_validate()
        self.assertEqual(returned.storq_state, "returned_to_vendor")
        _order, _purchase, picking = self._dropship(2)
        self._type_serials(picking, ["DR0P5H4"])
        picking.move_line_ids.filtered(lambda line: not line.lot_name).write(
            {"lot_id": in_wh.id, "picked": True}
        )
        with self.assertRaises(UserError) as refusal:
            picking.button_validate()
        message = str(refusal.exception)
        self.assertIn(
            "DR0P5H4 is at DWH2/Stock: the unit of [LAPTOP-1] Test laptop is already in stock", message
        )
        self.assertIn(
            "DR0P5H5 is at WH/Stock: the unit of [LAPTOP-1] Test laptop is already in stock", message
        )
        self.assertEqual(picking.state, "assigned")
        # The unit returned to its vendor comes back from the vendor: accepted, with a new one.
        picking.move_line_ids.write({"lot_id": False, "lot_name": False})
        self._type_serials(picking, ["DR0P5H6", "DR0P5H7"])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertIn(returned, picking.move_line_ids.lot_id)
        self.assertEqual(
            (returned.storq_state, in_wh2.storq_state, in_wh.storq_state),
            ("delivered", "in_stock", "in_stock"),
        )
