import importlib.util
from pathlib import Path

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import StorqSerialsCase

# The builder lives beside the addon, in the repository's benchmarks/ folder.
BUILDER = Path(__file__).resolve().parents[2] / "benchmarks" / "build_data.py"
UNITS = 300


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
            sum(
                count
                for key, count in expected.items()
                if key[:1] == ("event",) and key != ("event", "blocked")
            ),
            "one done move line per history event of a move",
        )

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

    def test_a_delivered_unit_is_taken_back_by_the_return_flow(self):
        unit = self._unit([("storq_state", "=", "delivered")])
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
