from contextlib import contextmanager

from odoo.exceptions import UserError

from .common_returns import StorqReturnsCase


class StorqClaimCase(StorqReturnsCase):
    """Units bought, sold and delivered, and the people who handle their warranty claims."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False))
        cls.customer.email = "buyer@acme.example.com"
        cls.Claim = cls.env["storq.warranty.claim"]
        cls.salesperson = cls._make_user("storq_claim_sales", "sales_team.group_sale_salesman")
        cls.sales_manager = cls._make_user("storq_claim_sales_manager", "sales_team.group_sale_manager")
        cls.stock_user = cls._make_user(
            "storq_claim_stock", "stock.group_stock_user,sales_team.group_sale_salesman"
        )

    def _delivered(self, serials, customer=None, product=None):
        """Units `serials` received from the vendor and delivered to `customer`; (lots, order)."""
        lots = self._receive(serials, product=product)
        order = self._sell(customer or self.customer, lots)
        return lots, order

    def _claim(self, lot, customer=None, user=None, **vals):
        Claim = self.Claim.with_user(user) if user else self.Claim
        return Claim.create(
            {
                "partner_id": (customer or self.customer).id,
                "lot_id": lot.id,
                "description": "It does not boot any more.",
                **vals,
            }
        )

    def _events(self, lots, event_type):
        return self.env["storq.serial.event"].search(
            [("lot_id", "in", lots.ids), ("event_type", "=", event_type)], order="id"
        )

    @contextmanager
    def _refused(self, pattern):
        """Expect a UserError matching `pattern`; what the refused call wrote is rolled back."""
        with self.assertRaises(UserError) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)
