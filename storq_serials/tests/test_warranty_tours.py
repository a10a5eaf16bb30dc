from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common_warranty_front import StorqWarrantyFrontCase


@tagged("post_install", "-at_install")
class TestWarrantyTours(HttpCase, StorqWarrantyFrontCase):
    """In the browser: the warranty desk, the customer's buttons, the customer portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread (see test_ui_tours).
        _ = http.root.statics
        cls.tour_customer = cls.env["res.partner"].create(
            {"name": "Tour Warranty Customer", "is_company": True, "email": "tour.customer@example.com"}
        )

    def test_lookup_to_saved_claim_in_three_actions(self):
        lots = self._receive(["WTR0001"])
        self._sell(self.tour_customer, lots)
        self.start_tour(
            "/odoo/action-storq_serials.storq_warranty_lookup_action", "storq_warranty_lookup", login="admin"
        )
        claim = self.Claim.search([("lot_id", "=", lots.id)])
        self.assertEqual(claim.partner_id, self.tour_customer)
        self.assertEqual(claim.description, "The screen stays black.")
        self.assertEqual(claim.coverage, "covered")

    def test_customer_buttons_in_sight_and_new_claim(self):
        lots = self._receive(["WTR0001", "WTR0002"])
        self._sell(self.tour_customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        self.start_tour(
            f"/odoo/action-base.action_partner_form/{self.tour_customer.id}",
            "storq_warranty_customer_buttons",
            login="admin",
        )
        claim = self.Claim.search([("lot_id", "=", lots[0].id)])
        self.assertEqual((claim.partner_id, claim.description), (self.tour_customer, "Fan noise."))
        self.assertFalse(self.Claim.search([("lot_id", "=", lots[1].id)]))

    def test_portal_claim(self):
        lots = self._receive(["WPR0001", "WPR0002"])
        self._sell(self.customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        self.start_tour("/my/units", "storq_warranty_portal", login=self.portal_user.login)
        claim = self.Claim.search([("lot_id", "=", lots[0].id)])
        self.assertEqual(claim.partner_id, self.customer_contact)
        self.assertEqual(claim.description, "The battery swelled.")
