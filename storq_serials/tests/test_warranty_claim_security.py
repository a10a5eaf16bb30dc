from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_warranty_claim import StorqClaimCase


@tagged("post_install", "-at_install")
class TestWarrantyClaimSecurity(StorqClaimCase):
    """Sales staff without Inventory rights open claims; companies do not see each other's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Storq Claims Company B"})
        cls.user_b = cls._make_user(
            "storq_claim_user_b",
            "stock.group_stock_user,sales_team.group_sale_manager",
            company=cls.company_b,
        )
        cls.internal_user = cls._make_user("storq_claim_internal", "base.group_user")

    def test_salesperson_without_inventory_rights_opens_a_claim(self):
        self.assertFalse(self.salesperson.has_group("stock.group_stock_user"))
        lots, order = self._delivered(["WCS0001"])
        claim = self._claim(lots, user=self.salesperson)
        self.assertEqual(
            (claim.product_id, claim.sale_id, claim.user_id, claim.create_uid),
            (self.laptop, order, self.salesperson, self.salesperson),
        )
        Claim = self.Claim.with_user(self.salesperson)
        self.assertEqual(Claim.search([("lot_id", "=", lots.id)]), claim)
        self.assertEqual(lots.with_user(self.salesperson).storq_claim_count, 1)
        claim.with_user(self.salesperson).write({"description": "Fan noise too", "resolution": "repair"})
        with self.assertRaises(AccessError):
            claim.with_user(self.salesperson).unlink()
        # Moving stock is for inventory users: the salesperson is told so, nothing moves.
        claim.with_user(self.sales_manager).action_approve()
        with self.assertRaisesRegex(UserError, "needs the Inventory / User rights"):
            claim.with_user(self.salesperson).action_apply_resolution()
        self.assertEqual((lots.storq_state, claim.state), ("delivered", "approved"))
        # An inventory user applies it.
        claim.with_user(self.stock_user).action_apply_resolution()
        self.assertEqual(lots.storq_state, "in_repair")

    def test_only_managers_delete_and_users_without_a_role_see_nothing(self):
        lots, _order = self._delivered(["WCS0011"])
        claim = self._claim(lots)
        with self.assertRaises(AccessError):
            self.Claim.with_user(self.internal_user).search([])
        with self.assertRaises(AccessError):
            self._claim(lots, user=self.internal_user)
        claim.with_user(self.sales_manager).unlink()
        self.assertFalse(claim.exists())

    def test_other_company_does_not_see_the_claims(self):
        lots, _order = self._delivered(["WCS0021"])
        claim = self._claim(lots)
        Claim_b = self.Claim.with_user(self.user_b)
        self.assertFalse(Claim_b.search([("id", "=", claim.id)]))
        with self.assertRaises(AccessError):
            claim.with_user(self.user_b).read(["name"])
        # Company B's own claim, numbered and read in company B, invisible to company A's staff.
        product_b = self.env["product.product"].create(
            {
                "name": "B laptop",
                "type": "consu",
                "storq_serial_control": True,
                "company_id": self.company_b.id,
            }
        )
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", self.company_b.id)])
        lot_b = (
            self.env["stock.lot"]
            .with_company(self.company_b)
            .create({"product_id": product_b.id, "name": "BSN-001", "company_id": self.company_b.id})
        )
        self.env["stock.quant"].with_company(self.company_b).with_context(inventory_mode=True).create(
            {
                "product_id": product_b.id,
                "location_id": warehouse_b.lot_stock_id.id,
                "lot_id": lot_b.id,
                "inventory_quantity": 1,
            }
        ).action_apply_inventory()
        claim_b = Claim_b.create({"partner_id": self.customer.id, "lot_id": lot_b.id, "description": "Dead"})
        self.assertEqual((claim_b.company_id, claim_b.coverage), (self.company_b, "not_sold"))
        self.assertFalse(self.Claim.with_user(self.salesperson).search([("id", "=", claim_b.id)]))
        # A company A user cannot claim company B's unit.
        with self.assertRaises(AccessError):
            self._claim(lot_b, user=self.stock_user)

    def test_claim_opened_for_a_portal_customer_waits_for_staff(self):
        """The portal opens claims in sudo, for the customer's own units: no portal responsible."""
        portal = self._make_user("storq_claim_portal", "base.group_portal")
        portal.partner_id.parent_id = self.customer
        lots, _order = self._delivered(["WCS0031"])
        with self.assertRaises(AccessError):
            self._claim(lots, user=portal)
        claim = (
            self.Claim.with_user(portal)
            .sudo()
            .create({"partner_id": portal.partner_id.id, "lot_id": lots.id, "description": "Cracked case"})
        )
        self.assertEqual((claim.user_id.id, claim.team_id.id, claim.coverage), (False, False, "no_warranty"))
        self.assertEqual(self._events(lots, "claim_opened").user_id, portal)
