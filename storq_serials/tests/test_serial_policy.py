from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestSerialPolicy(StorqSerialsCase):
    def test_category_gives_the_default(self):
        self.assertTrue(self.phone.storq_serial_control)
        self.assertEqual(self.phone.tracking, "serial")
        self.assertTrue(self.phone.is_storable)
        plain_category = self.env["product.category"].create({"name": "Cables"})
        cable = self.env["product.product"].create(
            {"name": "Cable", "type": "consu", "categ_id": plain_category.id}
        )
        self.assertFalse(cable.storq_serial_control)
        self.assertEqual(cable.tracking, "none")

    def test_product_overrides_category(self):
        phone_2 = self.env["product.product"].create(
            {
                "name": "Phone 2",
                "type": "consu",
                "categ_id": self.controlled_category.id,
                "storq_serial_control": False,
            }
        )
        self.assertFalse(phone_2.storq_serial_control)

    def test_services_are_not_put_under_control_by_their_category(self):
        service = self.env["product.product"].create(
            {"name": "Set-up service", "type": "service", "categ_id": self.controlled_category.id}
        )
        self.assertFalse(service.storq_serial_control)
        with self.assertRaisesRegex(ValidationError, "only goods"):
            service.storq_serial_control = True

    def test_form_onchange_sets_serial_tracking(self):
        with Form(self.env["product.template"]) as form:
            form.name = "Tablet"
            form.type = "consu"
            form.storq_serial_control = True
            self.assertTrue(form.is_storable)
            self.assertEqual(form.tracking, "serial")
        self.assertEqual(form.record.tracking, "serial")

    def test_turning_on_sets_tracking(self):
        product = self.env["product.product"].create({"name": "Drill", "type": "consu"})
        product.storq_serial_control = True
        self.assertEqual(product.tracking, "serial")
        self.assertTrue(product.is_storable)

    def test_tracking_cannot_be_loosened_while_controlled(self):
        with self.assertRaisesRegex(UserError, "Turn serial control off first"):
            self.laptop.tracking = "lot"
        self.laptop.storq_serial_control = False
        self.laptop.tracking = "lot"
        self.assertEqual(self.laptop.tracking, "lot")

    def test_stock_without_serials_blocks_control(self):
        product = self.env["product.product"].create({"name": "Router", "type": "consu", "is_storable": True})
        self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 12)
        with self.assertRaises(UserError) as caught:
            product.storq_serial_control = True
        message = str(caught.exception)
        self.assertIn("12.0 unit(s) on hand without their own serial number", message)
        self.assertIn(self.stock_location.display_name, message)
        self.assertIn("inventory adjustment", message)
        self.assertFalse(product.storq_serial_control)

    def test_open_moves_block_control(self):
        product = self.env["product.product"].create({"name": "Switch", "type": "consu", "is_storable": True})
        picking = self._receipt(product, [], quantity=3)
        with self.assertRaisesRegex(UserError, f"open transfers: {picking.name}"):
            product.storq_serial_control = True

    def test_serialised_stock_does_not_block(self):
        lot = self.Lot.create({"product_id": self.plain_serial_product.id, "name": "PS-1"})
        self.env["stock.quant"]._update_available_quantity(
            self.plain_serial_product, self.stock_location, 1, lot_id=lot
        )
        self.plain_serial_product.storq_serial_control = True
        self.assertTrue(self.plain_serial_product.storq_serial_control)

    def test_category_apply_button(self):
        category = self.env["product.category"].create({"name": "Tablets"})
        tablet = self.env["product.product"].create(
            {"name": "Tablet", "type": "consu", "categ_id": category.id}
        )
        category.storq_serial_control = True
        self.assertFalse(tablet.storq_serial_control, "an existing product keeps its setting")
        category.action_storq_apply_serial_policy()
        self.assertTrue(tablet.storq_serial_control)
        self.assertEqual(tablet.tracking, "serial")

    def test_category_change_keeps_control_of_a_product_with_units(self):
        plain_category = self.env["product.category"].create({"name": "Cables"})
        self._create_lots(self.phone, ["490154203237518"])
        self.phone.product_tmpl_id.categ_id = plain_category
        self.assertTrue(self.phone.storq_serial_control, "a category write keeps control of units")
        self.assertTrue(self._create_lots(self.phone, ["IMEI 356938035643809"]).storq_serial_control)
        # A product without units follows its new category, as before.
        tablet = self.env["product.product"].create(
            {"name": "Tablet", "type": "consu", "categ_id": self.controlled_category.id}
        )
        self.assertTrue(tablet.storq_serial_control)
        tablet.product_tmpl_id.categ_id = plain_category
        self.assertFalse(tablet.storq_serial_control)
        # Turning it off on the product itself stays possible.
        self.phone.storq_serial_control = False
        self.assertFalse(self.phone.storq_serial_control)

    def test_category_change_in_the_product_form_keeps_control(self):
        plain_category = self.env["product.category"].create({"name": "Cables"})
        self._create_lots(self.phone, ["490154203237518"])
        with Form(self.phone.product_tmpl_id) as form:
            form.categ_id = plain_category
            self.assertTrue(form.storq_serial_control, "the form shows control kept")
        self.assertTrue(self.phone.storq_serial_control)
        self.assertEqual(self.phone.categ_id, plain_category)

    def test_category_apply_button_keeps_control_of_products_with_units(self):
        self._create_lots(self.phone, ["490154203237518"])
        idle_phone = self.env["product.product"].create(
            {"name": "Idle phone", "type": "consu", "categ_id": self.controlled_category.id}
        )
        self.controlled_category.storq_serial_control = False
        action = self.controlled_category.action_storq_apply_serial_policy()
        self.assertTrue(self.phone.storq_serial_control)
        self.assertFalse(idle_phone.storq_serial_control)
        self.assertIn("Test phone", action["params"]["message"])
        self.assertIn("untick Serial control on each product", action["params"]["message"])
