from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestReturnReport(StorqReturnsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gadget_vendor = cls.env["res.partner"].create({"name": "Gadget Vendor Ltd"})

    def _return(self, order, serials, reason, disposition="restock"):
        wizard = self._return_wizard(
            order, serials, default_reason_id=self.reasons[reason], default_disposition=disposition
        )
        wizard.action_apply()

    def test_returns_by_reason_product_and_supplier_with_rates(self):
        laptops = self._receive(["RPT0001", "RPT0002", "RPT0003", "RPT0004"])
        gadgets = self._receive(["GAD-0001", "GAD-0002"], product=self.gadget, vendor=self.gadget_vendor)
        laptop_order = self._sell(self.customer, laptops)
        gadget_order = self._sell(self.other_customer, gadgets)
        self._return(laptop_order, ["RPT0001"], "defective", "repair")
        self._return(laptop_order, ["RPT0002"], "wrong_item")
        self._return(gadget_order, ["GAD-0001"], "defective", "scrap")

        Report = self.env["storq.return.report"]
        domain = [("product_id", "in", (self.laptop | self.gadget).ids)]
        # Delivered units, returned units and the rate (%) of each group.
        self.assertEqual(
            Report._return_rates(domain, "product_id"),
            {self.laptop.id: (4, 2, 50.0), self.gadget.id: (2, 1, 50.0)},
        )
        self.assertEqual(
            Report._return_rates(domain, "supplier_id"),
            {self.vendor.id: (4, 2, 50.0), self.gadget_vendor.id: (2, 1, 50.0)},
        )
        # By reason, the rate is over every unit delivered: deliveries have no reason.
        by_reason = Report._return_rates(domain, "reason_id")
        self.assertEqual(by_reason[self.reasons["defective"].id], (6, 2, 2 * 100 / 6))
        self.assertEqual(by_reason[self.reasons["wrong_item"].id], (6, 1, 100 / 6))

        # Reason within product, as the pivot asks for a reason under a product row.
        groups = Report.read_group(
            domain,
            ["delivered_count:sum", "returned_count:sum", "return_rate:avg"],
            ["product_id", "reason_id"],
            lazy=False,
        )
        rates = {
            (group["product_id"][0], group["reason_id"] and group["reason_id"][0]): (
                group["delivered_count"],
                group["returned_count"],
                group["return_rate"],
            )
            for group in groups
            if group["reason_id"]
        }
        self.assertEqual(
            rates,
            {
                (self.laptop.id, self.reasons["defective"].id): (4, 1, 25.0),
                (self.laptop.id, self.reasons["wrong_item"].id): (4, 1, 25.0),
                (self.gadget.id, self.reasons["defective"].id): (2, 1, 50.0),
            },
        )
        returned = Report.search(domain + [("kind", "=", "returned")])
        self.assertEqual(
            sorted(returned.mapped("disposition")), ["repair", "restock", "scrap"], "the disposition is kept"
        )
