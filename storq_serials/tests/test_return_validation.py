from odoo import Command
from odoo.tests import tagged

from ..models.stock_lot_unit_return import SUSPICIOUS_RETURNS_KEY
from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnValidation(StorqReturnsCase):
    """Any transfer that brings a unit back from a customer is checked when it is validated."""

    def _incoming_from_customer(self, product, unit_vals, partner=None):
        """A receipt from the customer location, as an import or an RPC would make it."""
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.receipt_type.id,
                "partner_id": partner and partner.id,
                "location_id": self.customer_location.id,
                "location_dest_id": self.stock_location.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": len(unit_vals),
                            "location_id": self.customer_location.id,
                            "location_dest_id": self.stock_location.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        self._set_unit_lines(picking.move_ids, [dict(vals, picked=True) for vals in unit_vals])
        return picking

    def test_standard_return_of_the_unit_sold_is_accepted(self):
        lots = self._receive(["STD0001", "STD0002"])
        order = self._sell(self.customer, lots)
        picking = self._standard_return(order.picking_ids, lots[:1])
        picking.button_validate()
        self.assertEqual(picking.state, "done")
        self.assertEqual(lots.mapped("storq_state"), ["in_stock", "delivered"])
        self.assertEqual(lots[0].storq_event_ids[0].event_type, "returned")
        self.assertEqual(order.order_line.qty_delivered, 1)
        self.assertFalse(self._suspicious(lots))

    def test_standard_return_with_another_customers_unit_is_refused(self):
        lots = self._receive(["SWA0001", "SWA0002"])
        order = self._sell(self.customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        picking = self._standard_return(order.picking_ids, lots[1:])
        message = self._validate_refused(picking)
        self.assertIn("SWA0002 was sold to another customer", message)
        self.assertNotIn(self.other_customer.name, message)
        self.assertNotEqual(picking.state, "done")
        self.assertEqual(lots[1].storq_state, "delivered")
        event = self._suspicious(lots)
        self.assertEqual(
            (event.lot_id, event.partner_id, event.document_ref), (lots[1], self.customer, picking)
        )
        self.assertIn("sold to another customer", event.note)

    def test_standard_return_of_a_unit_from_another_order_is_refused(self):
        lots = self._receive(["ORD0001", "ORD0002"])
        order = self._sell(self.customer, lots[:1])
        self._sell(self.customer, lots[1:])
        picking = self._standard_return(order.picking_ids, lots[1:])
        self.assertIn("was not delivered on", self._validate_refused(picking))

    def test_unit_returned_twice_is_refused(self):
        lots = self._receive(["TWC0001"])
        order = self._sell(self.customer, lots)
        self._standard_return(order.picking_ids, lots).button_validate()
        second = self._incoming_from_customer(self.laptop, [{"lot_id": lots.id}], self.customer)
        self.assertIn("already returned on", self._validate_refused(second))

    def test_imported_return_of_a_unit_in_stock_or_unknown_is_refused(self):
        lots = self._receive(["IMP0001"])
        picking = self._incoming_from_customer(
            self.laptop, [{"lot_id": lots.id}, {"lot_name": "imp0404"}], self.customer
        )
        message = self._validate_refused(picking)
        self.assertIn("IMP0001 is still in stock", message)
        self.assertIn("IMP0404 is not a known unit", message)
        self.assertEqual(self._suspicious(lots).partner_id, self.customer)
        self.assertFalse(self.Lot.search([("name", "=", "IMP0404")]), "no unit is created for it")

    def test_return_without_customer_only_needs_a_delivered_unit(self):
        lots = self._receive(["NOP0001"])
        self._sell(self.customer, lots)
        picking = self._incoming_from_customer(self.laptop, [{"lot_id": lots.id}])
        picking.button_validate()
        self.assertEqual(lots.storq_state, "in_stock")

    def test_products_outside_serial_control_are_not_checked(self):
        picking = self._incoming_from_customer(
            self.plain_serial_product, [{"lot_name": "PLAIN-1"}], self.customer
        )
        picking.button_validate()
        self.assertEqual(picking.state, "done")

    def test_refused_attempts_wait_for_the_end_of_the_transaction(self):
        lots = self._receive(["LOG0001"])
        Lot = self.env["stock.lot"]
        vals = Lot._storq_prepare_suspicious_return_vals(lots, self.customer, "test attempt")
        Lot._storq_log_suspicious_returns([vals], after_transaction=True)
        self.assertFalse(self._suspicious(lots), "nothing is written in the transaction that is refused")
        cr = self.env.cr
        self.assertEqual(cr.postrollback.data[SUSPICIOUS_RETURNS_KEY], [vals])
        # Written after a rollback as after a commit, whichever ends the transaction.
        self.assertIn(SUSPICIOUS_RETURNS_KEY, cr.postrollback.data)
        self.assertTrue(cr.postcommit._funcs, "a hook also runs if the refusal is caught and committed")
        self._write_pending_suspicious_returns()
        event = self._suspicious(lots)
        self.assertEqual(
            (event.note, event.partner_id, event.document_ref), ("test attempt", self.customer, self.customer)
        )
