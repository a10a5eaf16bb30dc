from odoo import Command
from odoo.tests import new_test_user

from .common_returns import StorqReturnsCase


class StorqWarrantyFrontCase(StorqReturnsCase):
    """Units bought from a vendor with a 12-month warranty from delivery, sold to customers;
    the staff and portal users who look them up and claim for them."""

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
        # A salesperson without any Inventory right, and a serial (stock) user.
        cls.salesman = cls._make_user("storq_wf_salesman", "sales_team.group_sale_salesman")
        cls.stock_user = cls._make_user("storq_wf_stock", "stock.group_stock_user")
        cls.portal_user = cls._make_user(
            "storq_wf_portal", "base.group_portal", partner_id=cls.customer_contact.id
        )
        cls.other_portal_user = cls._make_user(
            "storq_wf_portal_other", "base.group_portal", partner_id=cls.other_customer.id
        )
        cls.Claim = cls.env["storq.warranty.claim"]
        cls.Lookup = cls.env["storq.warranty.lookup"]

    @classmethod
    def _make_user(cls, login, groups, company=None, **values):
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
            **values,
        )

    def _claim(self, lot, partner=None, description="It does not start."):
        return self.Claim.create(
            {"partner_id": (partner or lot.storq_partner_id).id, "lot_id": lot.id, "description": description}
        )
