from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..tools.warranty import add_months
from .common_warranty_claim import StorqClaimCase


@tagged("post_install", "-at_install")
class TestWarrantyClaimCoverage(StorqClaimCase):
    """The claim keeps the unit's coverage verdict of the claim day: each verdict."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.laptop.product_tmpl_id.write(
            {
                "storq_warranty_duration": 12,
                "storq_warranty_unit": "months",
                "storq_warranty_trigger": "delivery",
            }
        )
        cls.today = fields.Date.context_today(cls.Claim)

    def test_covered_and_frozen(self):
        lots, _order = self._delivered(["WCC0001"])
        claim = self._claim(lots)
        end = add_months(self.today, 12)
        self.assertEqual((claim.coverage, claim.warranty_date_end), ("covered", end))
        # Frozen: a later change of the unit's coverage does not change the claim's verdict.
        lots.sudo()._storq_extend_warranty(end + timedelta(days=400), claim, "test")
        claim.invalidate_recordset()
        self.assertEqual((claim.coverage, claim.warranty_date_end), ("covered", end))

    def test_expired(self):
        lots, _order = self._delivered(["WCC0011"])
        end = lots.storq_warranty_date_end
        claim = self._claim(lots, claim_date=end + timedelta(days=1))
        self.assertEqual((claim.coverage, claim.warranty_date_end), ("expired", end))

    def test_no_warranty(self):
        lots, _order = self._delivered(["WCC0021"], product=self.gadget)
        self.assertEqual(self._claim(lots).coverage, "no_warranty")

    def test_not_sold_and_other_customer(self):
        in_stock = self._receive(["WCC0031"])
        self.assertEqual(self._claim(in_stock).coverage, "not_sold")
        lots, _order = self._delivered(["WCC0032"], customer=self.other_customer)
        self.assertEqual(self._claim(lots).coverage, "other_customer")

    def test_covered_claim_is_approved_by_a_salesperson(self):
        lots, _order = self._delivered(["WCC0041"])
        claim = self._claim(lots, user=self.salesperson, resolution="goodwill")
        claim.with_user(self.salesperson).action_approve()
        self.assertEqual((claim.state, claim.goodwill), ("approved", False))
