from odoo.tests import Form
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestCustomerUnits(StorqSerialsCase):
    """Sales staff see the units of an order and every unit a customer holds or held."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.acme = cls.env["res.partner"].create({"name": "Acme Units", "is_company": True})
        cls.buyer = cls.env["res.partner"].create({"name": "Acme buyer", "parent_id": cls.acme.id})
        cls.other = cls.env["res.partner"].create({"name": "Initech"})
        cls.units = cls._stock_units(cls.laptop, ["CU5T0M1", "CU5T0M2", "CU5T0M3"])
        cls.salesman = cls._make_user("storq_units_salesman", "sales_team.group_sale_salesman")

    def _deliver(self, partner, units):
        order = self._sale(partner, self.laptop, len(units))
        delivery = order.picking_ids
        for unit in units:
            self.assertEqual(delivery.storq_scan(unit.name, self.laptop.id)["status"], "ok")
        delivery.button_validate()
        return order, delivery

    def _action_units(self, action):
        return self.env["stock.lot"].search(action["domain"])

    def test_order_and_customer_show_their_units(self):
        order, _delivery = self._deliver(self.buyer, self.units[:2])
        self.assertEqual(order.storq_unit_count, 2)
        action = order.action_storq_view_units()
        self.assertEqual(self._action_units(action), self.units[:2])
        view = self.env.ref("storq_serials.stock_lot_view_list_customer_units")
        self.assertEqual(action["views"], [(view.id, "list"), (False, "form")], "the full form, with history")
        # The company and its contacts share their units.
        for partner in (self.acme, self.buyer):
            self.assertEqual(partner.storq_unit_count, 2)
            self.assertEqual(self._action_units(partner.action_storq_view_units()), self.units[:2])
        self.assertEqual(self.other.storq_unit_count, 0)

    def test_units_that_came_back_stay_on_the_order_and_the_customer(self):
        order, delivery = self._deliver(self.acme, self.units[:1])
        unit = self.units[0]
        # The customer returns it, and it is sold to someone else.
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({})
        )
        wizard.product_return_moves.quantity = 1
        returned = wizard._create_return()
        returned.move_line_ids.write({"lot_id": unit.id, "quantity": 1, "picked": True})
        returned.button_validate()
        self.assertEqual(unit.storq_state, "in_stock")
        second, _delivery = self._deliver(self.other, unit)
        self.assertEqual(unit.storq_sale_id, second)
        self.assertEqual(order.storq_unit_count, 1, "the first order still lists it")
        self.assertEqual(self._action_units(order.action_storq_view_units()), unit)
        self.assertEqual(self.acme.storq_unit_count, 1, "held before")
        self.assertEqual(self.other.storq_unit_count, 1, "holds now")

    def test_salesman_without_stock_rights_opens_the_units(self):
        order, _delivery = self._deliver(self.acme, self.units[:2])
        order = order.with_user(self.salesman)
        self.assertEqual(order.storq_unit_count, 2)
        action = order.action_storq_view_units()
        views = self.env["stock.lot"].with_user(self.salesman).get_views(action["views"])
        list_arch = views["views"]["list"]["arch"]
        self.assertIn("storq_delivered_date", list_arch)
        spec = dict.fromkeys(views["models"]["stock.lot"]["fields"], {})
        rows = self.env["stock.lot"].with_user(self.salesman).web_search_read(action["domain"], spec)
        self.assertEqual({row["name"] for row in rows["records"]}, {"CU5T0M1", "CU5T0M2"})
        partner = self.acme.with_user(self.salesman)
        self.assertEqual(partner.storq_unit_count, 2)
        partner_action = partner.action_storq_view_units()
        self.assertEqual(
            self.env["stock.lot"].with_user(self.salesman).search(partner_action["domain"]), self.units[:2]
        )
        # The unit opens in the unit card (Odoo's lot form needs stock rights).
        card = self.env.ref("storq_serials.stock_lot_view_form_customer_unit")
        self.assertEqual(action["views"][1], (card.id, "form"))
        form = self.env["stock.lot"].with_user(self.salesman).get_views([action["views"][1]])
        spec = dict.fromkeys(form["models"]["stock.lot"]["fields"], {})
        record = self.units[0].with_user(self.salesman).web_read(spec)[0]
        self.assertEqual(record["storq_sale_id"], order.id)

    def test_units_button_only_for_sales_and_stock_users(self):
        employee = self._make_user("storq_units_employee", "base.group_user")
        for user, shown in ((self.salesman, True), (employee, False)):
            partner_form = self.env["res.partner"].with_user(user).get_views([(False, "form")])
            arch = partner_form["views"]["form"]["arch"]
            self.assertEqual("action_storq_view_units" in arch, shown, user.login)
        order_form = self.env["sale.order"].with_user(self.salesman).get_views([(False, "form")])
        self.assertIn("action_storq_view_units", order_form["views"]["form"]["arch"])

    def test_new_order_and_customer_forms_have_no_units(self):
        order_form = Form(self.env["sale.order"])
        order_form.partner_id = self.acme
        self.assertEqual(order_form.storq_unit_count, 0)
        partner_form = Form(self.env["res.partner"])
        partner_form.name = "Brand new customer"
        self.assertEqual(partner_form.storq_unit_count, 0)
        self.assertEqual(partner_form.save().storq_unit_count, 0)
