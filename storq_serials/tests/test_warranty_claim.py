import psycopg2

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_warranty_claim import StorqClaimCase


@tagged("post_install", "-at_install")
class TestWarrantyClaim(StorqClaimCase):
    """Opening a claim: what it reads from the unit, the acknowledgement, the guards."""

    def test_claim_with_customer_unit_and_problem_fills_the_rest(self):
        lots, order = self._delivered(["WCL0001"])
        claim = self._claim(lots)

        self.assertRegex(claim.name, r"^WC/\d{4}/\d{5}$")
        delivery = order.picking_ids
        self.assertEqual(
            (
                claim.product_id,
                claim.sale_id,
                claim.sale_line_id,
                claim.delivery_picking_id,
                claim.supplier_id,
            ),
            (self.laptop, order, order.order_line, delivery, self.vendor),
        )
        self.assertEqual(
            claim.delivery_date, fields.Datetime.context_timestamp(claim, delivery.date_done).date()
        )
        self.assertEqual(
            (claim.state, claim.company_id, claim.user_id, claim.claim_date),
            ("new", self.company, self.env.user, fields.Date.context_today(claim)),
        )
        # The unit's history says a claim was opened, pointing to it.
        event = self._events(lots, "claim_opened")
        self.assertEqual((len(event), event.document_ref, event.partner_id), (1, claim, self.customer))
        self.assertEqual((lots.storq_claim_ids, lots.storq_claim_count), (claim, 1))

    def test_customer_gets_an_acknowledgement_with_the_reference(self):
        lots, _order = self._delivered(["WCL0011"])
        claim = self._claim(lots)
        message = claim.message_ids.filtered(lambda message: self.customer in message.partner_ids)
        self.assertEqual(len(message), 1, "one mail to the customer")
        self.assertIn(claim.name, message.subject)
        self.assertIn("WCL0011", str(message.body))
        # Its email notification (the mail itself may already be sent and deleted, as when the
        # module's tests run while it installs).
        email = message.notification_ids.filtered(lambda notif: notif.notification_type == "email")
        self.assertEqual(email.res_partner_id, self.customer)
        # A customer without an email gets nothing, and the claim is still opened.
        lots, _order = self._delivered(["WCL0012"], customer=self.other_customer)
        claim = self._claim(lots, customer=self.other_customer)
        self.assertFalse(claim.message_ids.filtered("partner_ids"))

    def test_unit_chosen_without_customer_takes_the_unit_holder(self):
        lots, _order = self._delivered(["WCL0021"])
        claim = self.Claim.create({"lot_id": lots.id, "description": "Screen flickers"})
        self.assertEqual(claim.partner_id, self.customer)

    def test_unit_never_sold_or_sold_to_another_customer(self):
        in_stock = self._receive(["WCL0031"])
        claim = self._claim(in_stock)
        self.assertEqual(claim.coverage, "not_sold")
        lots, _order = self._delivered(["WCL0032"], customer=self.other_customer)
        claim = self._claim(lots)
        self.assertEqual(claim.coverage, "other_customer")
        # The contact of the buying company claims for it: the company's unit, no dispute.
        lots, _order = self._delivered(["WCL0033"])
        claim = self._claim(lots, customer=self.customer_contact)
        self.assertNotIn(claim.coverage, ("other_customer", "not_sold"))

    def test_second_open_claim_on_a_unit_is_refused_naming_the_first(self):
        lots, _order = self._delivered(["WCL0041"])
        first = self._claim(lots)
        with self.assertRaisesRegex(UserError, f"WCL0041 already has an open claim, {first.name}"):
            self._claim(lots)
        # Two at once in one batch: refused too.
        other, _order = self._delivered(["WCL0042"])
        with self.assertRaisesRegex(UserError, "WCL0042 is claimed twice"):
            self.Claim.create([{"partner_id": self.customer.id, "lot_id": other.id, "description": "x"}] * 2)
        # Once the first is rejected, the customer may claim again.
        first.reject_reason = "Broken by a fall"
        first.action_reject()
        second = self._claim(lots)
        self.assertEqual(second.state, "new")

    def test_database_keeps_one_open_claim_per_unit(self):
        lots, _order = self._delivered(["WCL0051"])
        first = self._claim(lots)
        first.reject_reason = "Not a fault"
        first.action_reject()
        self._claim(lots)
        # Two sessions racing past the check: the partial unique index refuses the second.
        with self.assertRaises(psycopg2.IntegrityError), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute("UPDATE storq_warranty_claim SET state = 'new' WHERE id = %s", [first.id])

    def test_only_units_under_serial_control(self):
        lot = self._create_lots(self.plain_serial_product, ["PLAIN-1"])
        with self.assertRaisesRegex(UserError, "Plain serial product is not under serial control"):
            self._claim(lot)

    def test_scrapped_unit_cannot_be_claimed(self):
        lots = self._receive(["WCL0061"])
        scrap = self.env["stock.scrap"].create(
            {
                "product_id": self.laptop.id,
                "lot_id": lots.id,
                "scrap_qty": 1,
                "location_id": self.stock_location.id,
            }
        )
        scrap.action_validate()
        self.assertEqual(lots.storq_state, "scrapped")
        with self.assertRaisesRegex(UserError, "WCL0061 was scrapped: a unit no longer in anybody's hands"):
            self._claim(lots)

    def test_unit_of_a_saved_claim_cannot_be_changed(self):
        lots, _order = self._delivered(["WCL0071", "WCL0072"])
        claim = self._claim(lots[0])
        with self.assertRaisesRegex(UserError, "The unit of a claim cannot be changed"):
            claim.lot_id = lots[1]
        claim.description = "Also the fan is loud"  # other fields stay editable

    def test_handled_claim_cannot_be_deleted(self):
        lots, _order = self._delivered(["WCL0081", "WCL0082"])
        new_claim = self._claim(lots[0])
        new_claim.unlink()
        claim = self._claim(lots[1], resolution="goodwill")
        claim.action_review()
        with self.assertRaisesRegex(UserError, "close them instead of deleting"):
            claim.unlink()

    def test_claim_form_as_a_salesperson(self):
        lots, order = self._delivered(["WCL0091"])
        form = Form(self.Claim.with_user(self.salesperson))
        form.lot_id = lots
        self.assertEqual(form.partner_id, self.customer, "the unit's holder is proposed")
        form.description = "Battery swells"
        claim = form.save()
        self.assertEqual(
            (claim.sale_id, claim.user_id, claim.coverage), (order, self.salesperson, "no_warranty")
        )

    def test_unit_claims_button_and_search_by_serial(self):
        lots, _order = self._delivered(["WCL0101"])
        claim = self._claim(lots)
        action = lots.action_storq_view_claims()
        self.assertEqual(self.Claim.search(action["domain"]), claim)
        self.assertEqual(action["context"]["default_lot_id"], lots.id)
        self.assertEqual(self.Claim.name_search("WCL0101")[0][0], claim.id)

    def test_written_off_unit_cannot_be_claimed(self):
        lots, _order = self._delivered(["WCL0111"])
        self.env["storq.serial.return.record"]._return_units(
            [{"lot_id": lots.id, "reason_id": self.reasons["defective"].id, "disposition": "write_off"}]
        )
        self.assertEqual(lots.storq_state, "written_off")
        with self.assertRaisesRegex(
            UserError, "WCL0111 was written off: a unit no longer in anybody's hands"
        ):
            self._claim(lots)
