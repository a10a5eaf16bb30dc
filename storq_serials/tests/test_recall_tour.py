from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common_recall_notify import StorqRecallNotifyCase


@tagged("post_install", "-at_install")
class TestRecallTour(HttpCase, StorqRecallNotifyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread (see test_ui_tours).
        _ = http.root.statics

    def test_create_preview_confirm_and_notify(self):
        lots = self._receive(["TRC-0002", "TRC-0009", "TRC-0100"], product=self.gadget)
        self._sell(self.customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        self.start_tour(
            "/odoo/action-storq_serials.storq_recall_action", "storq_recall_notify", login="admin"
        )
        recall = self.env["storq.recall"].search([("title", "=", "Tour charger overheating")])
        self.assertEqual(recall.state, "confirmed")
        # Natural order: TRC-0100 is outside TRC-0001..TRC-0010.
        self.assertEqual(recall.line_ids.lot_id, lots[:2])
        self.assertTrue(all(lot.storq_blocked for lot in lots[:2]))
        self.assertFalse(lots[2].storq_blocked)
        self.assertEqual(recall.notice_ids.partner_id, self.customer | self.other_customer)
        self.assertEqual(set(recall.notice_ids.mapped("state")), {"queued"})
