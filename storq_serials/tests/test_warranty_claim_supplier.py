from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_warranty_claim import StorqClaimCase


@tagged("post_install", "-at_install")
class TestWarrantyClaimSupplier(StorqClaimCase):
    """An approved claim inside the vendor's warranty goes back to the vendor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.laptop.product_tmpl_id.write(
            {
                "seller_ids": [
                    Command.create(
                        {
                            "partner_id": cls.vendor.id,
                            "storq_warranty_duration": 24,
                            "storq_warranty_unit": "months",
                        }
                    )
                ]
            }
        )

    def _replaced(self, serial, spare_serial, disposition="restock"):
        lots, order = self._delivered([serial])
        spare = self._receive([spare_serial])
        claim = self._claim(
            lots, resolution="replace", replacement_lot_id=spare.id, return_disposition=disposition
        )
        claim.action_approve()
        claim.action_apply_resolution()
        return lots, order, claim

    def test_unit_goes_back_to_the_vendor_and_the_credit_is_tracked(self):
        lots, _order, claim = self._replaced("WCV0001", "WCV0002")
        self.assertEqual(claim.supplier_warranty_date_end, lots.storq_supplier_warranty_date_end)
        self.assertTrue(claim.supplier_claimable)
        purchase = lots.storq_purchase_id
        self.assertEqual(purchase.order_line.qty_received, 1)
        claim.action_claim_supplier()

        picking = claim.supplier_picking_id
        self.assertEqual(
            (picking.state, picking.partner_id, picking.location_dest_id.usage, picking.move_line_ids.lot_id),
            ("done", self.vendor, "supplier", lots),
        )
        self.assertEqual((lots.storq_state, claim.supplier_claim_state), ("returned_to_vendor", "sent"))
        self.assertEqual(purchase.order_line.qty_received, 0, "the purchase order counts it returned")
        self.assertEqual(self._events(lots, "claim_supplier").document_ref, claim)
        self.assertIn(picking, claim._pickings())
        self.assertFalse(claim.supplier_claimable, "claimed once")
        with self.assertRaisesRegex(UserError, "write what the vendor credited"):
            claim.action_supplier_credited()
        claim.write({"supplier_credit_amount": 650.0, "supplier_credit_ref": "RMA-77"})
        claim.action_supplier_credited()
        self.assertEqual(claim.supplier_claim_state, "credited")

    def test_unit_in_repair_goes_back_to_the_vendor_from_the_repair_location(self):
        lots, _order, claim = self._replaced("WCV0021", "WCV0022", disposition="repair")
        self.assertEqual((lots.storq_state, lots.storq_partner_id.id), ("in_repair", False))
        repair_location = lots.storq_location_id
        claim.action_claim_supplier()
        self.assertEqual(claim.supplier_picking_id.move_line_ids.location_id, repair_location)
        self.assertEqual(lots.storq_state, "returned_to_vendor")
        claim.action_supplier_refused()
        self.assertEqual(claim.supplier_claim_state, "refused")

    def test_unit_outside_the_vendor_warranty_or_still_at_the_customer(self):
        lots, _order = self._delivered(["WCV0011"])
        claim = self._claim(lots, resolution="goodwill")
        claim.action_approve()
        self.assertTrue(claim.supplier_claimable)
        with self.assertRaisesRegex(UserError, "WCV0011 was delivered to Acme Customer .*back in our stock"):
            claim.action_claim_supplier()
        # A unit bought from a vendor without warranty terms offers no vendor claim.
        other_vendor = self.env["res.partner"].create({"name": "No Warranty Vendor"})
        units = self._receive(["WCV0012"], vendor=other_vendor)
        self._sell(self.customer, units)
        claim = self._claim(units, resolution="goodwill")
        claim.action_approve()
        self.assertFalse((claim.supplier_warranty_date_end, claim.supplier_claimable)[1])
        with self.assertRaisesRegex(UserError, "cannot be claimed from the vendor"):
            claim.action_claim_supplier()
