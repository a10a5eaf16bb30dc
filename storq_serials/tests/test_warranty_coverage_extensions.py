from odoo.exceptions import ValidationError
from odoo.tests import tagged

from ..tools.warranty import add_months
from .common_warranty import WarrantyCase


@tagged("post_install", "-at_install")
class TestWarrantyExtensions(WarrantyCase):
    """Extended warranties sold as services; repair and replacement coverage; `_storq_extend_warranty`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.extension = cls.env["product.product"].create(
            {
                "name": "Test 1-year extended warranty",
                "type": "service",
                "storq_warranty_extension": True,
                "storq_warranty_duration": 1,
                "storq_warranty_unit": "years",
            }
        )

    def test_extension_on_the_same_order_extends_the_delivered_unit(self):
        units = self._stock_units(self.laptop, ["EXT0001", "EXT0002"])
        order = self._order_with(self.customer, [(self.laptop, 2, {}), (self.extension, 1, {})])
        self._deliver(self.customer, units, order=order)
        extended = units.filtered(lambda unit: unit.storq_warranty_date_end == add_months(self.today, 24))
        self.assertEqual(len(extended), 1, "one extension sold: one unit extended")
        self.assertEqual((units - extended).storq_warranty_date_end, add_months(self.today, 12))
        event = self._events(units, "warranty_extended")
        self.assertEqual(event.lot_id, extended)
        self.assertEqual(event.document_ref, order)
        line = order.order_line.filtered(lambda line: line.product_id == self.extension)
        self.assertEqual(line.storq_extended_lot_ids, extended)

    def test_extension_on_a_later_order_naming_the_serial(self):
        unit, other = self._stock_units(self.laptop, ["EXTL001", "EXTL002"])
        self._deliver(self.customer, unit)
        self._deliver(self.other_customer, other)
        with self.assertRaisesRegex(ValidationError, "not a unit"):
            self._order_with(self.customer, [(self.extension, 1, {"storq_lot_id": other.id})])
        with self.assertRaisesRegex(ValidationError, "not a warranty extension"):
            self._order_with(self.customer, [(self.gadget, 1, {"storq_lot_id": unit.id})])
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer_contact.id,
                "order_line": [(0, 0, {"product_id": self.extension.id, "storq_lot_id": unit.id})],
            }
        )
        self.assertEqual(
            unit.storq_warranty_date_end, add_months(self.today, 12), "a quotation extends nothing"
        )
        order.action_confirm()
        self.assertEqual(unit.storq_warranty_date_end, add_months(self.today, 24))
        self.assertEqual(len(self._events(unit, "warranty_extended")), 1)
        # Confirming again (or delivering anything else) does not extend twice.
        unit._storq_apply_pending_extensions()
        self.assertEqual(unit.storq_warranty_date_end, add_months(self.today, 24))

    def test_extension_waits_for_a_registration(self):
        self.laptop.product_tmpl_id.storq_warranty_trigger = "registration"
        unit = self._stock_units(self.laptop, ["EXTR001"])
        order = self._order_with(self.customer, [(self.laptop, 1, {}), (self.extension, 1, {})])
        self._deliver(self.customer, unit, order=order)
        self.assertFalse(unit.storq_warranty_date_end)
        unit._storq_register_warranty(self.customer)
        self.assertEqual(unit.storq_warranty_date_end, add_months(self.today, 24))

    def test_extension_of_a_product_without_terms_counts_from_the_delivery(self):
        unit = self._stock_units(self.gadget, ["EXT-GADGET"])
        order = self._order_with(self.customer, [(self.gadget, 1, {}), (self.extension, 1, {})])
        self._deliver(self.customer, unit, order=order)
        self.assertEqual(
            (unit.storq_warranty_date_start, unit.storq_warranty_date_end),
            (self.today, add_months(self.today, 12)),
        )
        self.assertEqual(unit._storq_warranty_coverage(self.customer)["verdict"], "covered")

    def test_extend_warranty_only_moves_the_end_later(self):
        unit = self._stock_units(self.laptop, ["EXTEND1"])
        self._deliver(self.customer, unit)
        end = unit.storq_warranty_date_end
        self.assertFalse(unit._storq_extend_warranty(end - self._days(5), self.customer, "goodwill"))
        self.assertEqual(unit.storq_warranty_date_end, end)
        self.assertEqual(unit._storq_extend_warranty(end + self._days(5), self.customer, "goodwill"), unit)
        self.assertEqual(unit.storq_warranty_date_end, end + self._days(5))
        self.assertIn("goodwill", self._events(unit, "warranty_extended").note)

    def test_repair_warranty_when_it_ends_later(self):
        self.env.company.storq_repair_warranty_days = 90
        expired, long_covered, never = self._stock_units(self.laptop, ["REPR001", "REPR002", "REPR003"])
        self._deliver(self.customer, expired | long_covered)
        # One unit's warranty ended, the other's runs another year.
        expired.sudo().write(
            {
                "storq_warranty_date_start": self.today - self._days(400),
                "storq_warranty_date_end": self.today - self._days(30),
                "storq_warranty_state": "expired",
            }
        )
        extended = (expired | long_covered | never)._storq_apply_repair_warranty(self.customer)
        self.assertEqual(extended, expired | never)
        self.assertEqual(expired.storq_warranty_date_end, self.today + self._days(90))
        self.assertEqual(expired.storq_warranty_state, "active")
        self.assertEqual(long_covered.storq_warranty_date_end, add_months(self.today, 12), "kept: ends later")
        # A product's own repair warranty wins over the company's.
        self.laptop.product_tmpl_id.storq_repair_warranty_days = 400
        long_covered._storq_apply_repair_warranty()
        self.assertEqual(long_covered.storq_warranty_date_end, self.today + self._days(400))
        self.assertIn("400", self._events(long_covered, "warranty_extended").note)

    def test_replacement_inherits_the_remaining_coverage(self):
        old, new = self._stock_units(self.laptop, ["REPL001", "REPL002"])
        self._deliver(self.customer, old)
        old.sudo().write(
            {
                "storq_warranty_date_start": self.today - self._days(100),
                "storq_warranty_date_end": self.today + self._days(265),
            }
        )
        new._storq_inherit_warranty(old, self.customer)
        self.assertEqual(
            (new.storq_warranty_date_start, new.storq_warranty_date_end),
            (old.storq_warranty_date_start, old.storq_warranty_date_end),
        )
        self.assertEqual(new.storq_warranty_state, "active")
        event = self._events(new, "warranty_inherited")
        self.assertIn("REPL001", event.note)
        # Delivered afterwards without a sale (a replacement), it keeps what it took over.
        picking = self._confirmed_transfer(
            self.laptop,
            1,
            self.stock_location,
            self.customer_location,
            self.env.ref("stock.picking_type_out"),
        )
        picking.partner_id = self.customer
        self._set_lines(picking.move_ids, [{"lot_id": new.id, "picked": True}])
        picking.button_validate()
        self.assertEqual(new.storq_state, "delivered")
        self.assertEqual(new.storq_warranty_date_end, self.today + self._days(265))
        self.assertEqual(new._storq_warranty_coverage(self.customer)["days_left"], 265)
