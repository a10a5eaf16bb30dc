import importlib.util
from datetime import date
from datetime import timedelta
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StorqSerialsCase

# The builder lives beside the addon, in the repository's benchmarks/ folder.
BUILDER = Path(__file__).resolve().parents[2] / "benchmarks" / "build_data.py"
UNITS = 300
MOVE_EVENTS = ("received", "moved", "delivered", "returned", "returned_to_vendor", "scrapped")


def load_builder():
    spec = importlib.util.spec_from_file_location("storq_benchmark_build_data", BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@tagged("post_install", "-at_install")
class TestBenchmarkData(StorqSerialsCase):
    """`benchmarks/build_data.py` writes units that Odoo and the module read and work with."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not BUILDER.exists():
            cls.skipTest(cls, f"the benchmark data builder is not beside the addon ({BUILDER})")
        cls.builder = load_builder()
        cls.ctx = cls.builder.build(cls.env, UNITS)
        cls.products = cls.env["product.product"].browse([product["id"] for product in cls.ctx["products"]])
        cls.claims_expected = cls.builder.add_claims_and_recalls(cls.env, cls.products)
        cls.builder.merge_expected(cls.ctx, cls.claims_expected)
        cls.Unit = cls.env["stock.lot"].with_context(active_test=False)

    def _unit(self, domain):
        unit = self.Unit.search([("product_id", "in", self.products.ids), *domain], limit=1)
        self.assertTrue(unit, f"the builder wrote no unit with {domain}")
        return unit

    def _deliver(self, unit):
        """Sell `unit` to a new customer and validate the delivery with that serial."""
        customer = self.env["res.partner"].create({"name": "Benchmark buyer"})
        order = self._sale(customer, unit.product_id, 1)
        delivery = order.picking_ids
        self._set_unit_lines(delivery.move_ids, [{"lot_id": unit.id, "picked": True}])
        delivery.button_validate()
        return order, delivery

    def _quants(self, unit):
        return {
            quant.location_id: quant.quantity
            for quant in self.env["stock.quant"].search([("lot_id", "=", unit.id)])
        }

    def test_generated_units_pass_the_check(self):
        self.builder.check(self.env, self.ctx)
        expected = self.ctx["expected"]
        self.assertEqual(self.Unit.search_count([("product_id", "in", self.products.ids)]), UNITS)
        delivered = expected[("state", "delivered")]
        self.assertTrue(0.7 * UNITS <= delivered <= 0.9 * UNITS, f"{delivered} of {UNITS} units delivered")
        self.assertGreater(expected[("state", "in_stock")], 0)
        self.assertGreater(expected["returns"], 0)
        self.assertGreater(expected["blocked"], 0)
        self.assertEqual(
            self.env["stock.move.line"].search_count(
                [("product_id", "in", self.products.ids), ("state", "=", "done")]
            ),
            sum(count for key, count in expected.items() if key[:1] == ("event",) and key[1] in MOVE_EVENTS),
            "one done move line per history event of a move",
        )

    def test_delivered_units_carry_their_warranty_as_the_module_writes_it(self):
        expected = self.ctx["expected"]
        self.assertEqual(
            expected[("event", "warranty_started")],
            self.Unit.search_count(
                [("product_id", "in", self.products.ids), ("storq_delivered_date", "!=", False)]
            ),
        )
        self.assertEqual(
            expected[("warranty", "active")] + expected[("warranty", "expired")],
            expected[("event", "warranty_started")],
        )
        self.assertEqual(expected[("warranty", "expired")], expected[("event", "warranty_expired")])
        # 300 units come in one or two receipts: their warranties may all run still.
        for state in ("active", "expired"):
            units = self.Unit.search(
                [("product_id", "in", self.products.ids), ("storq_warranty_state", "=", state)], limit=3
            )
            for unit in units:
                events = unit.storq_event_ids
                started = events.filtered(lambda event: event.event_type == "warranty_started")
                self.assertEqual(started.document_ref, unit.storq_delivery_picking_id)
                self.assertEqual(started.date, unit.storq_delivered_date)
                self.assertIn(
                    f"Covered {unit.storq_warranty_date_start} to {unit.storq_warranty_date_end}",
                    started.note,
                )
                expired = events.filtered(lambda event: event.event_type == "warranty_expired")
                if state == "active":
                    self.assertFalse(expired)
                    self.assertGreaterEqual(unit.storq_warranty_date_end, date.today())
                else:
                    self.assertEqual(expired.date.date(), unit.storq_warranty_date_end + timedelta(days=1))
        self.assertTrue(unit.storq_supplier_warranty_date_end)
        never_sold = self._unit([("storq_delivered_date", "=", False)])
        self.assertEqual(never_sold.storq_warranty_state, "none")
        self.assertFalse(never_sold.storq_warranty_date_end)

    def test_check_fails_loudly_when_quants_disagree(self):
        unit = self._unit([("storq_state", "=", "in_stock")])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_quant SET quantity = 2 WHERE lot_id = %s AND quantity = 1", [unit.id]
        )
        self.env.invalidate_all()
        with self.assertRaisesRegex(self.builder.DataCheckError, "quants"):
            self.builder.check(self.env, self.ctx)

    def test_serials_follow_their_products_formats(self):
        Validation = self.env["storq.serial.validation"]
        for product in self.products:
            rule, label = Validation._get_rule(product)
            self.assertTrue(label, f"{product.display_name} has a format rule")
            for serial in self.Unit.search([("product_id", "=", product.id)]).mapped("name"):
                self.assertEqual(rule.validate(serial), serial)

    def test_an_in_stock_unit_is_delivered_by_odoo(self):
        unit = self._unit([("storq_state", "=", "in_stock"), ("storq_blocked", "=", False)])
        stock = unit.storq_location_id
        self.assertEqual(self._quants(unit).get(stock), 1)
        before = unit.storq_event_ids
        order, delivery = self._deliver(unit)
        self.assertEqual(delivery.state, "done")
        self.assertEqual(unit.storq_state, "delivered")
        self.assertEqual(unit.storq_sale_id, order)
        self.assertEqual(unit.storq_partner_id, order.partner_id)
        # The builder gives its products 24 months from delivery: the delivery starts it.
        self.assertEqual(
            sorted((unit.storq_event_ids - before).mapped("event_type")), ["delivered", "warranty_started"]
        )
        self.assertEqual(unit.storq_warranty_state, "active")
        self.assertFalse(self._quants(unit).get(stock), "the unit left the shelf its quant was on")

    def test_a_blocked_unit_is_refused_at_delivery(self):
        unit = self._unit([("storq_state", "=", "in_stock"), ("storq_blocked", "=", True)])
        with self.assertRaisesRegex(UserError, "blocked"):
            self._deliver(unit)

    def test_claims_and_recalls_hold_what_the_module_writes(self):
        self.assertEqual(self.builder.check_claims(self.env, self.products, self.claims_expected), [])
        claims = self.env["storq.warranty.claim"].search([("product_id", "in", self.products.ids)])
        self.assertEqual(
            set(claims.mapped("state")), {"new", "review", "approved", "rejected", "resolved", "closed"}
        )
        self.assertEqual(set(claims.mapped("coverage")) - {"covered", "expired"}, set())
        # The claims are dated over the units' lives, not all today.
        self.assertGreater(len(set(claims.mapped("claim_date"))), 1)
        confirmed = self.env["storq.recall"].browse(self.claims_expected["recall_confirmed"])
        self.assertEqual(confirmed.state, "confirmed")
        self.assertTrue(all(confirmed.line_ids.lot_id.mapped("storq_blocked")))
        # The checks see a unit that lost its recall block, or a claim whose coverage is wrong.
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE stock_lot SET storq_blocked = false WHERE id = %s", [confirmed.line_ids[0].lot_id.id]
        )
        self.env.cr.execute(
            "UPDATE storq_warranty_claim SET coverage = 'no_warranty' WHERE id = %s", [claims[0].id]
        )
        self.env.invalidate_all()
        problems = "\n".join(self.builder.check_claims(self.env, self.products, self.claims_expected))
        self.assertIn("not blocked", problems)
        self.assertIn("coverage", problems)
        with self.assertRaisesRegex(self.builder.DataCheckError, "already has"):
            self.builder.add_claims_and_recalls(self.env, self.products)

    def test_a_delivered_unit_is_taken_back_by_the_return_flow(self):
        unit = self._unit([("storq_state", "=", "delivered"), ("storq_blocked", "=", False)])
        order, customer = unit.storq_sale_id, unit.storq_partner_id
        line = unit.storq_sale_line_id
        delivered = line.qty_delivered
        reason = self.env["storq.return.reason"].search([], limit=1)
        records = self.env["storq.serial.return.record"]._return_units(
            [{"lot_id": unit.id, "reason_id": reason.id, "disposition": "restock"}]
        )
        self.assertEqual(records.lot_id, unit)
        self.assertEqual(records.sale_id, order)
        self.assertEqual(records.partner_id, customer)
        self.assertEqual(unit.storq_state, "in_stock")
        self.assertEqual(self._quants(unit).get(unit.storq_location_id), 1)
        self.assertFalse(self._quants(unit).get(self.customer_location))
        self.assertEqual(line.qty_delivered, delivered - 1, "Odoo counts the return against the order line")

    def test_a_recall_range_selects_the_generated_units_between_its_bounds(self):
        phone = self.products.filtered(lambda product: product.name == "Bench phone P9")
        serials = sorted(self.Unit.search([("product_id", "=", phone.id)]).mapped("name"))
        first, last = serials[3], serials[12]
        recall = self.env["storq.recall"].create(
            {
                "title": "Benchmark data recall",
                "product_ids": [(6, 0, phone.ids)],
                "range_ids": [(0, 0, {"serial_from": first, "serial_to": last, "product_id": phone.id})],
            }
        )
        recall.action_preview()
        self.assertEqual(recall.preview_count, 10, "the stored serial keys order the IMEIs as their numbers")
