"""Inputs that cannot hurt the server: format patterns on RE2, capped serials, bounded bulk
inputs with capped error lists, and clear errors for arguments of the wrong type."""

import base64

from odoo.api import call_kw
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import Form
from odoo.tests import tagged

from ..models.storq_serial_validation import MAX_LISTED_ERRORS
from ..tools.limits import MAX_BULK_BYTES
from ..tools.limits import MAX_BULK_SERIALS
from ..tools.limits import MAX_PATTERN_LENGTH
from ..tools.limits import MAX_SHOWN_LENGTH
from .test_scan_delivery import DeliveryCase

HUGE = "SN-" * 400_000  # 1.2 MB: normalising it took minutes before serials were capped first


@tagged("post_install", "-at_install")
class TestInputLimits(DeliveryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.move_context = cls._serial_dialog_context(cls.laptop)

    def _entry(self, move, **values):
        context = {"active_model": "stock.move", "active_id": move.id, "active_ids": move.ids}
        form = Form(self.env["storq.serial.bulk.entry"].with_context(**context))
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _pick_wizard(self, picking, text, **values):
        return self.env["storq.serial.pick"].create(dict(values, picking_id=picking.id, serial_text=text))

    # Format rules ------------------------------------------------------------
    def test_rules_refuse_patterns_that_cannot_run_in_linear_time(self):
        for pattern, reason in (
            (r"^(\d)\1+$", "backreferences"),
            (r"^(?=SN)\w+$", "look-ahead"),
            (r"^\w+(?<!X)$", "look-behind"),
        ):
            with self.subTest(pattern=pattern), self.assertRaisesRegex(ValidationError, reason):
                self.Format.create({"name": "Unsafe", "pattern": pattern, "example": "1111"})
        with self.assertRaisesRegex(ValidationError, f"at most {MAX_PATTERN_LENGTH}"):
            self.Format.create({"name": "Long", "pattern": "1" * (MAX_PATTERN_LENGTH + 1), "example": "1"})
        rule = self.Format.create({"name": "Dashes", "pattern": r"^([A-Z0-9]+-?)+$", "example": "AB-12"})
        self.assertEqual(type(rule._build_rule()._regex).__module__.split(".")[0], "re2")

    def test_a_backtracking_pattern_no_longer_holds_a_worker(self):
        """The serial that took 3 s (and doubled per character) is answered at once."""
        rule = self.Format.create(
            {"name": "Dashes", "pattern": r"^([A-Z0-9]+-?)+$", "charset": "any", "example": "AB-12"}
        )
        self.gadget.storq_serial_format_id = rule
        # checked first, so that on a backtracking engine this test fails rather than hangs
        compiled = self.env["storq.serial.format"]._get_compiled_rule(rule.id)
        self.assertEqual(type(compiled._regex).__module__.split(".")[0], "re2")
        verdict = self.env["storq.serial.validation"]._check_serials(
            [(self.gadget, "A" * 60 + "!", self.company)]
        )
        self.assertIn("does not match the format", verdict[0].error)

    def test_a_saved_rule_re2_cannot_build_refuses_serials_clearly(self):
        """A pattern saved before patterns ran on RE2: serials are refused, no traceback."""
        rule = self.Format.create({"name": "Legacy", "example": "1111"})
        self.env.cr.execute(
            "UPDATE storq_serial_format SET pattern = %s WHERE id = %s", [r"^(\d)\1+$", rule.id]
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache()
        self.gadget.storq_serial_format_id = rule
        verdict = self.env["storq.serial.validation"]._check_serials([(self.gadget, "1111", self.company)])
        self.assertIn("Legacy", verdict[0].error)
        self.assertIn("cannot be used", verdict[0].error)

    # Serials capped before normalisation ----------------------------------------
    def test_a_huge_serial_is_refused_with_a_bounded_message(self):
        verdict = self.env["storq.serial.validation"]._check_serials([(self.laptop, HUGE, self.company)])[0]
        self.assertIn("1200000 characters", verdict.error)
        self.assertLess(len(verdict.error), 300, "the message shows the start of the value only")
        result = self._scan(self._sale(self.acme, self.phone, 1).picking_ids, "S" * 500)
        self.assertEqual(result["status"], "error")
        self.assertIn("500 characters", result["message"])
        self.assertLess(len(result["message"]), 300)

    # Bulk Serial Entry -----------------------------------------------------------
    def test_bulk_entry_paste_limits(self):
        move = self._receipt(self.laptop, [], quantity=2).move_ids
        entry = self._entry(move, serial_text="A1\n" * (MAX_BULK_SERIALS + 1))
        with self.assertRaisesRegex(UserError, f"more than the {MAX_BULK_SERIALS}"):
            entry.action_check()
        entry = self._entry(move, serial_text="A" * (MAX_BULK_BYTES + 1))
        with self.assertRaisesRegex(UserError, "kB, more than the 1024 kB"):
            entry.action_check()
        entry = self._entry(move, mode="range", first_serial="A000001", range_count=MAX_BULK_SERIALS + 1)
        with self.assertRaisesRegex(UserError, f"between 1 and {MAX_BULK_SERIALS}"):
            entry.action_check()

    def test_bulk_entry_csv_limits(self):
        move = self._receipt(self.laptop, [], quantity=2).move_ids
        big = base64.b64encode(b"7XK2M93\n" * (MAX_BULK_BYTES // 8 + 1))
        entry = self._entry(move, mode="csv", csv_file=big)
        with self.assertRaisesRegex(UserError, "kB, more than the 1024 kB"):
            entry.action_check()
        many = base64.b64encode(b"".join(b"A%06d\n" % n for n in range(MAX_BULK_SERIALS + 2)))
        entry = self._entry(move, mode="csv", csv_file=many)
        with self.assertRaisesRegex(UserError, f"{MAX_BULK_SERIALS + 2} serials at once"):
            entry.action_check()

    def test_bulk_entry_paste_with_nul_characters(self):
        move = self._receipt(self.laptop, [], quantity=2).move_ids
        entry = self._entry(move, serial_text="7XK2\x00M93\n9BQ4TZ1\x00")
        entry.action_check()
        self.assertEqual(entry.line_ids.mapped("serial"), ["7XK2M93", "9BQ4TZ1"])
        self.assertEqual(entry.error_count, 0)

    def test_bulk_entry_refusals_are_listed_up_to_a_cap(self):
        move = self._receipt(self.laptop, [], quantity=2).move_ids
        bad = [f"BAD-{n}-" + "X" * 200 for n in range(MAX_LISTED_ERRORS + 7)]
        entry = self._entry(move, serial_text="\n".join(bad))
        entry.action_check()
        self.assertEqual(len(entry.line_ids), len(bad), "the verdict list shows every line")
        self.assertEqual(entry.error_count, len(bad))
        with self.assertRaises(UserError) as caught:
            entry.action_apply()
        message = str(caught.exception)
        self.assertIn(f"{len(bad)} of {len(bad)} serials are refused", message)
        self.assertIn("… and 7 more refused lines.", message)
        self.assertNotIn(f"BAD-{MAX_LISTED_ERRORS}-", message)
        self.assertNotIn("X" * MAX_SHOWN_LENGTH, message, "each serial is shown shortened")

    # Pick Serials ---------------------------------------------------------------
    def test_pick_wizard_limits_and_capped_refusals(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        with self.assertRaisesRegex(UserError, f"more than the {MAX_BULK_SERIALS}"):
            self._pick_wizard(delivery, "1\n" * (MAX_BULK_SERIALS + 1)).action_check()
        bad = [f"{n:04d}" + "9" * 300 for n in range(MAX_LISTED_ERRORS + 3)]
        wizard = self._pick_wizard(delivery, "\n".join(bad) + "\n\x00")
        wizard.action_check()
        self.assertEqual(wizard.error_count, len(bad))
        self.assertNotIn("9" * MAX_SHOWN_LENGTH, wizard.result, "each verdict shows a bounded serial")
        with self.assertRaises(UserError) as caught:
            wizard.action_apply()
        message = str(caught.exception)
        self.assertIn("… and 3 more refused serials.", message)
        self.assertNotIn("9" * MAX_SHOWN_LENGTH, message)

    def test_pick_serials_limits(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        with self.assertRaisesRegex(UserError, f"more than the {MAX_BULK_SERIALS}"):
            delivery.storq_pick_serials(["1"] * (MAX_BULK_SERIALS + 1))
        with self.assertRaisesRegex(UserError, "kB"):
            delivery.storq_pick_serials(["1" * 600_000, "2" * 600_000])
        verdicts = delivery.storq_pick_serials([HUGE[:500_000], self.u1.name + "\x00"])
        self.assertEqual(verdicts[0]["status"], "error")
        self.assertLess(len(verdicts[0]["message"]), 300)
        self.assertEqual(verdicts[1]["status"], "ok", verdicts[1])

    # Return Units -----------------------------------------------------------------
    def test_return_wizard_limits(self):
        wizard = self.env["storq.serial.return"].create(
            {"partner_id": self.acme.id, "serial_text": "1\n" * (MAX_BULK_SERIALS + 1)}
        )
        with self.assertRaisesRegex(UserError, f"more than the {MAX_BULK_SERIALS}"):
            wizard.action_check()
        wizard.serial_text = "\x00" + "1" * (MAX_BULK_BYTES + 1)
        self.assertNotIn("\x00", wizard.serial_text)
        with self.assertRaisesRegex(UserError, "kB"):
            wizard.action_check()

    # Odoo's Generate / Import Serials -----------------------------------------------
    def test_generate_and_import_limits(self):
        Move = self.env["stock.move"]
        with self.assertRaisesRegex(UserError, f"between 0 and {MAX_BULK_SERIALS}"):
            Move.action_generate_lot_line_vals(
                self.move_context, "generate", "7XK2M93", MAX_BULK_SERIALS + 1, False
            )
        with self.assertRaisesRegex(UserError, f"more than the {MAX_BULK_SERIALS}"):
            Move.action_generate_lot_line_vals(
                self.move_context, "import", False, 0, "7XK2M93\n" * (MAX_BULK_SERIALS + 1)
            )
        with self.assertRaisesRegex(UserError, "kB"):
            Move.action_generate_lot_line_vals(
                self.move_context, "import", False, 0, "7" * (MAX_BULK_BYTES + 1)
            )
        vals_list = Move.action_generate_lot_line_vals(self.move_context, "import", False, 0, "7xk2\x00m93\n")
        self.assertEqual([vals["lot_name"] for vals in vals_list], ["7XK2M93"])

    def test_refused_generated_serials_are_listed_up_to_a_cap(self):
        text = "\n".join(f"BAD{n}" for n in range(MAX_LISTED_ERRORS + 5))
        with self.assertRaises(ValidationError) as caught:
            self.env["stock.move"].action_generate_lot_line_vals(self.move_context, "import", False, 0, text)
        self.assertIn("… and 5 more refused serials.", str(caught.exception))

    def test_every_list_of_refusals_is_capped(self):
        checks = self.env["storq.serial.input"]
        self.assertEqual(checks._capped_lines(["a", "b"]), "a\nb")
        self.assertEqual(checks._capped_lines(map(str, range(53)), ", ").split(", ")[-1], "… and 3 more.")
        # a real one: an inventory count of many units counted twice
        lots = self._create_lots(self.laptop, [f"CNT{n:04d}" for n in range(MAX_LISTED_ERRORS + 4)])
        quants = (
            self.env["stock.quant"]
            .with_context(inventory_mode=True)
            .create(
                [
                    {
                        "product_id": self.laptop.id,
                        "location_id": self.stock_location.id,
                        "lot_id": lot.id,
                        "inventory_quantity": 2,
                    }
                    for lot in lots
                ]
            )
        )
        with self.assertRaises(UserError) as caught:
            quants.action_apply_inventory()
        message = str(caught.exception)
        self.assertIn("… and 4 more.", message)
        self.assertNotIn(lots[-1].name, message)

    # Arguments of the wrong type ------------------------------------------------------
    def test_scan_answers_wrong_arguments_clearly(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        for barcode in (123, ["1"], {"a": 1}, b"123", 1.5, True):
            with self.subTest(barcode=barcode), self.assertRaisesRegex(UserError, "barcode must be text"):
                delivery.storq_scan(barcode)
        with self.assertRaisesRegex(UserError, "barcode has 10000 characters"):
            delivery.storq_scan("1" * 10_000)
        for product in ("1", [1], -1, 2**40, 1.0):
            with self.subTest(product=product), self.assertRaisesRegex(UserError, "must be a record id"):
                delivery.storq_scan("123", context_product_id=product)
        with self.assertRaisesRegex(UserError, "one Transfer at a time, not 2"):
            (delivery | self._sale(self.acme, self.phone, 1).picking_ids).storq_scan("1")
        self.assertEqual(delivery.storq_scan(None)["status"], "error")
        self.assertEqual(self._scan(delivery, "\x00" + self.u1.name)["status"], "ok")

    def test_pick_serials_answers_wrong_arguments_clearly(self):
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        for serials in (None, "490154203237518", 5, {"a": "b"}, b"1"):
            with self.subTest(serials=serials), self.assertRaisesRegex(UserError, "list of serial numbers"):
                delivery.storq_pick_serials(serials)
        with self.assertRaisesRegex(UserError, "apply must be true or false"):
            delivery.storq_pick_serials([self.u1.name], apply="yes")
        verdicts = delivery.storq_pick_serials([None, 5, ["x"], {"a": 1}])
        self.assertEqual({verdict["status"] for verdict in verdicts}, {"error"})

    def test_range_generator_answers_wrong_arguments_clearly(self):
        Lot = self.env["stock.lot"].with_context(storq_serial_product_id=self.laptop.id)
        for first, count in ((["7XK2M93"], 3), ("7XK2M93", "3"), ("7XK2M93", None), ("7XK2M93", 2.5), (5, 1)):
            with self.subTest(first=first, count=count), self.assertRaises(UserError):
                Lot.generate_lot_names(first, count)
        with self.assertRaisesRegex(UserError, "empty"):
            Lot.generate_lot_names(None, 3)
        Move = self.env["stock.move"]
        for args in (
            (None, "generate", "7XK2M93", 3, False),
            ([], "generate", "7XK2M93", 3, False),
            (self.move_context, "explode", "7XK2M93", 3, False),
            (self.move_context, "generate", "7XK2M93", "3", False),
            (self.move_context, "import", False, 0, ["7XK2M93"]),
            (dict(self.move_context, default_location_dest_id="x"), "generate", "7XK2M93", 3, False),
            (dict(self.move_context, default_tracking=None), "generate", "7XK2M93", 3, False),
        ):
            with self.subTest(args=args), self.assertRaises(UserError):
                Move.action_generate_lot_line_vals(*args)

    def test_missing_arguments_are_answered_clearly(self):
        """As an RPC client that leaves arguments out would call them."""
        delivery = self._sale(self.acme, self.phone, 1).picking_ids
        self.assertEqual(call_kw(delivery, "storq_scan", [delivery.ids], {})["status"], "error")
        calls = (
            (delivery, "storq_pick_serials", [delivery.ids]),
            (self.env["stock.lot"], "generate_lot_names", []),
            (self.env["stock.lot"], "generate_lot_names", ["SN-1"]),
            (self.env["stock.move"], "action_generate_lot_line_vals", []),
            (self.env["stock.move"], "action_generate_lot_line_vals", [self.move_context]),
            (self.env["stock.move"], "action_generate_lot_line_vals", [self.move_context, "generate"]),
            (self.env["stock.picking"], "storq_scan", [[], "1"]),
            (self.env["storq.serial.pick"], "action_check", [[]]),
            (self.env["storq.serial.bulk.entry"], "action_apply", [[]]),
        )
        for model, method, args in calls:
            with self.subTest(method=method, args=args), self.assertRaises(UserError):
                call_kw(model, method, args, {})

    def test_actions_on_several_or_no_records_are_answered_clearly(self):
        """Over RPC, a button's method can be called with any ids: a clear error, no traceback."""
        partners = self.acme | self.env["res.partner"].create({"name": "Second customer"})
        orders = self._sale(self.acme, self.phone, 1) | self._sale(self.acme, self.phone, 1)
        calls = (
            ("res.partner", "action_storq_view_units", [partners.ids]),
            ("sale.order", "action_storq_view_units", [orders.ids]),
            ("storq.serial.hygiene.issue", "action_open_unit", [[]]),
            ("storq.unit.block", "action_apply", [[]]),
            ("storq.serial.label.print", "action_print", [[]]),
            ("storq.serial.return", "action_check", [[]]),
            ("storq.serial.return", "action_apply", [[]]),
            ("storq.unit.correct", "action_apply", [[]]),
            ("storq.unit.rename", "action_apply", [[]]),
        )
        for model, method, args in calls:
            with self.subTest(model=model, method=method), self.assertRaises(UserError):
                call_kw(self.env[model], method, args, {})
