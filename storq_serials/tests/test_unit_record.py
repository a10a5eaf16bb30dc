from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestUnitRecord(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor = cls.env["res.partner"].create({"name": "Laptop Vendor Ltd"})
        cls.customer = cls.env["res.partner"].create({"name": "Acme Customer"})
        cls.shelf = cls.env["stock.location"].create(
            {"name": "Shelf 3", "location_id": cls.stock_location.id, "usage": "internal"}
        )

    def _purchase_and_receive(self, serials):
        order = self.env["purchase.order"].create(
            {
                "partner_id": self.vendor.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.laptop.id, "product_qty": len(serials), "price_unit": 900}
                    )
                ],
            }
        )
        order.button_confirm()
        picking = order.picking_ids
        self._set_unit_lines(picking.move_ids, [{"lot_name": serial} for serial in serials])
        picking.button_validate()
        lots = self.Lot.search([("product_id", "=", self.laptop.id), ("name", "in", serials)])
        return order, picking, lots

    def _transfer(self, lots, source, destination, partner=None, picking_type=None):
        picking_type = picking_type or self.env.ref("stock.picking_type_internal")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": destination.id,
                "partner_id": partner and partner.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.laptop.name,
                            "product_id": self.laptop.id,
                            "product_uom_qty": len(lots),
                            "location_id": source.id,
                            "location_dest_id": destination.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._set_unit_lines(picking.move_ids, [{"lot_id": lot.id} for lot in lots])
        picking.button_validate()
        return picking

    def test_receipt_gives_each_unit_its_origin_and_first_event(self):
        order, picking, lots = self._purchase_and_receive(["AA11BB1", "AA11BB2", "AA11BB3"])
        self.assertEqual(len(lots), 3)
        for lot in lots:
            self.assertEqual(lot.storq_supplier_id, self.vendor)
            self.assertEqual(lot.storq_purchase_id, order)
            self.assertEqual(lot.storq_receipt_picking_id, picking)
            line = picking.move_line_ids.filtered(lambda ml, lot=lot: ml.lot_id == lot)
            self.assertEqual(lot.storq_received_date, line.date)
            self.assertEqual(lot.storq_state, "in_stock")
            self.assertEqual(lot.storq_location_id, picking.location_dest_id)
            self.assertEqual(lot.storq_event_ids.mapped("event_type"), ["received"])
            event = lot.storq_event_ids
            self.assertEqual(event.document_ref, picking)
            self.assertEqual(event.partner_id, self.vendor)
            self.assertEqual(event.user_id, self.env.user)

    def test_moves_update_location_and_history(self):
        _order, receipt, lots = self._purchase_and_receive(["CC22DD1", "CC22DD2"])
        move_to_shelf = self._transfer(lots[:1], self.stock_location, self.shelf)
        self.assertEqual(lots[0].storq_location_id, self.shelf)
        self.assertEqual(lots[1].storq_location_id, self.stock_location)
        self.assertEqual(lots[0].storq_event_ids.mapped("event_type"), ["moved", "received"])
        self.assertEqual(lots[0].storq_event_ids[0].document_ref, move_to_shelf)
        self.assertEqual(lots[0].storq_receipt_picking_id, receipt, "the origin stays")

    def test_situation_names_where_the_unit_is_or_that_it_is_not_in_stock(self):
        _order, _receipt, lots = self._purchase_and_receive(["SIT0001", "SIT0002"])
        self._transfer(lots[:1], self.stock_location, self.shelf)
        self.assertEqual(lots[0]._storq_situation(), f"SIT0001 is at {self.shelf.display_name}")
        # A unit whose record says in stock but that no location holds (consumed by a
        # manufacturing order, say) is not said to be "at" anywhere.
        self.env["stock.quant"].search([("lot_id", "=", lots[1].id)]).sudo().unlink()
        lots[1].storq_location_id = False
        self.assertEqual(lots[1].storq_state, "in_stock")
        self.assertEqual(lots[1]._storq_situation(), "SIT0002 is not in stock")

    def test_delivery_scrap_and_count_loss_set_the_state(self):
        _order, _receipt, lots = self._purchase_and_receive(["EE33FF1", "EE33FF2", "EE33FF3"])
        self._transfer(
            lots[0],
            self.stock_location,
            self.customer_location,
            self.customer,
            self.env.ref("stock.picking_type_out"),
        )
        self.assertEqual((lots[0].storq_state, lots[0].storq_partner_id), ("delivered", self.customer))
        self.assertFalse(lots[0].storq_location_id)

        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.laptop.id,
                "lot_id": lots[1].id,
                "scrap_qty": 1,
                "location_id": self.stock_location.id,
            }
        )
        scrap.action_validate()
        self.assertEqual(lots[1].storq_state, "scrapped")
        self.assertEqual(lots[1].storq_event_ids[0].document_ref, scrap)

        quant = self.env["stock.quant"].search(
            [("lot_id", "=", lots[2].id), ("location_id", "=", self.stock_location.id)]
        )
        quant.inventory_quantity = 0
        quant.action_apply_inventory()
        self.assertEqual(lots[2].storq_state, "written_off")
        self.assertEqual(lots[2].storq_event_ids[0].event_type, "adjusted")

    def test_delivery_from_a_sale_order_records_the_order_and_customer(self):
        _order, _receipt, lots = self._purchase_and_receive(["GG44HH1", "GG44HH2"])
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.laptop.id, "product_uom_qty": 1})],
            }
        )
        sale.action_confirm()
        delivery = sale.picking_ids
        self._set_unit_lines(delivery.move_ids, [{"lot_id": lots[1].id}])
        delivery.button_validate()
        self.assertEqual(delivery.state, "done")
        unit = lots[1]
        line = delivery.move_line_ids
        self.assertEqual(
            (unit.storq_state, unit.storq_partner_id, unit.storq_sale_id, unit.storq_sale_line_id),
            ("delivered", self.customer, sale, sale.order_line),
        )
        self.assertEqual((unit.storq_delivery_picking_id, unit.storq_delivered_date), (delivery, line.date))
        self.assertEqual(unit.storq_event_ids[0].event_type, "delivered")
        self.assertFalse(lots[0].storq_sale_id, "the other unit stays in stock, on no order")

    def test_unit_received_again_keeps_its_origin(self):
        order, receipt, lots = self._purchase_and_receive(["GG44HH1"])
        self._transfer(lots, self.stock_location, self.supplier_location, self.vendor)
        self.assertEqual(lots.storq_state, "returned_to_vendor")
        second = self._receipt(self.laptop, ["GG44HH1"])
        second.button_validate()
        self.assertEqual(
            second.move_line_ids.lot_id, lots, "the known unit is received again, not duplicated"
        )
        self.assertEqual((lots.storq_receipt_picking_id, lots.storq_purchase_id), (receipt, order))
        self.assertEqual(lots.storq_state, "in_stock")
        self.assertEqual(
            lots.storq_event_ids.mapped("event_type"), ["received", "returned_to_vendor", "received"]
        )

    def test_history_is_append_only(self):
        _order, _receipt, lots = self._purchase_and_receive(["JJ55KK1"])
        event = lots.storq_event_ids
        manager = self._make_user("storq_event_manager", "stock.group_stock_manager")
        with self.assertRaises(AccessError):
            event.with_user(manager).write({"note": "rewritten"})
        with self.assertRaises(AccessError):
            event.with_user(manager).unlink()
        with self.assertRaises(AccessError):
            self.env["storq.serial.event"].with_user(manager).create(
                {"lot_id": lots.id, "event_type": "note", "note": "forged"}
            )
        # Not even an administrator outside superuser mode.
        with self.assertRaises(AccessError):
            event.with_user(self.env.ref("base.user_admin")).unlink()
        self.assertEqual(event.with_user(manager).note, event.note, "users read the history")

    def test_existing_units_are_rebuilt_when_control_is_turned_on(self):
        product = self.plain_serial_product
        lots = self.Lot.create([{"product_id": product.id, "name": f"OLD-{n}"} for n in range(3)])
        for lot in lots:
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": self.stock_location.id,
                    "lot_id": lot.id,
                    "inventory_quantity": 1,
                }
            ).action_apply_inventory()
        self.assertFalse(lots.storq_event_ids)
        product.storq_serial_control = True
        for lot in lots:
            self.assertEqual(lot.storq_state, "in_stock")
            self.assertEqual(lot.storq_location_id, self.stock_location)
            self.assertEqual(lot.storq_event_ids.mapped("event_type"), ["adjusted"])

    def test_unit_search_by_serial(self):
        _order, _receipt, lots = self._purchase_and_receive(["MM66NN1", "MM66NN2"])
        self.assertEqual(self.Lot.search([("name", "=", "MM66NN1")]), lots[0])
        self.assertEqual(self.Lot.search([("name", "=like", "MM66%")]), lots)
        self.assertEqual(self.Lot.search([("name", "ilike", "66nn2")]), lots[1])
