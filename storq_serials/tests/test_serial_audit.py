from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form

from .common import StorqSerialsCase

GS = chr(29)  # FNC1 between GS1 fields, as a keyboard-wedge scanner sends it
# Queries of one scan, whatever the audit's size: the audit, the product barcode and unit
# lookups, the unit's line, the write of the line and of the audit, the counts.
SCAN_PRESENT_QUERIES = 16
SCAN_UNKNOWN_QUERIES = 7
SCAN_UNEXPECTED_QUERIES = 8


class StorqAuditCase(StorqSerialsCase):
    """Audit fixtures: WH/Stock/Audit A (the audited scope, with a bin) and WH/Stock/Audit B."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Location = cls.env["stock.location"]
        cls.shelf_a = Location.create({"name": "Audit A", "location_id": cls.stock_location.id})
        cls.bin_a = Location.create({"name": "Bin 1", "location_id": cls.shelf_a.id})
        cls.shelf_b = Location.create({"name": "Audit B", "location_id": cls.stock_location.id})
        cls.user = cls._make_user("storq_audit_user", "stock.group_stock_user")
        cls.manager = cls._make_user("storq_audit_manager", "stock.group_stock_manager")
        cls.units_a = cls._stock_units(cls.gadget, ["GA-001", "GA-002", "GA-003"], cls.shelf_a)
        cls.unit_bin = cls._stock_units(cls.gadget, ["GA-BIN"], cls.bin_a)
        cls.unit_b = cls._stock_units(cls.gadget, ["GB-001"], cls.shelf_b)

    def _audit(self, user=None, **vals):
        Audit = self.env["storq.serial.audit"].with_user(user or self.user)
        audit = Audit.create({"location_id": self.shelf_a.id, **vals})
        audit.action_start()
        return audit


class TestSerialAudit(StorqAuditCase):
    """Scans of an audit: every scan classified and kept; nothing changes on the units."""

    def test_start_snapshots_the_units_of_the_location_and_its_children(self):
        audit = self._audit()
        self.assertTrue(audit.name.startswith("AUD/"), audit.name)
        self.assertEqual(audit.state, "in_progress")
        expected = audit.line_ids.filtered("expected")
        self.assertEqual(expected.lot_id, self.units_a | self.unit_bin)
        self.assertEqual(set(expected.mapped("result")), {"pending"})
        self.assertEqual(audit.expected_count, 4)
        bin_line = expected.filtered(lambda line: line.lot_id == self.unit_bin)
        self.assertEqual(bin_line.expected_location_id, self.bin_a)

    def test_each_scan_is_classified(self):
        phone_units = self._stock_units(self.phone, self._imeis(1), self.shelf_a)
        self.unit_b.sudo()._storq_block("Recall R-7")
        audit = self._audit()
        answer = audit.storq_audit_scan("GA-001")
        self.assertEqual(answer["status"], "present", answer)
        self.assertEqual(answer["counts"]["present"], 1)
        # Recorded elsewhere: unexpected, saying where the records have it.
        blocked = audit.storq_audit_scan("GB-001")
        self.assertEqual(blocked["status"], "blocked", blocked)
        self.assertIn("Recall R-7", blocked["message"])
        other = self._stock_units(self.gadget, ["GB-002"], self.shelf_b)
        unexpected = audit.storq_audit_scan("GB-002")
        self.assertEqual(unexpected["status"], "unexpected", unexpected)
        self.assertIn("Audit B", unexpected["message"])
        self.assertEqual(audit.storq_audit_scan("GA-001")["status"], "duplicate")
        unknown = audit.storq_audit_scan("NEVER-SEEN-1")
        self.assertEqual(unknown["status"], "unknown")
        self.assertIn("not a known unit", unknown["message"])
        self.assertEqual(audit.storq_audit_scan("NEVER-SEEN-1")["status"], "duplicate")
        self.assertEqual(audit.storq_audit_scan(phone_units.name)["status"], "present")
        lines = audit.line_ids
        self.assertEqual(lines.filtered(lambda line: line.lot_id == other).found_location_id, self.shelf_a)
        self.assertEqual(
            sorted(lines.filtered(lambda line: line.result != "pending").mapped("result")),
            ["blocked", "duplicate", "duplicate", "present", "present", "unexpected", "unknown"],
        )
        self.assertEqual(audit.last_scan_status, "present")
        # Nothing changes on the units before a manager applies the audit.
        self.assertEqual(other.storq_location_id, self.shelf_b)
        self.assertEqual(self.unit_b.storq_location_id, self.shelf_b)

    def test_product_audit_refuses_other_products_and_reads_the_format_rule(self):
        imeis = self._imeis(2)
        phone_units = self._stock_units(self.phone, imeis, self.shelf_a)
        audit = self._audit(product_id=self.phone.id)
        self.assertEqual(audit.line_ids.lot_id, phone_units)
        wrong = audit.storq_audit_scan("GA-002")
        self.assertEqual(wrong["status"], "wrong_product", wrong)
        self.assertIn("Test gadget", wrong["message"])
        # The product's format normalises the scan ("IMEI:" prefix) before the lookup.
        self.assertEqual(audit.storq_audit_scan(f"IMEI:{imeis[0]}")["status"], "present")
        # A serial the format rule refuses: unknown, with the rule's own sentence.
        refused = audit.storq_audit_scan("12345")
        self.assertEqual(refused["status"], "unknown")
        expected_sentence = (
            self.env["storq.serial.validation"]._check_serials([(self.phone, "12345", self.company)])[0].error
        )
        self.assertEqual(refused["message"], expected_sentence)
        audit.action_submit()
        self.assertEqual(audit.state, "to_review")
        self.assertEqual(
            audit.line_ids.filtered(lambda line: line.result == "missing").lot_id, phone_units[1]
        )
        self.assertEqual(audit.missing_count, 1)

    def test_gs1_code_and_scan_location(self):
        self.company.nomenclature_id = self.env.ref("barcodes_gs1_nomenclature.default_gs1_nomenclature")
        scanner = self.env["product.product"].create(
            {
                "name": "Test audit scanner",
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": self.tag_rule.id,
                "barcode": "8765432109876",
            }
        )
        unit = self._stock_units(scanner, ["7XK2M93"], self.bin_a)
        audit = self._audit()
        answer = audit.storq_audit_scan(f"{GS}0108765432109876217xk2m93{GS}17291231", self.bin_a.id)
        self.assertEqual(answer["status"], "present", answer)
        line = audit.line_ids.filtered(lambda line: line.lot_id == unit)
        self.assertEqual(line.found_location_id, self.bin_a)
        self.assertEqual(audit.storq_audit_scan(f"{GS}0100000000000017217XK2M93")["status"], "error")
        self.assertEqual(audit.storq_audit_scan("8765432109876")["status"], "error")
        outside = audit.storq_audit_scan("GA-001", self.shelf_b.id)
        self.assertEqual(outside["status"], "error")
        self.assertIn("not in", outside["message"])

    def test_sample_expects_only_the_drawn_units(self):
        audit = self._audit(sample_size=2)
        self.assertEqual(len(audit.line_ids), 2)
        other = (self.units_a | self.unit_bin) - audit.line_ids.lot_id
        # A unit of the scope outside the sample is where it should be: present, not expected.
        answer = audit.storq_audit_scan(other[0].name)
        self.assertEqual(answer["status"], "present", answer)
        self.assertEqual(audit.expected_count, 2)

    def test_scans_need_an_audit_in_progress_and_text(self):
        audit = self.env["storq.serial.audit"].with_user(self.user).create({"location_id": self.shelf_a.id})
        self.assertEqual(audit.storq_audit_scan("GA-001")["status"], "error")
        self.assertFalse(audit.line_ids)
        audit.action_start()
        with self.assertRaises(UserError):
            audit.storq_audit_scan(["GA-001"])
        with self.assertRaises(UserError):
            audit.storq_audit_scan("GA-001", "shelf")
        self.assertEqual(audit.storq_audit_scan("  ")["status"], "error")
        with self.assertRaises(UserError):
            audit.action_start()
        # The manual scan field of the form.
        with Form(audit) as form:
            self.assertTrue(form.show_expected)
            form.scan_input = "GA-003"
        audit.action_scan_input()
        self.assertFalse(audit.scan_input)
        self.assertEqual(audit.last_scan_status, "present")
        self.assertEqual(audit.action_scan("GA-003")["status"], "duplicate")

    def test_undo_and_info_for_the_scanning_screen(self):
        audit = self._audit(blind=True)
        audit.storq_audit_scan("GA-001")
        audit.storq_audit_scan("GB-001")
        info = audit.storq_audit_info()
        self.assertEqual(info["name"], audit.name)
        self.assertTrue(info["blind"])
        self.assertEqual([scan["serial"] for scan in info["last_scans"]], ["GB-001", "GA-001"])
        self.assertNotIn("expected", info["counts"])
        self.assertEqual(audit.storq_audit_undo()["status"], "undone")
        self.assertFalse(audit.line_ids.filtered(lambda line: line.serial == "GB-001"))
        self.assertEqual(audit.storq_audit_undo()["status"], "undone")
        line = audit.with_user(self.manager).line_ids.filtered(lambda line: line.serial == "GA-001")
        self.assertEqual(line.result, "pending")
        self.assertEqual(audit.storq_audit_undo()["status"], "error")
        # Undone, the unit can be scanned again.
        self.assertEqual(audit.storq_audit_scan("GA-001")["status"], "present")
        self.assertEqual(audit.with_user(self.manager).storq_audit_info()["counts"]["expected"], 4)

    def test_blind_mode_hides_the_expected_units_from_users_until_submitted(self):
        audit = self._audit(blind=True)
        self.assertFalse(audit.show_expected)
        self.assertEqual(audit.read(["expected_count"])[0]["expected_count"], 0)
        answer = audit.storq_audit_scan("GA-001")
        self.assertNotIn("expected", answer["counts"])
        self.assertNotIn("pending", answer["counts"])
        # The user sees the lines scanned, not the units still expected.
        audit.invalidate_recordset(["line_ids"])
        self.assertEqual(audit.line_ids.mapped("serial"), ["GA-001"])
        as_manager = audit.with_user(self.manager)
        as_manager.invalidate_recordset(["line_ids"])
        self.assertTrue(as_manager.show_expected)
        self.assertEqual(len(as_manager.line_ids), 4)
        self.assertEqual(as_manager.storq_audit_scan("GA-002")["counts"]["expected"], 4)
        audit.action_submit()
        audit.invalidate_recordset()
        self.assertTrue(audit.show_expected)
        self.assertEqual(audit.expected_count, 4)
        self.assertEqual(len(audit.line_ids), 4)
        self.assertEqual(audit.missing_count, 2)

    def test_query_count_per_scan_does_not_grow_with_the_audit(self):
        # A first audit warms the registry caches (format rules, nomenclature); then the same
        # scans cost the same at 5 and at 80 expected units.
        for size, prefix, measured in ((1, "QW", False), (5, "QS", True), (80, "QL", True)):
            shelf = self.env["stock.location"].create({"name": prefix, "location_id": self.stock_location.id})
            units = self._stock_units(self.gadget, [f"{prefix}-{n:04d}" for n in range(size)], shelf)
            audit = self._audit(location_id=shelf.id)
            self.assertEqual(len(audit.line_ids), size)
            self.env.invalidate_all()
            for expected, barcode, status in (
                (SCAN_PRESENT_QUERIES, units[size // 2].name, "present"),
                (SCAN_UNKNOWN_QUERIES, f"{prefix}-NONE", "unknown"),
                (SCAN_UNEXPECTED_QUERIES, "GA-001", "unexpected"),
            ):
                if not measured:
                    audit.storq_audit_scan(barcode)
                    continue
                with self.assertQueryCount(expected):
                    self.assertEqual(audit.storq_audit_scan(barcode)["status"], status)
            if measured:
                self.assertEqual(audit.scanned_count, 3)


class TestSerialAuditSecurity(StorqAuditCase):
    """Serial users run audits; serial managers apply; each company sees its own."""

    def test_users_cannot_apply_nor_write_lines(self):
        audit = self._audit()
        audit.storq_audit_scan("GA-001")
        audit.action_submit()
        with self.assertRaises(AccessError):
            audit.action_apply()
        with self.assertRaises(AccessError):
            audit.line_ids[0].write({"result": "present"})
        with self.assertRaises(AccessError):
            audit.action_cancel()  # to review: a manager's call
        audit.with_user(self.manager).action_apply()
        self.assertEqual(audit.state, "applied")
        with self.assertRaises(UserError):
            audit.with_user(self.manager).action_cancel()
        with self.assertRaises(UserError):
            audit.with_user(self.manager).unlink()

    def test_a_user_without_serial_rights_cannot_scan(self):
        audit = self._audit()
        outsider = self._make_user("storq_audit_outsider", "base.group_user")
        with self.assertRaises(AccessError):
            audit.with_user(outsider).storq_audit_scan("GA-001")

    def test_second_company_sees_nothing_of_the_first(self):
        company_b = self.env["res.company"].create({"name": "Storq Audit Company B"})
        user_b = self._make_user("storq_audit_user_b", "stock.group_stock_user", company=company_b)
        audit = self._audit()
        audit.storq_audit_scan("GA-001")
        Audit = self.env["storq.serial.audit"].with_user(user_b)
        self.assertFalse(Audit.search([("id", "=", audit.id)]))
        self.assertFalse(
            self.env["storq.serial.audit.line"].with_user(user_b).search([("audit_id", "=", audit.id)])
        )
        with self.assertRaises(AccessError):
            audit.with_user(user_b).storq_audit_scan("GA-002")
        # Company B audits its own location; company A's units are not known there.
        warehouse_b = self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1)
        audit_b = Audit.with_company(company_b).create({"location_id": warehouse_b.lot_stock_id.id})
        self.assertEqual(audit_b.company_id, company_b)
        audit_b.action_start()
        self.assertFalse(audit_b.line_ids)
        self.assertEqual(audit_b.storq_audit_scan("GA-001")["status"], "unknown")
        self.assertFalse(
            self.env["storq.serial.audit"].with_user(self.user).search([("id", "=", audit_b.id)])
        )

    def test_second_company_applies_its_own_audit(self):
        company_b = self.env["res.company"].create({"name": "Storq Audit Company C"})
        manager_b = self._make_user("storq_audit_manager_b", "stock.group_stock_manager", company=company_b)
        stock_b = (
            self.env["stock.warehouse"].search([("company_id", "=", company_b.id)], limit=1).lot_stock_id
        )
        env_b = self.env(context=dict(self.env.context, allowed_company_ids=company_b.ids))
        units = env_b["stock.lot"].create(
            [
                {"product_id": self.gadget.id, "name": name, "company_id": company_b.id}
                for name in ("C-1", "C-2")
            ]
        )
        quants = (
            env_b["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": self.gadget.id,
                        "location_id": stock_b.id,
                        "lot_id": unit.id,
                        "inventory_quantity": 1,
                    }
                    for unit in units
                ]
            )
        )
        quants.action_apply_inventory()
        audit = self.env["storq.serial.audit"].with_user(manager_b).create({"location_id": stock_b.id})
        audit.action_start()
        self.assertEqual(audit.line_ids.lot_id, units)
        self.assertEqual(audit.storq_audit_scan("C-1")["status"], "present")
        audit.action_submit()
        # Company A's manager cannot see, let alone apply, company B's audit.
        with self.assertRaises(AccessError):
            audit.with_user(self.manager).action_apply()
        audit.action_apply()
        self.assertEqual(units.mapped("storq_state"), ["in_stock", "missing"])
        self.assertFalse(env_b["stock.quant"].search([("lot_id", "=", units[1].id), ("quantity", ">", 0)]))
