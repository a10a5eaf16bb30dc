import re

from odoo.tests import HttpCase
from odoo.tests import new_test_user
from odoo.tests import tagged

from .common_recall_notify import StorqRecallNotifyCase


@tagged("post_install", "-at_install")
class TestRecallPortal(HttpCase, StorqRecallNotifyCase):
    """The customer's recall page: with the notice's token or as their portal user, never
    another customer's."""

    def setUp(self):
        super().setUp()
        self.lots = self._fleet()
        self.recall = self._recall(self.lots)
        self.recall.user_id = self.manager
        self._send_all(self.recall)
        self.acme = self._notice(self.recall, self.customer)
        self.globex = self._notice(self.recall, self.other_customer)

    def _csrf(self, response):
        return re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)

    def test_page_with_the_token(self):
        response = self.url_open(self.acme.get_portal_url())
        self.assertEqual(response.status_code, 200)
        for text in ("RCLA001", "RCLA002", "The battery can overheat", "Stop charging the laptop"):
            self.assertIn(text, response.text)
        self.assertNotIn("RCLA003", response.text)  # Globex's unit

    def test_refused_without_a_valid_token(self):
        for url in (
            f"/my/recalls/{self.acme.id}",
            f"/my/recalls/{self.acme.id}?access_token=forged-token",
            # Another customer's token does not open this notice.
            f"/my/recalls/{self.acme.id}?access_token={self.globex.access_token}",
        ):
            response = self.url_open(url)
            self.assertNotIn("RCLA001", response.text, url)
            self.assertIn("/web/login", response.url, url)

    def test_acknowledge_and_ask_for_the_return_with_the_token(self):
        page = self.url_open(self.acme.get_portal_url())
        answer_url = f"/my/recalls/{self.acme.id}/answer"
        token = self.acme.access_token
        # A forged token changes nothing.
        self.url_open(
            answer_url, data={"csrf_token": self._csrf(page), "access_token": "forged", "answer": "return"}
        )
        self.assertEqual(self.acme.state, "sent")

        self.url_open(
            answer_url, data={"csrf_token": self._csrf(page), "access_token": token, "answer": "acknowledge"}
        )
        self.acme.invalidate_recordset()
        self.assertEqual(self.acme.state, "acknowledged")
        self.assertTrue(self.acme.date_acknowledged)
        self.assertEqual(set(self.acme.line_ids.mapped("state")), {"acknowledged"})
        self.assertEqual(self.globex.line_ids.state, "notified")
        self.assertEqual(self.acme.message_ids[0].author_id, self.customer)

        page = self.url_open(self.acme.get_portal_url())
        response = self.url_open(
            answer_url, data={"csrf_token": self._csrf(page), "access_token": token, "answer": "return"}
        )
        self.assertIn("return request was received", response.text)
        self.acme.invalidate_recordset()
        self.assertEqual(self.acme.state, "return_requested")
        activity = self.acme.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn("Acme Customer", activity.note)
        self.assertTrue(
            self.customer.message_ids.filtered(lambda message: "asked to return" in (message.body or ""))
        )

    def test_portal_user_sees_only_their_notices(self):
        portal = new_test_user(self.env, login="acme_portal", groups="base.group_portal")
        portal.partner_id.parent_id = self.customer
        self.authenticate("acme_portal", "acme_portal")
        home = self.url_open("/my")
        self.assertIn("Safety recalls of your products", home.text)
        self.assertIn("/my/recalls", home.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["recall_count"]})
        self.assertEqual(counters["recall_count"], 1)
        listing = self.url_open("/my/recalls")
        self.assertIn(self.recall.name, listing.text)
        self.assertIn(f"/my/recalls/{self.acme.id}", listing.text)
        self.assertNotIn(f"/my/recalls/{self.globex.id}", listing.text)
        own = self.url_open(f"/my/recalls/{self.acme.id}")
        self.assertIn("RCLA001", own.text)
        other = self.url_open(f"/my/recalls/{self.globex.id}")
        self.assertNotIn("RCLA003", other.text)
        self.assertFalse(other.url.endswith(f"/my/recalls/{self.globex.id}"))
        # Logged in, no token needed to answer; another customer's notice cannot be answered.
        self.url_open(
            f"/my/recalls/{self.globex.id}/answer", data={"csrf_token": self._csrf(own), "answer": "return"}
        )
        self.assertEqual(self.globex.state, "sent")
        self.url_open(
            f"/my/recalls/{self.acme.id}/answer", data={"csrf_token": self._csrf(own), "answer": "return"}
        )
        self.acme.invalidate_recordset()
        self.assertEqual(self.acme.state, "return_requested")
        # The portal user cannot read the notice model beyond their own.
        Notice = self.env["storq.recall.notice"].with_user(portal)
        self.assertEqual(Notice.search([]), self.acme)
