from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common_warranty_claim import StorqClaimCase


@tagged("post_install", "-at_install")
class TestWarrantyClaimWorkflow(StorqClaimCase):
    """new → review → approved or rejected → resolved → closed, and who may approve."""

    def test_goodwill_needs_a_manager(self):
        lots = self._receive(["WCW0001"])  # never sold: not covered
        claim = self._claim(lots, user=self.salesperson, resolution="goodwill")
        self.assertEqual(claim.coverage, "not_sold")
        claim.action_review()
        with self.assertRaisesRegex(
            UserError, "Only a serial manager or a sales manager can approve it as goodwill"
        ):
            claim.with_user(self.salesperson).action_approve()
        self.assertEqual(claim.state, "review")
        claim.with_user(self.sales_manager).action_approve()
        self.assertEqual(
            (claim.state, claim.goodwill, claim.approved_by_id), ("approved", True, self.sales_manager)
        )
        event = self._events(lots, "claim_approved")
        self.assertEqual((event.document_ref, event.user_id), (claim, self.sales_manager))

    def test_serial_manager_approves_goodwill_too(self):
        manager = self._make_user("storq_claim_serial_manager", "storq_serials.group_storq_manager")
        lots, _order = self._delivered(["WCW0011"], customer=self.other_customer)
        claim = self._claim(lots, resolution="goodwill")  # claimed by another customer
        claim.with_user(manager).action_approve()
        self.assertEqual((claim.state, claim.goodwill), ("approved", True))

    def test_approval_needs_a_resolution(self):
        lots, _order = self._delivered(["WCW0021"])
        claim = self._claim(lots)
        with self.assertRaisesRegex(UserError, "choose the resolution"):
            claim.action_approve()

    def test_rejection_needs_a_reason_and_is_logged(self):
        lots, _order = self._delivered(["WCW0031"])
        claim = self._claim(lots)
        claim.action_review()
        with self.assertRaisesRegex(UserError, "write the rejection reason first"):
            claim.action_reject()
        claim.reject_reason = "   "
        with self.assertRaisesRegex(UserError, "write the rejection reason first"):
            claim.action_reject()
        claim.reject_reason = "Water damage, not a defect"
        claim.with_user(self.salesperson).action_reject()
        self.assertEqual(claim.state, "rejected")
        event = self._events(lots, "claim_rejected")
        self.assertEqual((event.note, event.document_ref), ("Water damage, not a defect", claim))
        # A rejected claim can only be closed.
        with self.assertRaisesRegex(UserError, "this step needs a claim that is New, In review"):
            claim.action_approve()
        claim.action_close()
        self.assertEqual(claim.state, "closed")

    def test_reject_wizard_asks_the_reason(self):
        lots, _order = self._delivered(["WCW0051", "WCW0052"])
        claims = self._claim(lots[0], user=self.salesperson) | self._claim(lots[1], user=self.salesperson)
        Wizard = self.env["storq.warranty.claim.reject"].with_user(self.salesperson)
        form = Form(Wizard.with_context(active_model=claims._name, active_ids=claims.ids))
        self.assertEqual(form.claim_ids[:], claims)
        with self.assertRaisesRegex(AssertionError, "reason"):
            form.save()  # the reason is required
        form.reason = "Bought abroad: claim with the seller"
        form.save().action_reject()
        self.assertEqual(set(claims.mapped("state")), {"rejected"})
        self.assertEqual(set(claims.mapped("reject_reason")), {"Bought abroad: claim with the seller"})
        self.assertEqual(len(self._events(lots, "claim_rejected")), 2)

    def test_goodwill_resolution_goes_to_closed_and_logs_each_step(self):
        lots, _order = self._delivered(["WCW0041"])
        claim = self._claim(lots, resolution="goodwill")
        # Each step in its own request, so that each is tracked in the chatter.
        for step in (None, claim.action_review, claim.action_approve, claim.action_apply_resolution):
            if step:
                step()
            self.env.cr.precommit.run()
        self.assertEqual(claim.state, "resolved")
        self.assertEqual(lots.storq_state, "delivered", "goodwill: nothing comes back")
        claim.action_close()
        events = lots.storq_event_ids.filtered(lambda event: event.event_type.startswith("claim_"))
        self.assertEqual(
            events.sorted("id").mapped("event_type"),
            ["claim_opened", "claim_approved", "claim_resolved", "claim_closed"],
        )
        self.assertEqual(set(events.mapped("document_ref")), {claim})
        # The status changes are tracked in the chatter.
        self.env.cr.precommit.run()
        claim.invalidate_recordset(["message_ids"])
        tracked = claim.message_ids.tracking_value_ids.filtered(lambda value: value.field_id.name == "state")
        self.assertEqual(
            sorted(tracked.mapped("new_value_char")), sorted(["In review", "Approved", "Resolved", "Closed"])
        )
        with self.assertRaisesRegex(UserError, "is Closed: this step needs a claim that is Approved"):
            claim.action_apply_resolution()
