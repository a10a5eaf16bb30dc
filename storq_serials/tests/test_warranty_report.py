from odoo import Command
from odoo.tests import tagged

from .common_warranty_front import StorqWarrantyFrontCase


@tagged("post_install", "-at_install")
class TestWarrantyClaimReport(StorqWarrantyFrontCase):
    """Failure rates (claims over units delivered) by product, supplier, receipt and month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vendor_b = cls.env["res.partner"].create({"name": "Second Laptop Vendor"})
        cls.Report = cls.env["storq.warranty.claim.report"]

    def _rates(self, groupby, domain=None):
        groups = self.Report.read_group(
            [("product_id", "in", (self.laptop | self.gadget).ids), *(domain or [])],
            [
                "delivered_count:sum",
                "claim_count:sum",
                "failure_rate:avg",
                "resolution_days:avg",
                "supplier_claim_count:sum",
                "supplier_credit_amount:sum",
            ],
            [groupby],
            lazy=False,
        )
        result = {}
        for group in groups:
            key = group[groupby][0] if isinstance(group[groupby], tuple) else group[groupby]
            result[key] = (
                group["delivered_count"],
                group["claim_count"],
                group["failure_rate"],
                group["resolution_days"],
                group["supplier_claim_count"],
                group["supplier_credit_amount"],
            )
        return result

    def test_failure_rates_by_product_supplier_receipt_and_month(self):
        first = self._receive(["WRP0001", "WRP0002", "WRP0003", "WRP0004"])
        second = self._receive(["WRP0005", "WRP0006"], vendor=self.vendor_b)
        gadgets = self._receive(["WRP0007"], product=self.gadget)
        self._sell(self.customer, first)
        self._sell(self.other_customer, second)
        self._sell(self.customer, gadgets)
        resolved = self._claim(first[0])
        self._claim(second[0])
        self._claim(second[1])
        # One claim resolved (goodwill), three days after it was opened.
        resolved.write({"resolution": "goodwill"})
        resolved.action_approve()
        resolved.action_apply_resolution()
        self.assertEqual(resolved.state, "resolved")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE storq_warranty_claim SET create_date = create_date - interval '3 days' WHERE id = %s",
            [resolved.id],
        )
        by_product = self._rates("product_id")
        self.assertEqual(by_product[self.laptop.id][:3], (6, 3, 50.0))
        self.assertEqual(by_product[self.gadget.id][:3], (1, 0, 0.0))
        by_supplier = self._rates("supplier_id")
        self.assertEqual(by_supplier[self.vendor.id][:3], (5, 1, 20.0), "4 laptops and the gadget")
        self.assertEqual(by_supplier[self.vendor_b.id][:3], (2, 2, 100.0))
        by_receipt = self._rates("receipt_id", [("product_id", "=", self.laptop.id)])
        self.assertEqual(by_receipt[first[0].storq_receipt_picking_id.id][:3], (4, 1, 25.0))
        self.assertEqual(by_receipt[second[0].storq_receipt_picking_id.id][:3], (2, 2, 100.0))
        by_month = self._rates("received_date:month", [("product_id", "=", self.laptop.id)])
        self.assertEqual([value[:3] for value in by_month.values()], [(6, 3, 50.0)])
        # Time to resolution: the resolved claim only (open ones have none).
        self.assertAlmostEqual(by_product[self.laptop.id][3], 3.0, places=1)
        by_state = self._rates("state", [("kind", "=", "claim")])
        self.assertAlmostEqual(by_state["resolved"][3], 3.0, places=1)
        self.assertFalse(by_state["new"][3])
        self.assertEqual(by_state["new"][1], 2)

    def test_supplier_recoveries(self):
        self.laptop.product_tmpl_id.write(
            {
                "seller_ids": [
                    Command.create(
                        {
                            "partner_id": self.vendor.id,
                            "storq_warranty_duration": 24,
                            "storq_warranty_unit": "months",
                        }
                    )
                ]
            }
        )
        units = self._receive(["WRP0020", "WRP0021"])
        spare = self._receive(["WRP0022"])
        self._sell(self.customer, units)
        claim = self.Claim.create(
            {
                "partner_id": self.customer.id,
                "lot_id": units[0].id,
                "description": "Dead on arrival.",
                "resolution": "replace",
                "replacement_lot_id": spare.id,
                "return_disposition": "restock",
            }
        )
        claim.action_approve()
        claim.action_apply_resolution()
        claim.action_claim_supplier()
        claim.write({"supplier_credit_amount": 650.0, "supplier_credit_ref": "RMA-77"})
        claim.action_supplier_credited()
        self._claim(units[1])  # not passed to the vendor
        rates = self._rates("supplier_id", [("product_id", "=", self.laptop.id)])
        delivered, claims, rate, _days, vendor_claims, credited = rates[self.vendor.id]
        self.assertEqual((claims, vendor_claims, credited), (2, 1, 650.0))
        self.assertEqual(delivered, 3, "the two units and the replacement delivered")
        self.assertAlmostEqual(rate, 200 / 3, places=2)
        by_vendor_claim = self._rates("supplier_claim_state", [("kind", "=", "claim")])
        self.assertEqual(by_vendor_claim["credited"][4:], (1, 650.0))

    def test_report_reads_as_salesman_and_only_own_company(self):
        units = self._receive(["WRP0010", "WRP0011"])
        self._sell(self.customer, units)
        self._claim(units[0])
        rates = self.Report.with_user(self.salesman).read_group(
            [("product_id", "=", self.laptop.id)], ["delivered_count:sum", "claim_count:sum"], [], lazy=False
        )
        self.assertEqual((rates[0]["delivered_count"], rates[0]["claim_count"]), (2, 1))
        other_company = self.env["res.company"].create({"name": "Storq Report Other Co"})
        other_user = self._make_user("storq_wf_report_other", "sales_team.group_sale_salesman", other_company)
        rates = self.Report.with_user(other_user).read_group(
            [("product_id", "=", self.laptop.id)], ["claim_count:sum"], [], lazy=False
        )
        self.assertFalse(rates[0]["claim_count"], "another company's claims are not counted")
        views = self.Report.with_user(self.salesman).get_views(
            [(False, "pivot"), (False, "graph"), (False, "list")]
        )
        self.assertIn("failure_rate", views["views"]["pivot"]["arch"])
