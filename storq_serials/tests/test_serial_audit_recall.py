from .common_recall import RecallCase
from .test_serial_audit import StorqAuditCase


class TestSerialAuditRecall(StorqAuditCase, RecallCase):
    """An audit of a recall's units, and the recall lines of blocked units an audit finds."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.recall = cls._recall([("GA-001", "GA-002", cls.gadget), ("GB-001", "GB-001", cls.gadget)])
        cls.recall.action_confirm()
        cls.recalled = cls.units_a[:2] | cls.unit_b
        cls.quarantine = cls.env["stock.location"].create(
            {"name": "Audit quarantine", "location_id": cls.stock_location.id, "storq_quarantine": True}
        )

    def _lines(self, units):
        return self.recall.line_ids.filtered(lambda line: line.lot_id in units)

    def test_recall_scope_expects_its_open_units_in_the_location(self):
        self.assertEqual(self.recall.line_ids.lot_id, self.recalled)
        self.assertTrue(all(self.recalled.mapped("storq_blocked")))
        audit = self._audit(location_id=self.stock_location.id, recall_id=self.recall.id)
        self.assertEqual(audit.line_ids.filtered("expected").lot_id, self.recalled)
        # Within the audited location only: shelf A holds two of the three.
        shelf = self._audit(recall_id=self.recall.id)
        self.assertEqual(shelf.line_ids.filtered("expected").lot_id, self.units_a[:2])
        # A closed line is no longer expected.
        self._lines(self.units_a[0]).sudo().state = "resolved"
        closed = self._audit(recall_id=self.recall.id)
        self.assertEqual(closed.line_ids.filtered("expected").lot_id, self.units_a[1])

    def test_recalled_unit_found_in_quarantine_advances_its_line(self):
        audit = self._audit(location_id=self.stock_location.id, recall_id=self.recall.id)
        # GB-001 found in the quarantine location, GA-001 on its shelf, GA-002 not found.
        answer = audit.storq_audit_scan("GB-001", self.quarantine.id)
        self.assertEqual(answer["status"], "blocked", answer)
        self.assertEqual(audit.storq_audit_scan("GA-001", self.shelf_a.id)["status"], "blocked")
        # Nothing changes before the manager applies the audit.
        self.assertEqual(set(self.recall.line_ids.mapped("state")), {"blocked"})
        audit.action_submit()
        self.assertEqual(audit.missing_count, 1)
        audit.with_user(self.manager).action_apply()
        self.assertEqual(self.unit_b.storq_location_id, self.quarantine)
        self.assertEqual(self._lines(self.unit_b).state, "quarantined")
        # Found on a shelf: held (blocked) already, the line stays; the event says where.
        self.assertEqual(self._lines(self.units_a[0]).state, "blocked")
        event = self.units_a[0].storq_event_ids.filtered(
            lambda event: "Blocked unit found" in (event.note or "")
        )
        self.assertEqual(len(event), 1)
        self.assertIn(self.shelf_a.name, event.note)
        self.assertEqual(self.units_a[1].storq_state, "missing")

    def test_blind_screen_hides_expected_counts_from_staff(self):
        audit = self._audit(blind=True, recall_id=self.recall.id)
        info = audit.storq_audit_info(8)
        self.assertTrue(info["blind"])
        self.assertNotIn("expected", info["counts"])
        self.assertNotIn("pending", info["counts"])
        self.assertEqual(info["recall"], self.recall.name)
        managed = audit.with_user(self.manager).storq_audit_info(8)
        self.assertEqual(managed["counts"]["expected"], 2)
        listed = self.env["storq.serial.audit"].with_user(self.user).storq_scan_screen_audits()
        self.assertIn(audit.id, [row["id"] for row in listed])

    def test_screen_lists_audits_of_the_users_companies_only(self):
        audit = self._audit(recall_id=self.recall.id)
        draft = self.env["storq.serial.audit"].with_user(self.user).create({"location_id": self.shelf_b.id})
        listed = {row["id"]: row for row in draft.storq_scan_screen_audits()}
        self.assertEqual(listed[audit.id]["state"], "in_progress")
        self.assertEqual(listed[audit.id]["recall"], self.recall.name)
        self.assertEqual(listed[draft.id]["state"], "draft")
        audit.action_submit()
        self.assertNotIn(audit.id, [row["id"] for row in draft.storq_scan_screen_audits()])
        company_b = self.env["res.company"].create({"name": "Storq Audit Screen Company B"})
        user_b = self._make_user("storq_audit_screen_user_b", "stock.group_stock_user", company=company_b)
        self.assertEqual(self.env["storq.serial.audit"].with_user(user_b).storq_scan_screen_audits(), [])
