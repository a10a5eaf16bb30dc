from datetime import timedelta

from odoo import fields

from ..models.storq_unit_rulebook import UnitMovement
from .test_serial_audit import StorqAuditCase


class TestSerialAuditApply(StorqAuditCase):
    """A manager applies an audit: real stock moves, unit records and history follow."""

    def _quantity(self, unit, location):
        quants = self.env["stock.quant"].search([("lot_id", "=", unit.id), ("location_id", "=", location.id)])
        return sum(quants.mapped("quantity"))

    def _submitted_audit(self):
        """Audit A: GA-001 and GA-BIN found, GA-002 and GA-003 missing, GB-001 (blocked) and
        GB-002 found in A although recorded in B."""
        self.unit_b.sudo()._storq_block("Quarantine Q-1")
        self.other_b = self._stock_units(self.gadget, ["GB-002"], self.shelf_b)
        audit = self._audit()
        for serial in ("GA-001", "GA-BIN", "GB-001", "GB-002"):
            audit.storq_audit_scan(serial)
        audit.action_submit()
        return audit

    def test_apply_moves_found_units_and_adjusts_missing_ones(self):
        # A serial manager with plain stock user rights applies it: the moves are the module's.
        reviewer = self._make_user(
            "storq_audit_reviewer", "stock.group_stock_user,storq_serials.group_storq_manager"
        )
        audit = self._submitted_audit()
        missing = self.units_a[1:]
        # Nothing changes before the manager's confirmation.
        self.assertEqual(set(missing.mapped("storq_state")), {"in_stock"})
        self.assertEqual(self._quantity(self.other_b, self.shelf_b), 1)
        self.assertEqual(self._quantity(missing[0], self.shelf_a), 1)
        self.assertFalse(audit.picking_ids)

        audit.with_user(reviewer).action_apply()
        self.assertEqual(audit.state, "applied")
        self.assertEqual(audit.applied_by_id, reviewer)
        # Units found elsewhere: moved by a validated internal transfer to where they were found.
        picking = audit.picking_ids
        self.assertEqual(len(picking), 1)
        self.assertEqual(picking.state, "done")
        self.assertEqual(picking.picking_type_id.code, "internal")
        self.assertEqual(picking.move_line_ids.lot_id, self.other_b | self.unit_b)
        for unit in self.other_b | self.unit_b:
            self.assertEqual(unit.storq_location_id, self.shelf_a)
            self.assertEqual(self._quantity(unit, self.shelf_b), 0)
            self.assertEqual(self._quantity(unit, self.shelf_a), 1)
            self.assertEqual(unit.storq_event_ids[0].event_type, "found")
        self.assertTrue(self.unit_b.storq_blocked, "moving a blocked unit inside the stock keeps it blocked")
        # Missing units: adjusted out to the inventory loss location, status "missing".
        loss = self.gadget.property_stock_inventory
        moves = self.env["stock.move"].search(
            [("move_line_ids.lot_id", "in", missing.ids), ("is_inventory", "=", True)]
        )
        out = moves.filtered(lambda move: move.location_dest_id == loss)
        self.assertEqual(out.move_line_ids.lot_id, missing)
        self.assertEqual(set(out.mapped("state")), {"done"})
        self.assertEqual(set(out.mapped("reference")), {audit.name})
        for unit in missing:
            self.assertEqual(unit.storq_state, "missing")
            self.assertFalse(unit.storq_location_id)
            self.assertEqual(self._quantity(unit, self.shelf_a), 0)
            self.assertEqual(unit.storq_event_ids[0].event_type, "missing")
            self.assertIn("missing since an audit", unit._storq_situation())
        # Units found where expected: an "audited" event pointing to the audit.
        for unit in self.units_a[0] | self.unit_bin:
            event = unit.storq_event_ids[0]
            self.assertEqual(event.event_type, "audited")
            self.assertEqual(event.document_ref, audit)
            self.assertEqual(event.user_id, reviewer)
            self.assertEqual(unit.storq_location_id, unit.storq_event_ids[1].location_dest_id)
        self.assertTrue(all(audit.line_ids.mapped("applied")))

    def test_a_missing_unit_is_found_again_by_a_later_audit_only(self):
        audit = self._submitted_audit()
        audit.with_user(self.manager).action_apply()
        lost = self.units_a[1]
        # The rulebook: a missing unit does not arrive from a vendor, a count may bring it back.
        supplier = self.supplier_location
        verdict = self.env["storq.unit.rulebook"]._storq_verdicts(
            [UnitMovement(self.gadget, supplier, self.stock_location, unit=lost)]
        )[0]
        self.assertIn("moves no more", verdict)
        # A unit written off by a plain count is found again the same way.
        written_off = self.units_a[0]
        quant = self.env["stock.quant"].search([("lot_id", "=", written_off.id), ("quantity", ">", 0)])
        quant.with_context(inventory_mode=True).write({"inventory_quantity": 0})
        quant.action_apply_inventory()
        self.assertEqual(written_off.storq_state, "written_off")

        recount = self._audit(location_id=self.shelf_b.id)
        answer = recount.storq_audit_scan(lost.name)
        self.assertEqual(answer["status"], "unexpected")
        self.assertIn("missing since an audit", answer["message"])
        self.assertEqual(recount.storq_audit_scan(written_off.name)["status"], "unexpected")
        recount.action_submit()
        recount.with_user(self.manager).action_apply()
        for unit in lost | written_off:
            self.assertEqual(unit.storq_state, "in_stock")
            self.assertEqual(unit.storq_location_id, self.shelf_b)
            self.assertEqual(self._quantity(unit, self.shelf_b), 1)
            self.assertEqual(unit.storq_event_ids[0].event_type, "found")
        self.assertFalse(recount.picking_ids, "a unit out of stock comes back by a count, not a transfer")

    def test_units_moved_since_the_scan_are_not_moved_again(self):
        audit = self._submitted_audit()
        # GB-002 leaves for shelf A by other means before the manager applies.
        internal = self.env.ref("stock.picking_type_internal")
        picking = self._confirmed_transfer(self.gadget, 1, self.shelf_b, self.shelf_a, internal)
        self._set_unit_lines(picking.move_ids, [{"lot_id": self.other_b.id, "picked": True}])
        picking.button_validate()
        audit.with_user(self.manager).action_apply()
        self.assertEqual(audit.picking_ids.move_line_ids.lot_id, self.unit_b)
        self.assertEqual(self._quantity(self.other_b, self.shelf_a), 1)

    def test_report_gives_accuracy_per_location_and_month(self):
        audit = self._submitted_audit()
        audit.with_user(self.manager).action_apply()
        # An older audit of the same location, all found.
        older = self._audit()
        for serial in ("GA-001", "GA-BIN", "GB-001", "GB-002"):
            self.assertIn(older.storq_audit_scan(serial)["status"], ("present", "blocked"))
        older.action_submit()
        older.sudo().date_done = fields.Datetime.now() - timedelta(days=40)
        self.env.flush_all()
        Report = self.env["storq.serial.audit.report"].with_user(self.user)
        rows = Report.search([("audit_id", "=", audit.id)])
        self.assertEqual(len(rows), 6)
        [(location, audited, present, missing, unexpected, accuracy)] = Report._read_group(
            [("audit_id", "=", audit.id)],
            ["location_id"],
            [
                "audited_count:sum",
                "present_count:sum",
                "missing_count:sum",
                "unexpected_count:sum",
                "accuracy:avg",
            ],
        )
        self.assertEqual(location, self.shelf_a)
        self.assertEqual((audited, present, missing, unexpected), (6, 2, 2, 2))
        self.assertAlmostEqual(accuracy, 50.0)
        by_month = Report._read_group(
            [("audit_id", "in", (audit | older).ids)], ["date:month"], ["accuracy:avg", "audited_count:sum"]
        )
        self.assertEqual(sorted((round(acc), count) for _month, acc, count in by_month), [(50, 6), (100, 4)])
        # Another company's users see none of it.
        company_b = self.env["res.company"].create({"name": "Storq Report Company B"})
        user_b = self._make_user("storq_audit_report_b", "stock.group_stock_user", company=company_b)
        self.assertFalse(self.env["storq.serial.audit.report"].with_user(user_b).search([]))

    def test_a_delivered_unit_found_in_stock_is_left_to_a_customer_return(self):
        partner = self.env["res.partner"].create({"name": "Audit customer"})
        order = self._sale(partner, self.gadget, 1)
        delivery = order.picking_ids
        self._set_unit_lines(
            delivery.move_ids, [{"lot_id": self.unit_b.id, "picked": True, "location_id": self.shelf_b.id}]
        )
        delivery.button_validate()
        self.assertEqual(self.unit_b.storq_state, "delivered")
        audit = self._audit()
        answer = audit.storq_audit_scan("GB-001")
        self.assertEqual(answer["status"], "unexpected")
        self.assertIn("delivered to Audit customer", answer["message"])
        audit.action_submit()
        audit.with_user(self.manager).action_apply()
        self.assertEqual(self.unit_b.storq_state, "delivered")
        self.assertFalse(audit.picking_ids)
        activity = audit.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("GB-001", activity.note)
        self.assertFalse(audit.line_ids.filtered(lambda line: line.lot_id == self.unit_b).applied)
