import unittest
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_warranty_claim import StorqClaimCase


@tagged("post_install", "-at_install")
class TestWarrantyClaimResolution(StorqClaimCase):
    """Each remedy with real transfers, repair orders and credit notes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.laptop.list_price = 800.0
        cls.out_type = cls.env.ref("stock.warehouse0").out_type_id

    def _approved(self, lots, resolution, **vals):
        claim = self._claim(lots, resolution=resolution, **vals)
        claim.action_review()
        claim.action_approve()  # as admin: also when not covered
        return claim

    def _moves_after(self, lots, since):
        return self.env["stock.move.line"].search(
            [("lot_id", "in", lots.ids), ("id", ">", since), ("state", "=", "done")], order="id"
        )

    def test_repair_takes_the_unit_back_and_delivers_it_repaired(self):
        self.laptop.product_tmpl_id.write(
            {
                "storq_warranty_duration": 30,
                "storq_warranty_unit": "days",
                "storq_warranty_trigger": "delivery",
            }
        )
        self.company.storq_repair_warranty_days = 400
        lots, order = self._delivered(["WCR0001"])
        delivery = order.picking_ids
        claim = self._approved(lots, "repair")
        self.assertEqual(claim.coverage, "covered")
        claim.action_apply_resolution()

        record = claim.return_record_id
        repair_location = self.company.storq_repair_location_id
        self.assertEqual(
            (record.disposition, record.reason_id, record.return_picking_id.return_id),
            ("repair", self.reasons["warranty"], delivery),
        )
        self.assertEqual(
            (lots.storq_state, lots.storq_partner_id, claim.state), ("in_repair", self.customer, "approved")
        )
        self.assertEqual(claim.repair_ref, record.disposition_ref)
        if claim.repair_ref._name == "repair.order":
            with self.assertRaisesRegex(UserError, "is not done yet. End the repair first"):
                claim.action_deliver_repaired()
            self._finish_repair(claim.repair_ref)
        else:
            self.assertEqual(
                (claim.repair_ref.location_dest_id, claim.repair_ref.state), (repair_location, "done")
            )
        with self.assertRaisesRegex(UserError, "already under way"):
            claim.action_apply_resolution()
        claim.action_deliver_repaired()

        back = claim.out_picking_id
        self.assertEqual(
            (back.state, back.picking_type_id, back.partner_id, back.move_line_ids.lot_id),
            ("done", self.out_type, self.customer, lots),
        )
        self.assertEqual(back.move_line_ids.location_id, repair_location, "sent from where it was repaired")
        self.assertEqual(
            (lots.storq_state, lots.storq_partner_id, lots.storq_delivery_picking_id, lots.storq_sale_id),
            ("delivered", self.customer, back, order),
        )
        self.assertEqual(order.order_line.qty_delivered, 1, "back on the order after its return")
        self.assertEqual(claim.state, "resolved")
        # The repair's own warranty, longer than what was left.
        today = fields.Date.context_today(claim)
        self.assertEqual(lots.storq_warranty_date_end, today + timedelta(days=400))
        self.assertEqual(self._events(lots, "warranty_extended")[-1:].document_ref, claim)
        self.assertEqual(claim.picking_count, len(claim._pickings()))
        self.assertIn(back, claim._pickings())

    def _finish_repair(self, repair):
        repair.action_validate()
        repair.action_repair_start()
        repair.action_repair_end()
        self.assertEqual(repair.state, "done")

    def test_repair_order_when_the_repair_app_is_installed(self):
        if "repair.order" not in self.env:
            raise unittest.SkipTest("The Repair app is not installed")
        lots, _order = self._delivered(["WCR0011"])
        claim = self._approved(lots, "repair")
        claim.action_apply_resolution()
        repair = claim.repair_ref
        self.assertEqual(
            (repair._name, repair.lot_id, repair.partner_id, repair.state),
            ("repair.order", lots, self.customer, "draft"),
        )
        self._finish_repair(repair)
        claim.action_deliver_repaired()
        self.assertEqual((lots.storq_state, claim.state), ("delivered", "resolved"))

    def test_replace_delivers_another_unit_through_a_real_delivery(self):
        self.laptop.product_tmpl_id.write(
            {
                "storq_warranty_duration": 12,
                "storq_warranty_unit": "months",
                "storq_warranty_trigger": "delivery",
            }
        )
        lots, order = self._delivered(["WCR0101"])
        old_end = lots.storq_warranty_date_end
        self.assertTrue(old_end)
        spare, other_product = (
            self._receive(["WCR0102"]),
            self._receive(["490154203237518"], product=self.phone),
        )
        claim = self._approved(lots, "replace", return_disposition="restock")
        with self.assertRaisesRegex(UserError, "choose the replacement unit"):
            claim.action_apply_resolution()
        claim.replacement_lot_id = other_product
        with self.assertRaisesRegex(UserError, r"the replacement must be a unit of \[LAPTOP-1\] Test laptop"):
            claim.action_apply_resolution()
        claim.replacement_lot_id = spare
        since = self.env["stock.move.line"].search([], order="id desc", limit=1).id
        claim.action_apply_resolution()

        # The faulty unit came back to stock; the spare went to the customer.
        self.assertEqual(
            [(line.lot_id, line.location_dest_id.usage) for line in self._moves_after(lots | spare, since)],
            [(lots, "internal"), (spare, "customer")],
        )
        out = claim.out_picking_id
        self.assertEqual(
            (out.state, out.picking_type_id, out.partner_id, out.origin, out.sale_id),
            ("done", self.out_type, self.customer, claim.name, order),
        )
        self.assertEqual(
            (lots.storq_state, lots.storq_partner_id.id, spare.storq_state, spare.storq_partner_id),
            ("in_stock", False, "delivered", self.customer),
        )
        self.assertEqual(order.order_line.qty_delivered, 1, "one returned, one delivered")
        self.assertEqual(spare.storq_sale_id, order)
        self.assertEqual(claim.state, "resolved")
        self.assertEqual(self._events(spare, "claim_replacement").document_ref, claim)
        self.assertEqual(self._events(lots, "claim_resolved").document_ref, claim)
        self.assertEqual(claim.return_record_id.disposition, "restock")
        # The replacement takes over what was left of the claimed unit's coverage.
        self.assertEqual(spare.storq_warranty_date_end, old_end)
        self.assertEqual(self._events(spare, "warranty_inherited").document_ref, claim)

    def test_replacement_is_checked_like_any_delivery(self):
        lots, _order = self._delivered(["WCR0111"])
        spare = self._receive(["WCR0112"])
        spare._storq_block("Recall R-1")
        claim = self._approved(lots, "replace", replacement_lot_id=spare.id)
        with self._refused("WCR0112 is blocked"):
            claim.action_apply_resolution()
        # Nothing happened: the claimed unit is still with the customer.
        self.assertEqual(
            (lots.storq_state, claim.state, claim.return_record_id.id), ("delivered", "approved", False)
        )

    def test_refund_returns_the_unit_and_makes_a_credit_note(self):
        lots, order = self._delivered(["WCR0201", "WCR0202"])
        invoice = order._create_invoices()
        invoice.action_post()
        claim = self._approved(lots[0], "refund", return_disposition="scrap")
        claim.action_apply_resolution()

        self.assertEqual((lots[0].storq_state, lots[1].storq_state), ("scrapped", "delivered"))
        credit = claim.credit_note_id
        self.assertEqual(
            (credit.move_type, credit.state, credit.partner_id, credit.invoice_line_ids.quantity),
            ("out_refund", "draft", order.partner_invoice_id, 1),
        )
        self.assertEqual(credit.invoice_line_ids.sale_line_ids, order.order_line)
        self.assertAlmostEqual(credit.amount_untaxed, 800.0)
        self.assertIn(credit, order.invoice_ids)
        self.assertEqual(order.order_line.qty_invoiced, 1, "the order counts the refunded unit off")
        self.assertEqual(claim.state, "resolved")

    def test_refund_of_an_order_never_invoiced_is_refused_before_anything_moves(self):
        lots, _order = self._delivered(["WCR0211"])
        claim = self._approved(lots, "refund")
        with self.assertRaisesRegex(UserError, "nothing to refund. Invoice the order first"):
            claim.action_apply_resolution()
        self.assertEqual((lots.storq_state, claim.return_record_id.id), ("delivered", False))
