from odoo.tests import tagged

from ..tools.warranty import add_months
from .common_warranty import WarrantyCase

# The units' record, the claimant's company, the customers of units back with us (their last
# delivery), those customers' companies.
COVERAGE_QUERIES = 4


@tagged("post_install", "-at_install", "is_query_count")
class TestWarrantyCoverage(WarrantyCase):
    """Units get their warranty when delivered, at the terms of that day, and a verdict."""

    def test_delivery_starts_the_warranty_at_the_product_terms(self):
        units = self._stock_units(self.laptop, ["WAR0001", "WAR0002"])
        self.assertEqual(set(units.mapped("storq_warranty_state")), {"none"})
        _order, delivery = self._deliver(self.customer_contact, units)
        for unit in units:
            self.assertEqual(unit.storq_warranty_date_start, self.today)
            self.assertEqual(unit.storq_warranty_date_end, add_months(self.today, 12))
            self.assertEqual(unit.storq_warranty_state, "active")
        events = self._events(units, "warranty_started")
        self.assertEqual(len(events), 2)
        self.assertEqual(set(events.mapped("document_ref")), {delivery})

    def test_category_terms_apply_when_the_product_has_none(self):
        units = self._stock_units(self.speaker, ["SPK-1"])
        self._deliver(self.customer, units)
        self.assertEqual(units.storq_warranty_date_end, add_months(self.today, 24))
        # The product's own terms win over the category's.
        self.speaker.product_tmpl_id.storq_warranty_duration = 30
        self.speaker.product_tmpl_id.storq_warranty_unit = "days"
        later = self._stock_units(self.speaker, ["SPK-2"])
        self._deliver(self.customer, later)
        self.assertEqual(later.storq_warranty_date_end, self.today + self._days(30))

    def test_no_terms_anywhere_is_no_warranty_not_an_error(self):
        units = self._stock_units(self.gadget, ["GADGET-W1"])
        self._deliver(self.customer, units)
        self.assertEqual(units.storq_warranty_state, "none")
        self.assertFalse(units.storq_warranty_date_end)
        self.assertFalse(self._events(units, "warranty_started"))
        coverage = units._storq_warranty_coverage(self.customer)
        self.assertEqual(coverage, {"verdict": "no_warranty", "date_end": False, "days_left": 0})

    def test_terms_are_frozen_at_the_sale(self):
        first = self._stock_units(self.laptop, ["FROZEN1"])
        self._deliver(self.customer, first)
        self.laptop.product_tmpl_id.storq_warranty_duration = 24
        self.assertEqual(first.storq_warranty_date_end, add_months(self.today, 12), "sold before: unchanged")
        second = self._stock_units(self.laptop, ["FROZEN2"])
        self._deliver(self.customer, second)
        self.assertEqual(second.storq_warranty_date_end, add_months(self.today, 24), "sold after: new terms")

    def test_verdicts(self):
        in_stock, sold, sold_other = self._stock_units(self.laptop, ["VERD001", "VERD002", "VERD003"])
        self._deliver(self.customer_contact, sold)
        self._deliver(self.other_customer, sold_other)
        no_terms = self._stock_units(self.gadget, ["VERD-G"])
        self._deliver(self.customer, no_terms)
        lots = in_stock | sold | sold_other | no_terms
        end = add_months(self.today, 12)
        result = lots._storq_warranty_coverages(self.customer)
        self.assertEqual(result[in_stock]["verdict"], "not_sold")
        self.assertEqual(
            result[sold], {"verdict": "covered", "date_end": end, "days_left": (end - self.today).days}
        )
        self.assertEqual(result[sold_other]["verdict"], "other_customer")
        self.assertEqual(result[no_terms]["verdict"], "no_warranty")
        # The contact who bought it and its company are the same customer.
        self.assertEqual(sold._storq_warranty_coverage(self.customer_contact)["verdict"], "covered")
        # Without a partner, only the warranty counts.
        self.assertEqual(sold_other._storq_warranty_coverage()["verdict"], "covered")
        # The last covered day, and the day after.
        self.assertEqual(sold._storq_warranty_coverage(self.customer, end)["days_left"], 0)
        self.assertEqual(sold._storq_warranty_coverage(self.customer, end)["verdict"], "covered")
        after = sold._storq_warranty_coverage(self.customer, end + self._days(1))
        self.assertEqual(after, {"verdict": "expired", "date_end": end, "days_left": 0})

    def test_returned_unit_keeps_the_customer_it_was_delivered_to(self):
        unit = self._stock_units(self.laptop, ["RETW001"])
        _order, delivery = self._deliver(self.customer, unit)
        self._return_from_customer(delivery, unit)
        self.assertEqual(unit.storq_state, "in_stock")
        self.assertEqual(unit._storq_warranty_coverage(self.customer)["verdict"], "covered")
        self.assertEqual(unit._storq_warranty_coverage(self.other_customer)["verdict"], "other_customer")

    def test_redelivery_on_the_same_sale_keeps_the_warranty_a_new_sale_restarts_it(self):
        unit = self._stock_units(self.laptop, ["REDEL01"])
        order, delivery = self._deliver(self.customer, unit)
        self.laptop.product_tmpl_id.storq_warranty_duration = 6
        self._return_from_customer(delivery, unit)
        # Sold again to someone else: a new sale, the terms of today.
        self._deliver(self.other_customer, unit)
        self.assertEqual(unit.storq_warranty_date_end, add_months(self.today, 6))
        self.assertEqual(len(self._events(unit, "warranty_started")), 2)
        self.assertEqual(unit._storq_warranty_coverage(self.other_customer)["verdict"], "covered")
        self.assertEqual(unit._storq_warranty_coverage(self.customer)["verdict"], "other_customer")
        self.assertTrue(order)

    def test_verdicts_in_constant_queries(self):
        counts = []
        for size, prefix in ((3, "QCA"), (60, "QCB")):
            units = self._stock_units(self.laptop, [f"{prefix}{i:04d}" for i in range(size)])
            self._deliver(self.customer, units)
            back = units[: size // 3]
            self._return_from_customer(units.storq_delivery_picking_id, back)
            self.env.flush_all()
            self.env.invalidate_all()
            _ = self.env.user.company_id
            with self.assertQueryCount(COVERAGE_QUERIES):
                result = units._storq_warranty_coverages(self.customer)
            self.assertEqual({value["verdict"] for value in result.values()}, {"covered"})
            counts.append(len(result))
        self.assertEqual(counts, [3, 60])
