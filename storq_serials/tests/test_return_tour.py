from odoo import http
from odoo.tests import HttpCase
from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnTour(HttpCase, StorqReturnsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Read every addon manifest here rather than in the HTTP server thread (see test_ui_tours).
        _ = http.root.statics

    def test_return_units_from_a_sale_order(self):
        lots = self._receive(["TRN0001", "TRN0002"])
        order = self._sell(self.customer, lots[:1])
        self._sell(self.other_customer, lots[1:])
        self.start_tour(f"/odoo/action-sale.action_orders/{order.id}", "storq_return_units", login="admin")
        self.assertEqual(lots.mapped("storq_state"), ["in_stock", "delivered"])
        self.assertEqual(order.order_line.qty_delivered, 0)
        self.assertEqual(self._suspicious(lots).lot_id, lots[1])
