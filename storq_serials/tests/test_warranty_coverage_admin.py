from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..tools.warranty import add_months
from .common_warranty import WarrantyCase

# The units (their warranty, product, company, customer, location), the companies of their
# receipts and deliveries, one update, one insert of the events.
EXPIRE_QUERIES = 4


@tagged("post_install", "-at_install", "is_query_count")
class TestWarrantyAdministration(WarrantyCase):
    """Re-applying terms, the expiry job, the unit filters, who may change what, two companies."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = cls._make_user("warranty_admin_stock_user", "stock.group_stock_user")
        cls.salesman = cls._make_user("warranty_admin_salesman", "sales_team.group_sale_salesman")
        cls.manager = cls._make_user("warranty_admin_manager", "stock.group_stock_manager")

    def _covered_units(self, names, end, state="active"):
        """Units whose (already started) warranty ends on `end`, written as the module would."""
        lots = self._create_lots(self.laptop, names)
        lots.sudo().write(
            {
                "storq_warranty_date_start": end - relativedelta(years=1),
                "storq_warranty_date_end": end,
                "storq_warranty_state": state,
            }
        )
        return lots

    # ------------------------------------------------------------------
    # Re-applying the current terms
    # ------------------------------------------------------------------
    def test_manager_reapplies_the_current_terms_to_chosen_units(self):
        chosen, left = self._stock_units(self.laptop, ["REAP001", "REAP002"])
        self._deliver(self.customer, chosen | left)
        self.laptop.product_tmpl_id.storq_warranty_duration = 24
        self.assertEqual(chosen.storq_warranty_date_end, add_months(self.today, 12))
        wizard_model = self.env["storq.warranty.reapply"].with_context(
            active_model="stock.lot", active_ids=chosen.ids
        )
        with self.assertRaises(AccessError):
            Form(wizard_model.with_user(self.stock_user))
        with self.assertRaises(AccessError):
            chosen.with_user(self.stock_user)._storq_reapply_warranty_terms("no")
        with Form(wizard_model.with_user(self.manager)) as form:
            form.reason = "Terms extended to 24 months for this batch"
        form.record.action_apply()
        self.assertEqual(chosen.storq_warranty_date_end, add_months(self.today, 24))
        self.assertEqual(chosen.storq_warranty_date_start, self.today)
        self.assertEqual(left.storq_warranty_date_end, add_months(self.today, 12), "not chosen: unchanged")
        event = self._events(chosen, "warranty_reapplied")
        self.assertEqual(len(event), 1)
        self.assertIn("24 months for this batch", event.note)
        self.assertEqual(event.user_id, self.manager)

    # ------------------------------------------------------------------
    # The expiry job
    # ------------------------------------------------------------------
    def test_expiry_job_moves_ended_warranties_to_expired_in_batches(self):
        ended = self._covered_units(["EXP0001", "EXP0002", "EXP0003"], self.today - self._days(1))
        last_day = self._covered_units(["EXP0004"], self.today)
        done = self.env["stock.lot"]._storq_cron_expire_warranties(batch_size=2)
        self.assertEqual(done, 3)
        self.assertEqual(set(ended.mapped("storq_warranty_state")), {"expired"})
        self.assertEqual(last_day.storq_warranty_state, "active", "still covered on its last day")
        events = self._events(ended | last_day, "warranty_expired")
        self.assertEqual(events.lot_id, ended)
        self.assertFalse(self.env["stock.lot"]._storq_cron_expire_warranties(), "nothing left")
        cron = self.env.ref("storq_serials.ir_cron_storq_warranty_expiry")
        self.assertEqual(cron.code, "model._storq_cron_expire_warranties()")
        cron.method_direct_trigger()

    def test_expiry_batch_in_constant_queries(self):
        counts = []
        for size, prefix in ((5, "EQA"), (80, "EQB")):
            lots = self._covered_units([f"{prefix}{i:04d}" for i in range(size)], self.today - self._days(3))
            self.env.flush_all()
            self.env.invalidate_all()
            _ = self.env.user.company_id
            with self.assertQueryCount(EXPIRE_QUERIES):
                lots._storq_expire_warranty_batch()
            counts.append(len(self._events(lots, "warranty_expired")))
        self.assertEqual(counts, [5, 80])

    def test_delivery_starting_warranties_in_constant_queries(self):
        counts = []
        for size, prefix in ((5, "DQA"), (60, "DQB")):
            units = self._stock_units(self.laptop, [f"{prefix}{i:04d}" for i in range(size)])
            order = self._sale(self.customer, self.laptop, size)
            delivery = order.picking_ids
            lines = self._set_lines(
                delivery.move_ids, [{"lot_id": unit.id, "picked": True} for unit in units]
            )
            delivery.button_validate()
            units.sudo().write({"storq_warranty_date_start": False, "storq_warranty_date_end": False})
            self.env.flush_all()
            self.env.invalidate_all()
            _ = self.env.user.company_id
            before = self.cr.sql_log_count
            self.env["stock.lot"]._storq_record_moves(lines)
            self.env.flush_all()
            counts.append(self.cr.sql_log_count - before)
            self.assertEqual(set(units.mapped("storq_warranty_state")), {"active"})
        self.assertEqual(counts[0], counts[1], f"queries for 5 and 60 units: {counts}")

    # ------------------------------------------------------------------
    # Filters, form and list
    # ------------------------------------------------------------------
    def _filter_domain(self, name):
        arch = self.env["stock.lot"].get_views([(False, "search")])["views"]["search"]["arch"]
        node = etree.fromstring(arch).xpath(f"//filter[@name='{name}']")[0]
        return safe_eval(
            node.get("domain"), {"context_today": lambda: self.today, "relativedelta": relativedelta}
        )

    def test_search_filters(self):
        soon = self._covered_units(["FLT0001"], self.today + self._days(10))
        later = self._covered_units(["FLT0002"], self.today + self._days(200))
        expired = self._covered_units(["FLT0003"], self.today - self._days(10), state="expired")
        none = self._create_lots(self.laptop, ["FLT0004"])
        lots = soon | later | expired | none

        def found(name):
            return self.env["stock.lot"].search([("id", "in", lots.ids), *self._filter_domain(name)])

        self.assertEqual(found("storq_warranty_active"), soon | later)
        self.assertEqual(found("storq_warranty_expiring"), soon)
        self.assertEqual(found("storq_warranty_expired"), expired)
        self.assertEqual(found("storq_warranty_none"), none)

    def test_form_and_list_show_the_warranty(self):
        for user in (self.stock_user, self.manager):
            views = self.env["stock.lot"].with_user(user).get_views([(False, "form"), (False, "list")])
            form = views["views"]["form"]["arch"]
            self.assertIn('name="storq_warranty"', form)
            self.assertIn("storq_warranty_date_end", form)
            self.assertIn("storq_manufacture_date", form)
            self.assertIn('name="storq_warranty_date_end" optional="hide"', views["views"]["list"]["arch"])
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.storq_repair_warranty_days, 90)
        settings.storq_repair_warranty_days = 30
        settings.execute()
        self.assertEqual(self.env.company.storq_repair_warranty_days, 30)

    # ------------------------------------------------------------------
    # Who may change what
    # ------------------------------------------------------------------
    def test_staff_cannot_write_the_warranty_fields(self):
        unit = self._stock_units(self.laptop, ["SECW001"])
        self._deliver(self.customer, unit)
        for user in (self.stock_user, self.salesman, self.manager):
            for vals in (
                {"storq_warranty_date_end": self.today + self._days(5000)},
                {"storq_warranty_state": "active"},
                {"storq_warranty_date_start": self.today},
                {"storq_supplier_warranty_date_end": self.today},
            ):
                with self.assertRaises(AccessError, msg=f"{user.login} {vals}"):
                    unit.with_user(user).write(vals)
            with self.assertRaises(AccessError):
                self.env["stock.lot"].with_user(user).create(
                    {"product_id": self.laptop.id, "name": "SECW009", "storq_warranty_date_end": self.today}
                )
        self.assertEqual(unit.storq_warranty_date_end, add_months(self.today, 12))
        # A salesperson without stock rights reads the coverage, as the lookup and claims do.
        coverage = unit.with_user(self.salesman)._storq_warranty_coverage(self.customer)
        self.assertEqual(coverage["verdict"], "covered")
        with self.assertRaises(AccessError):
            unit.with_user(self.salesman).write({"storq_manufacture_date": self.today})

    def test_extended_units_are_recorded_by_the_module_only(self):
        unit = self._stock_units(self.laptop, ["SECW002"])
        order = self._order_with(self.customer, [(self.laptop, 1, {})])
        with self.assertRaises(AccessError):
            order.order_line.with_user(self.salesman).write(
                {"storq_extended_lot_ids": [Command.link(unit.id)]}
            )

    # ------------------------------------------------------------------
    # Two companies
    # ------------------------------------------------------------------
    def test_terms_and_verdicts_per_company(self):
        company_b = self.env["res.company"].create({"name": "Warranty Company B"})
        self.env.user.company_ids |= company_b
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=[company_b.id]))
        # The laptop (shared) has 12 months in company A, no terms in company B.
        self.assertFalse(self.laptop.product_tmpl_id.with_company(company_b).storq_warranty_duration)
        customer_b = env_b["res.partner"].create({"name": "Customer of B", "company_id": company_b.id})

        def deliver_in_b(names):
            lots = env_b["stock.lot"].create([{"product_id": self.laptop.id, "name": name} for name in names])
            quants = (
                env_b["stock.quant"]
                .with_context(inventory_mode=True)
                .create(
                    [
                        {
                            "product_id": self.laptop.id,
                            "location_id": warehouse_b.lot_stock_id.id,
                            "lot_id": lot.id,
                            "inventory_quantity": 1,
                        }
                        for lot in lots
                    ]
                )
            )
            quants.action_apply_inventory()
            order = env_b["sale.order"].create(
                {
                    "partner_id": customer_b.id,
                    "warehouse_id": warehouse_b.id,
                    "order_line": [
                        Command.create({"product_id": self.laptop.id, "product_uom_qty": len(lots)})
                    ],
                }
            )
            order.action_confirm()
            self._set_lines(order.picking_ids.move_ids, [{"lot_id": lot.id, "picked": True} for lot in lots])
            order.picking_ids.button_validate()
            return lots

        unit_b = deliver_in_b(["MCB0001"])
        self.assertEqual(self.env["stock.lot"]._storq_unit_companies(unit_b)[unit_b.id], company_b)
        self.assertEqual(unit_b.storq_warranty_state, "none")
        self.assertEqual(unit_b._storq_warranty_coverage(customer_b)["verdict"], "no_warranty")
        # Company B gives the laptop its own terms; company A's stay.
        self.laptop.product_tmpl_id.with_company(company_b).storq_warranty_duration = 3
        unit_b2 = deliver_in_b(["MCB0002"])
        self.assertEqual(unit_b2.storq_warranty_date_end, add_months(self.today, 3))
        unit_a = self._stock_units(self.laptop, ["MCA0001"])
        self._deliver(self.customer, unit_a)
        self.assertEqual(unit_a.storq_warranty_date_end, add_months(self.today, 12))
        self.assertEqual(unit_b2._storq_warranty_coverage(self.customer)["verdict"], "other_customer")
        # A manager of company A re-applies nothing on company B's units.
        with self.assertRaises(AccessError):
            unit_b2.with_user(self.manager)._storq_reapply_warranty_terms("not ours")
