from odoo import Command
from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common_warranty_front import StorqWarrantyFrontCase


@tagged("post_install", "-at_install")
class TestWarrantyPortal(HttpCase, StorqWarrantyFrontCase):
    """Customers see their own units, coverage and claims on the portal, and nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread (see test_ui_tours).
        _ = http.root.statics
        cls.salesperson = cls._make_user("storq_wf_account_mgr", "sales_team.group_sale_salesman")
        cls.customer.user_id = cls.salesperson

    def setUp(self):
        super().setUp()
        self.own = self._receive(["WPT0001", "WPT0002"])
        self.foreign = self._receive(["WPT0003"])
        self._sell(self.customer, self.own[:1])
        self._sell(self.customer_contact, self.own[1:])
        self._sell(self.other_customer, self.foreign)
        self.own_claim = self._claim(self.own[0], description="Own problem")
        self.foreign_claim = self._claim(self.foreign, description="Someone else's problem")

    def _login(self, user):
        self.authenticate(user.login, user.login)

    def _post(self, url, **data):
        return self.url_open(
            url, data={**data, "csrf_token": http.Request.csrf_token(self)}, allow_redirects=False
        )

    def test_units_and_claims_pages_show_only_own_records(self):
        self._login(self.portal_user)
        page = self.url_open("/my/units")
        self.assertEqual(page.status_code, 200)
        self.assertIn("WPT0001", page.text)
        self.assertIn("WPT0002", page.text, "units of the customer's other contacts")
        self.assertNotIn("WPT0003", page.text)
        self.assertIn("Covered", page.text)
        self.assertIn(self.own_claim.name, page.text)
        claims = self.url_open("/my/claims")
        self.assertIn(self.own_claim.name, claims.text)
        self.assertNotIn(self.foreign_claim.name, claims.text)
        claim_page = self.url_open(f"/my/claims/{self.own_claim.id}")
        self.assertEqual(claim_page.status_code, 200)
        self.assertIn("Own problem", claim_page.text)
        # Another customer's claim and unit answer as if they did not exist.
        self.assertEqual(self.url_open(f"/my/claims/{self.foreign_claim.id}").status_code, 404)
        self.assertEqual(self.url_open(f"/my/units/{self.foreign.id}/claim").status_code, 404)
        self.assertEqual(self.url_open("/my/claims/999999999").status_code, 404)
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn("/my/units", home.text)
        self.assertIn("/my/claims", home.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["storq_unit_count", "storq_claim_count"]}
        )
        self.assertEqual(counters, {"storq_unit_count": 2, "storq_claim_count": 1})
        # The other customer sees theirs only.
        self._login(self.other_portal_user)
        page = self.url_open("/my/units")
        self.assertIn("WPT0003", page.text)
        self.assertNotIn("WPT0001", page.text)
        self.assertEqual(self.url_open(f"/my/claims/{self.own_claim.id}").status_code, 404)

    def test_open_a_claim_for_an_own_unit_only(self):
        self._login(self.portal_user)
        form = self.url_open(f"/my/units/{self.own[1].id}/claim")
        self.assertEqual(form.status_code, 200)
        self.assertIn("WPT0002", form.text)
        before = self.Claim.search_count([])
        refused = self._post(f"/my/units/{self.foreign.id}/claim", description="Not mine")
        self.assertEqual(refused.status_code, 404)
        self.assertEqual(self.Claim.search_count([]), before, "no claim on another customer's unit")
        empty = self._post(f"/my/units/{self.own[1].id}/claim", description="  ")
        self.assertIn("error=description", empty.headers["Location"])
        response = self._post(f"/my/units/{self.own[1].id}/claim", description="The hinge cracked.")
        claim = self.Claim.search([("lot_id", "=", self.own[1].id)])
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith(f"/my/claims/{claim.id}"))
        self.assertEqual(claim.partner_id, self.customer_contact)
        self.assertEqual(claim.description, "The hinge cracked.")
        self.assertEqual(claim.coverage, "covered")
        # Staff are told: a to-do for the customer's salesperson, never the portal user.
        self.assertEqual(claim.user_id, self.salesperson)
        self.assertEqual(claim.activity_ids.user_id, self.salesperson)
        self.assertIn("on the portal", claim.activity_ids.summary)
        # A second open claim on the same unit is refused (the claims' guard), nothing created.
        self._post(f"/my/units/{self.own[1].id}/claim", description="Again")
        self.assertEqual(self.Claim.search_count([("lot_id", "=", self.own[1].id)]), 1)

    def test_without_salesperson_the_team_leader_or_followers_are_told(self):
        self.customer.user_id = False
        self._login(self.portal_user)
        self._post(f"/my/units/{self.own[1].id}/claim", description="Dead pixel.")
        claim = self.Claim.search([("lot_id", "=", self.own[1].id)])
        self.assertFalse(claim.user_id, "never the portal user")
        # Its team's leader gets the to-do, else a sales manager of the company.
        if claim.team_id.user_id:
            self.assertEqual(claim.activity_ids.user_id, claim.team_id.user_id)
        else:
            self.assertTrue(claim.activity_ids.user_id.has_group("sales_team.group_sale_manager"))
        # No salesperson nor team leader: a sales manager of the company gets the to-do.
        self.own_claim.team_id.user_id = False
        self.own_claim.user_id = False
        self.own_claim.activity_ids.unlink()
        self.own_claim._storq_notify_portal_claim()
        self.assertTrue(self.own_claim.activity_ids.user_id.has_group("sales_team.group_sale_manager"))
        # A company without any sales manager: the followers get the message.
        managers = self.env.ref("sales_team.group_sale_manager").users.filtered(lambda user: not user.share)
        self.env.ref("sales_team.group_sale_manager").users = [Command.unlink(user.id) for user in managers]
        self.own_claim.activity_ids.unlink()
        self.own_claim._storq_notify_portal_claim()
        self.assertFalse(self.own_claim.activity_ids)
        self.assertTrue(
            self.own_claim.message_ids.filtered(lambda message: "on the portal" in (message.body or ""))
        )

    def test_portal_user_has_no_direct_access(self):
        for model in ("stock.lot", "storq.warranty.claim", "storq.serial.event"):
            with self.assertRaises(AccessError, msg=model):
                self.env[model].with_user(self.portal_user).search([])
        self.assertFalse(self.own_claim.with_user(self.portal_user).has_access("read"))

    def test_anonymous_visitor_is_sent_to_login(self):
        response = self.url_open("/my/units", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])

    def test_register_a_unit_warranty(self):
        gadget_tmpl = self.gadget.product_tmpl_id
        gadget_tmpl.write(
            {
                "storq_warranty_duration": 2,
                "storq_warranty_unit": "years",
                "storq_warranty_trigger": "registration",
            }
        )
        unit = self._receive(["WPT0010"], product=self.gadget)
        self._sell(self.customer, unit)
        self.assertFalse(unit.storq_warranty_date_start)
        self._login(self.portal_user)
        page = self.url_open("/my/units")
        self.assertIn(f"/my/units/{unit.id}/register", page.text)
        self.assertNotIn(f"/my/units/{self.own[0].id}/register", page.text, "starts at delivery")
        self.assertEqual(self._post(f"/my/units/{self.foreign.id}/register").status_code, 404)
        self._post(f"/my/units/{unit.id}/register")
        unit.invalidate_recordset()
        self.assertTrue(unit.storq_warranty_date_start)
        self.assertEqual(unit.storq_warranty_state, "active")
        self.assertNotIn(f"/my/units/{unit.id}/register", self.url_open("/my/units").text)
