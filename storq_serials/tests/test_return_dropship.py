from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_dropship import DropshipMixin
from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestDropshipReturn(DropshipMixin, StorqReturnsCase):
    """Units dropshipped by the vendor (Odoo's Dropship app, `stock_dropshipping`) come back
    from the customer: the dropship is the delivery a return starts from."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Dropshipped on the order line: the same laptops are also sold from our stock.
        cls._setup_dropship(cls.vendor, on_product=False)
        cls.warehouse = cls.env.ref("stock.warehouse0")

    def _dropship_units(self, serials, warehouse=None):
        """(sale order, dropship) of the vendor's units `serials`, shipped to the customer's
        contact: the dropship's partner is the vendor."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "partner_shipping_id": self.customer_contact.id,
                "warehouse_id": (warehouse or self.warehouse).id,
                "order_line": [
                    Command.create(
                        {
                            "product_id": self.laptop.id,
                            "product_uom_qty": len(serials),
                            "route_id": self.route.id,
                        }
                    )
                ],
            }
        )
        order.action_confirm()
        purchase = order.order_line.purchase_line_ids.order_id
        purchase.button_confirm()
        picking = purchase.picking_ids
        self.assertEqual((picking.picking_type_code, picking.partner_id), ("dropship", self.vendor))
        lines = picking.move_line_ids
        self.assertEqual(len(lines), len(serials))
        for line, serial in zip(lines, serials, strict=True):
            line.write({"lot_name": serial, "picked": True})
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(order.order_line.qty_delivered, len(serials))
        return order, picking

    def _units(self, serials):
        lots = self.Lot.search([("product_id", "=", self.laptop.id), ("name", "in", serials)])
        return lots.sorted(lambda lot: serials.index(lot.name))

    def test_dropship_units_come_back_into_stock_with_the_wizard(self):
        order, dropship = self._dropship_units(["DSR0001", "DSR0002"])
        # A unit of another customer, delivered from our stock: sent back in its place.
        swapped = self._receive(["DSR0003"])
        self._sell(self.other_customer, swapped)
        kept, other = self._units(["DSR0001", "DSR0002"])
        self.assertEqual((kept.storq_partner_id, kept.storq_delivery_picking_id), (self.customer, dropship))

        wizard = self._return_wizard(dropship, ["dsr0001", "DSR0003"])
        self.assertEqual(
            (wizard.picking_id, wizard.sale_id, wizard.partner_id.commercial_partner_id),
            (dropship, order, self.customer),
            "the customer is the one the units went to, not the dropship's vendor",
        )
        verdicts = self._verdicts(wizard)
        self.assertEqual(verdicts["dsr0001"][0], "ok", verdicts)
        status, verdict = verdicts["DSR0003"]
        self.assertEqual(status, "error")
        self.assertIn(f"DSR0003 was not delivered by {dropship.display_name}", verdict)
        self.assertNotIn(self.other_customer.name, verdict)
        event = self._suspicious(swapped)
        self.assertEqual(
            (event.document_ref, event.partner_id.commercial_partner_id), (dropship, self.customer)
        )

        action = wizard.action_apply()
        record = self.env["storq.serial.return.record"].search(action["domain"])
        self.assertEqual(record.lot_id, kept)
        self.assertEqual(
            (record.partner_id, record.sale_id, record.supplier_id), (self.customer, order, self.vendor)
        )
        receipt = record.return_picking_id
        self.assertEqual(receipt.state, "done")
        self.assertEqual(receipt.picking_type_id, self.warehouse.in_type_id, "the order's warehouse receives")
        self.assertEqual(receipt.location_id.usage, "customer")
        self.assertEqual(receipt.location_dest_id, self.stock_location)
        self.assertEqual((receipt.return_id, receipt.sale_id), (dropship, order))
        self.assertEqual(receipt.partner_id.commercial_partner_id, self.customer)
        self.assertEqual(receipt.move_ids.origin_returned_move_id, dropship.move_ids)
        self.assertEqual(receipt.move_ids.move_orig_ids, dropship.move_ids, "Odoo's return of the dropship")
        self.assertIn(receipt, dropship.return_ids)
        self.assertEqual((kept.storq_state, kept.storq_location_id), ("in_stock", self.stock_location))
        self.assertFalse(kept.storq_partner_id)
        self.assertEqual(kept.storq_event_ids.mapped("event_type"), ["returned", "delivered"])
        self.assertEqual(kept.storq_event_ids[0].document_ref, receipt)
        self.assertEqual(
            self.env["stock.quant"]._get_available_quantity(self.laptop, self.stock_location, lot_id=kept),
            1,
        )
        self.assertEqual(order.order_line.qty_delivered, 1, "the order knows one unit came back")
        purchase_line = order.order_line.purchase_line_ids
        self.assertEqual(purchase_line.qty_received, 2, "the vendor did deliver both units")
        self.assertEqual((other.storq_state, swapped.storq_state), ("delivered", "delivered"))
        # Returned once: never twice.
        with self.assertRaisesRegex(UserError, "not a done delivery"):
            self.env["storq.serial.return"].with_context(
                active_model="stock.picking", active_id=receipt.id
            ).default_get(["picking_id"])
        again = self._return_wizard(dropship, ["DSR0001"])
        self.assertIn("already returned on", self._verdicts(again)["DSR0001"][1])

    def test_dropship_units_come_back_to_the_orders_warehouse(self):
        # A dropship has no warehouse: its units come back to the order's, with its receipt
        # type, even when the dropship type returns to the vendor with a return type of its own.
        second = self.env["stock.warehouse"].create({"name": "Second warehouse", "code": "WH2"})
        dropship_type = self.env["stock.picking.type"].search(
            [("code", "=", "dropship"), ("company_id", "=", self.company.id)], limit=1
        )
        dropship_type.return_picking_type_id = dropship_type
        order, dropship = self._dropship_units(["DSW0001"], warehouse=second)
        self.assertEqual(dropship.picking_type_id, dropship_type)
        wizard = self._return_wizard(dropship, ["DSW0001"])
        record = self.env["storq.serial.return.record"].search(wizard.action_apply()["domain"])
        receipt = record.return_picking_id
        self.assertEqual(
            (receipt.picking_type_id, receipt.location_dest_id), (second.in_type_id, second.lot_stock_id)
        )
        self.assertEqual(record.lot_id.storq_location_id, second.lot_stock_id)
        self.assertEqual(order.order_line.qty_delivered, 0)

    def test_return_units_button_shows_on_done_dropships(self):
        _order, dropship = self._dropship_units(["DSB0001"])
        view = self.env.ref("storq_serials.stock_picking_view_form_storq_return")
        self.assertIn("picking_type_code not in ('outgoing', 'dropship')", view.arch_db)
        wizard = self.env["storq.serial.return"].with_context(
            active_model="stock.picking", active_id=dropship.id
        )
        self.assertEqual(wizard.default_get(["picking_id"])["picking_id"], dropship.id)

    def test_odoos_own_return_of_a_dropship_is_checked(self):
        order, dropship = self._dropship_units(["DSO0001", "DSO0002"])
        swapped = self._receive(["DSO0003"])
        self._sell(self.other_customer, swapped)
        kept = self._units(["DSO0001"])

        refused = self._standard_return(dropship, swapped)
        self.assertEqual(refused.picking_type_id, dropship.picking_type_id)
        self.assertEqual(refused.location_id.usage, "customer")
        message = self._validate_refused(refused)
        self.assertIn("DSO0003 was sold to another customer", message)
        self.assertNotIn(self.other_customer.name, message)
        self.assertNotEqual(refused.state, "done")
        self.assertEqual(swapped.storq_state, "delivered")
        event = self._suspicious(swapped)
        self.assertEqual(event.partner_id.commercial_partner_id, self.customer)

        # The unit sold comes back. A dropship's partner is its vendor: the return checks take
        # the customer from the moves, even when the return keeps the vendor as its partner.
        # Odoo's return of a dropship goes back to the vendor.
        accepted = self._standard_return(dropship, kept)
        accepted.partner_id = self.vendor  # Odoo writes it on the moves too
        self.assertEqual(accepted.move_ids.partner_id, self.vendor)
        accepted.button_validate()
        self.assertEqual(accepted.state, "done")
        self.assertEqual(accepted.location_dest_id, self.supplier_location)
        self.assertEqual(kept.storq_state, "returned_to_vendor")
        self.assertFalse(self._suspicious(kept))
        self.assertEqual(kept.storq_event_ids[0].document_ref, accepted)
        self.assertEqual(order.order_line.qty_delivered, 1)
