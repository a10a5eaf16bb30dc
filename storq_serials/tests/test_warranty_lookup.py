from datetime import date
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common_warranty_front import StorqWarrantyFrontCase

# Queries of one lookup, whatever the number of units, events and claims: the unit (1), the
# user and the customer (3), its coverage (1), claims (list and count: 2), returns (1), its
# last events (1), the purchase (1), the documents and partners the card names (5).
LOOKUP_QUERIES = 15


@tagged("post_install", "-at_install", "is_query_count")
class TestWarrantyLookup(StorqWarrantyFrontCase):
    """The warranty desk: a serial gives the unit's card and a claim in three actions."""

    def test_card_shows_the_unit_its_customer_dates_and_coverage(self):
        lots = self._receive(["WLK0001", "WLK0002"])
        order = self._sell(self.customer, lots[:1])
        self._claim(lots[0])
        form = Form(self.Lookup)
        form.serial = " wlk0001 "  # as typed, in lower case, with spaces: found in capitals
        self.assertEqual(form.lot_id, lots[0])
        self.assertFalse(form.message)
        self.assertEqual(form.product_id, self.laptop)
        self.assertEqual(form.partner_id, self.customer)
        self.assertEqual(form.sale_id, order)
        self.assertEqual(form.supplier_id, self.vendor)
        self.assertEqual(form.purchase_ref, lots[0].storq_purchase_id.name)
        today = fields.Date.context_today(lots[0])
        self.assertEqual(form.received_date, today)
        self.assertEqual(form.delivered_date, today)
        self.assertEqual(form.coverage, "covered")
        self.assertEqual(form.warranty_date_end, lots[0].storq_warranty_date_end)
        self.assertGreater(form.days_left, 360)
        self.assertEqual(form.claim_count, 1)
        self.assertTrue(form.open_claim_name)
        self.assertEqual(form.return_count, 0)
        self.assertIn(form.open_claim_name, form.card_html)
        self.assertIn("Delivered", form.card_html)
        self.assertIn(order.picking_ids.name, form.card_html, "the history names the delivery")

    def test_card_dates_are_the_users_days_not_utc_ones(self):
        # 23:30 UTC is already the next day in Brussels: the card shows the day the user saw.
        self.env.user.tz = "Europe/Brussels"
        with freeze_time("2026-06-30 23:30:00"):
            lots = self._receive(["WLK0020"])
            self._sell(self.customer, lots)
            form = Form(self.Lookup)
            form.serial = "WLK0020"
            self.assertEqual(form.received_date, date(2026, 7, 1))
            self.assertEqual(form.delivered_date, date(2026, 7, 1))
            self.assertEqual(form.delivered_date, fields.Date.context_today(lots))

    def test_card_escapes_what_customers_wrote(self):
        lots = self._receive(["WLK0015"])
        self._sell(self.customer, lots)
        self._claim(lots, description="<script>alert('x')</script> broken")
        form = Form(self.Lookup)
        form.serial = "WLK0015"
        self.assertNotIn("<script>", form.card_html)
        self.assertIn("&lt;script&gt;", form.card_html)

    def test_unknown_serial_and_unsold_unit(self):
        lots = self._receive(["WLK0003"])
        form = Form(self.Lookup)
        form.serial = "NOPE999"
        self.assertFalse(form.lot_id)
        self.assertIn("No unit with serial NOPE999", form.message)
        form.serial = "WLK0003"
        self.assertEqual(form.lot_id, lots)
        self.assertEqual(form.coverage, "not_sold")
        self.assertEqual(form.unit_state, "in_stock")
        wizard = Form(self.Lookup)
        wizard.serial = "NOPE999"
        with self.assertRaisesRegex(UserError, "No unit with serial NOPE999"):
            wizard.save().action_open_claim()

    def test_same_serial_on_two_products_offers_both(self):
        laptop_unit = self._receive(["WLK0004"])
        gadget_unit = self._receive(["WLK0004"], product=self.gadget)
        form = Form(self.Lookup)
        form.serial = "WLK0004"
        self.assertIn("2 units carry serial WLK0004", form.message)
        self.assertEqual(set(form.allowed_lot_ids.ids), {laptop_unit.id, gadget_unit.id})
        form.lot_id = gadget_unit
        self.assertEqual(form.product_id, self.gadget)
        self.assertEqual(form.coverage, "not_sold")

    def test_three_actions_to_a_saved_claim(self):
        lots = self._receive(["WLK0005"])
        self._sell(self.customer, lots)
        # 1. scan, 2. the problem, 3. Open claim: the claim is saved and opened.
        form = Form(self.Lookup)
        form.serial = "WLK0005"
        form.description = "The screen flickers."
        action = form.save().action_open_claim()
        claim = self.Claim.browse(action["res_id"])
        self.assertEqual(action["res_model"], "storq.warranty.claim")
        self.assertEqual((claim.lot_id, claim.partner_id), (lots, self.customer))
        self.assertEqual(claim.product_id, self.laptop)
        self.assertEqual(claim.coverage, "covered")
        self.assertEqual(claim.description, "The screen flickers.")
        # Without the problem: the claim form, filled for the unit and its customer.
        other = self._receive(["WLK0006"])
        self._sell(self.customer, other)
        form = Form(self.Lookup)
        form.serial = "WLK0006"
        action = form.save().action_open_claim()
        self.assertEqual(action["context"]["default_lot_id"], other.id)
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        claim_form = Form(self.Claim.with_context(**action["context"]))
        claim_form.description = "Battery drains."
        claim = claim_form.save()
        self.assertEqual((claim.lot_id, claim.partner_id, claim.coverage), (other, self.customer, "covered"))

    def test_from_the_customer_only_their_units(self):
        lots = self._receive(["WLK0007", "WLK0008", "WLK0009"])
        self._sell(self.customer_contact, lots[:1])
        self._sell(self.customer, lots[1:2])
        self._sell(self.other_customer, lots[2:])
        action = self.customer_contact.action_storq_new_claim()
        self.assertEqual(action["res_model"], "storq.warranty.lookup")
        form = Form(self.Lookup.with_context(**action["context"]))
        self.assertEqual(form.customer_id, self.customer_contact)
        self.assertEqual(set(form.allowed_lot_ids.ids), set(lots[:2].ids), "the company's and its contacts'")
        form.serial = "WLK0009"  # another customer's unit
        self.assertFalse(form.lot_id)
        self.assertIn("holds no unit with serial WLK0009", form.message)
        form.serial = "WLK0008"
        self.assertEqual(form.lot_id, lots[1])
        form.description = "Keyboard broken."
        claim = self.Claim.browse(form.save().action_open_claim()["res_id"])
        self.assertEqual(claim.partner_id, self.customer_contact)
        # The customer's buttons count their claims.
        self.assertEqual(self.customer.storq_claim_count, 1)
        self.assertEqual(self.customer_contact.storq_claim_count, 1)
        self.assertEqual(self.other_customer.storq_claim_count, 0)
        self.assertEqual(self.Claim.search(self.customer.action_storq_view_claims()["domain"]), claim)

    def test_from_the_order_and_the_unit(self):
        lots = self._receive(["WLK0010", "WLK0011"])
        order = self._sell(self.customer, lots[:1])
        self._sell(self.customer, lots[1:])
        action = order.action_storq_new_claim()
        form = Form(self.Lookup.with_context(**action["context"]))
        self.assertEqual(form.allowed_lot_ids.ids, lots[0].ids, "only the order's units")
        form.serial = "WLK0010"
        form.description = "Fan noise."
        claim = self.Claim.browse(form.save().action_open_claim()["res_id"])
        self.assertEqual(claim.sale_id, order)
        self.assertEqual(order.storq_claim_count, 1)
        self.assertEqual(self.Claim.search(order.action_storq_view_claims()["domain"]), claim)
        unit_action = lots[1].action_storq_new_claim()
        self.assertEqual(unit_action["context"]["default_lot_id"], lots[1].id)
        self.assertEqual(unit_action["context"]["default_partner_id"], self.customer.id)

    def test_salesman_without_inventory_rights_opens_a_claim(self):
        self.assertFalse(self.salesman.has_group("stock.group_stock_user"))
        lots = self._receive(["WLK0012"])
        self._sell(self.customer, lots)
        with self.assertRaises(AccessError):
            self.env["storq.serial.event"].with_user(self.salesman).search([])
        # From the customer's form, as the salesperson.
        partner = self.customer.with_user(self.salesman)
        self.assertEqual(partner.storq_unit_count, 1)
        action = partner.action_storq_new_claim()
        form = Form(self.Lookup.with_user(self.salesman).with_context(**action["context"]))
        form.serial = "WLK0012"
        self.assertEqual(form.coverage, "covered")
        self.assertIn("Delivered", form.card_html, "the history, read for them")
        form.description = "Does not charge."
        action = form.save().action_open_claim()
        claim = self.Claim.with_user(self.salesman).browse(action["res_id"])
        self.assertEqual(claim.lot_id.name, "WLK0012")
        self.assertEqual(claim.create_uid, self.salesman)
        # The unit card they open from the customer offers the claims and a new claim.
        card = self.env.ref("storq_serials.stock_lot_view_form_customer_unit")
        card_arch = self.Lot.with_user(self.salesman).get_views([(card.id, "form")])["views"]["form"]["arch"]
        self.assertIn("action_storq_new_claim", card_arch)
        self.assertIn("action_storq_view_claims", card_arch)
        unit = claim.lot_id
        self.assertEqual(unit.storq_claim_count, 1)
        self.assertEqual(
            self.Claim.with_user(self.salesman).search(unit.action_storq_view_claims()["domain"]), claim
        )
        # A second claim on the unit while the first is open is refused, naming the first.
        form = Form(self.Lookup.with_user(self.salesman))
        form.serial = "WLK0012"
        self.assertEqual(form.open_claim_name, claim.name)
        form.description = "Still does not charge."
        with self.assertRaisesRegex(UserError, claim.name):
            form.save().action_open_claim()
        # The views they open load for them.
        for model, view in (
            ("res.partner", False),
            ("storq.warranty.lookup", self.env.ref("storq_serials.storq_warranty_lookup_view_form").id),
        ):
            arch = (
                self.env[model].with_user(self.salesman).get_views([(view, "form")])["views"]["form"]["arch"]
            )
            self.assertIn("action_storq_new_claim" if model == "res.partner" else "action_open_claim", arch)

    def test_other_company_units_are_not_found(self):
        other_company = self.env["res.company"].create({"name": "Storq Other Co"})
        unit = self.Lot.create(
            {"name": "WLK0013", "product_id": self.laptop.id, "company_id": other_company.id}
        )
        form = Form(self.Lookup.with_user(self.salesman))
        form.serial = "WLK0013"
        self.assertFalse(form.lot_id, "the user's companies only")
        self.assertIn("No unit with serial WLK0013", form.message)
        self.salesman.company_ids |= other_company
        both = self.Lookup.with_user(self.salesman).with_context(
            allowed_company_ids=[self.company.id, other_company.id]
        )
        form = Form(both)
        form.serial = "WLK0013"
        self.assertEqual(form.lot_id, unit)

    def _assert_lookup_queries(self, serial):
        """Look `serial` up as the desk does, from a cold cache, in LOOKUP_QUERIES queries."""
        self.env.invalidate_all()
        _ = self.env.user.company_ids.ids  # in every request's cache already
        lookup = self.Lookup.new({"serial": serial})
        with self.assertQueryCount(LOOKUP_QUERIES):
            names = ["lot_id", "message", "product_id", "partner_id", "coverage", "days_left", "claim_count"]
            values = {name: lookup[name] for name in names}
            values["card_html"] = lookup.card_html
        self.assertEqual(values["lot_id"].name, serial)
        self.assertEqual(values["claim_count"], 1)
        return values

    def test_lookup_queries_do_not_grow_with_the_database(self):
        lots = self._receive(["WLQ0001", "WLQ0002"])
        self._sell(self.customer, lots)
        claim = self._claim(lots[0])
        _ = self.Lookup.new({"serial": "WLQ0001"}).card_html  # warm the registry caches once
        self._assert_lookup_queries("WLQ0001")
        # Many more units, deliveries, claims and events, also on the unit looked up.
        many = self._receive([f"WLQ{n:04d}" for n in range(100, 160)])
        self._sell(self.other_customer, many)
        for lot in many[:30]:
            self._claim(lot)
        # A long history on the unit itself, of the same kinds (documents, partners) as before.
        unit = lots[0]
        documents = [unit.storq_receipt_picking_id, unit.storq_delivery_picking_id, claim]
        partners = [self.vendor, self.customer]
        later = fields.Datetime.now() + timedelta(minutes=1)
        self.env["storq.serial.event"]._bulk_create(
            [
                {
                    "lot_id": unit.id,
                    "product_id": unit.product_id.id,
                    "company_id": unit.company_id.id,
                    "event_type": "note",
                    "date": later + timedelta(seconds=n),
                    "partner_id": partners[n % 2].id,
                    "document_ref": f"{documents[n % 3]._name},{documents[n % 3].id}",
                    "note": "checked",
                }
                for n in range(60)
            ]
        )
        values = self._assert_lookup_queries("WLQ0001")
        self.assertIn("checked", values["card_html"])

    def test_expired_unit(self):
        lots = self._receive(["WLK0014"])
        self._sell(self.customer, lots)
        past = fields.Date.context_today(lots) - timedelta(days=1)
        lots.sudo().write({"storq_warranty_date_end": past})
        form = Form(self.Lookup)
        form.serial = "WLK0014"
        self.assertEqual(form.coverage, "expired")
        self.assertEqual(form.days_left, 0)
