from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.tests import Form
from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestUnitCorrection(StorqReturnsCase):
    """A person changes a unit record or its serial only through an action that asks for the
    reason and keeps the values before and after in the history."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_user = cls._make_user("storq_fix_stock_user", "stock.group_stock_user")
        cls.stock_manager = cls._make_user("storq_fix_stock_manager", "stock.group_stock_manager")
        cls.serial_manager = cls._make_user(
            "storq_fix_serial_manager", "stock.group_stock_user,storq_serials.group_storq_manager"
        )

    def _correct(self, user, unit, reason, **values):
        form = Form(
            self.env["storq.unit.correct"]
            .with_user(user)
            .with_context(active_model="stock.lot", active_id=unit.id)
        )
        form.reason = reason
        for name, value in values.items():
            setattr(form, name, value)
        return form.save().action_apply()

    def _rename(self, user, unit, new_serial, reason="Typo at receipt"):
        form = Form(
            self.env["storq.unit.rename"]
            .with_user(user)
            .with_context(active_model="stock.lot", active_id=unit.id)
        )
        form.new_serial = new_serial
        form.reason = reason
        return form.save().action_apply()

    # Record ------------------------------------------------------------
    def test_manager_corrects_the_record_with_the_reason(self):
        order = self._sell(self.customer, self._receive(["FIX0001"]))
        unit = order.picking_ids.move_line_ids.lot_id
        for manager in (self.serial_manager, self.stock_manager):
            self._correct(
                manager,
                unit,
                "Came back over the counter, return never recorded",
                storq_state="in_stock",
                storq_location_id=self.stock_location,
                storq_partner_id=self.env["res.partner"],
            )
            self.assertEqual((unit.storq_state, unit.storq_location_id), ("in_stock", self.stock_location))
            self.assertFalse(unit.storq_partner_id)
            event = unit.storq_event_ids[0]
            self.assertEqual(
                (event.event_type, event.user_id, event.note),
                ("corrected", manager, "Came back over the counter, return never recorded"),
            )
            self.assertIn("Unit status: Delivered", event.old_value)
            self.assertIn(f"Customer: {self.customer.display_name}", event.old_value)
            self.assertIn("Unit status: In stock", event.new_value)
            self.assertIn("Customer: -", event.new_value)
            self.assertIn("Came back over the counter", unit.message_ids[0].body)
            # Put back for the next manager.
            self._correct(
                manager,
                unit,
                "Undo",
                storq_state="delivered",
                storq_partner_id=self.customer,
                storq_location_id=self.env["stock.location"],
            )
        self.assertEqual(unit.storq_event_ids.mapped("event_type")[:4], ["corrected"] * 4)

    def test_correction_needs_a_reason_and_a_change(self):
        unit = self._receive(["FIX0002"])
        with self.assertRaises(AssertionError):  # the form refuses to save without it
            self._correct(self.serial_manager, unit, False, storq_state="scrapped")
        with self.assertRaisesRegex(UserError, "Give the reason"):
            self._correct(self.serial_manager, unit, "   ", storq_state="scrapped")
        with self.assertRaisesRegex(UserError, "Nothing to correct"):
            self._correct(self.serial_manager, unit, "Nothing")
        with self.assertRaisesRegex(UserError, "needs the customer"):
            self._correct(
                self.serial_manager,
                unit,
                "Sold",
                storq_state="delivered",
                storq_location_id=self.env["stock.location"],
            )
        self.assertEqual(unit.storq_state, "in_stock")
        self.assertEqual(unit.storq_event_ids.mapped("event_type"), ["received"])

    def test_stock_user_cannot_correct_the_record(self):
        unit = self._receive(["FIX0003"])
        with self.assertRaises(AccessError):
            self._correct(self.stock_user, unit, "Mine", storq_state="scrapped")
        wizard = self.env["storq.unit.correct"].create(
            {"lot_id": unit.id, "reason": "Mine", "storq_state": "scrapped"}
        )
        with self.assertRaises(AccessError):
            wizard.with_user(self.stock_user).action_apply()
        self.assertEqual(unit.storq_state, "in_stock")

    # Serial ------------------------------------------------------------
    def test_user_corrects_a_serial_in_stock_with_the_reason(self):
        unit = self._receive(["FIX0O04"])
        self._rename(self.stock_user, unit, " sn fix0004 ", reason="O typed for 0")
        self.assertEqual(unit.name, "FIX0004", "checked and normalised as any new serial")
        event = unit.storq_event_ids[0]
        self.assertEqual(
            (event.event_type, event.old_value, event.new_value, event.note, event.user_id),
            ("renamed", "FIX0O04", "FIX0004", "O typed for 0", self.stock_user),
        )
        body = unit.message_ids[0].body
        self.assertIn("FIX0O04", body)
        self.assertIn("FIX0004", body)

    def test_new_serial_is_checked_like_any_new_serial(self):
        units = self._receive(["FIX0005", "FIX0006"])
        with self.assertRaises(UserError):
            self._rename(self.stock_user, units[0], "FIX-05")  # the laptop's format
        with self.assertRaisesRegex(UserError, "FIX0006"):
            self._rename(self.stock_user, units[0], "FIX0006")  # another unit's serial
        with self.assertRaisesRegex(UserError, "nothing to correct"):
            self._rename(self.stock_user, units[0], "fix0005")
        self.assertEqual(units.mapped("name"), ["FIX0005", "FIX0006"])
        self.assertFalse(units.storq_event_ids.filtered(lambda event: event.event_type == "renamed"))

    def test_serial_of_a_unit_gone_only_by_a_serial_manager(self):
        order = self._sell(self.customer, self._receive(["FIX0007"]))
        unit = order.picking_ids.move_line_ids.lot_id
        with self.assertRaisesRegex(AccessError, "only a serial manager"):
            self._rename(self.stock_user, unit, "FIX0008")
        self.assertEqual(unit.name, "FIX0007")
        self._rename(self.serial_manager, unit, "FIX0008", reason="Label misprinted, customer confirmed")
        self.assertEqual(unit.name, "FIX0008")
        self.assertEqual(unit.storq_event_ids[0].old_value, "FIX0007")

    def test_plain_rename_is_refused(self):
        unit = self._receive(["FIX0009"])
        for user in (self.stock_user, self.stock_manager, self.env.ref("base.user_admin")):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "Correct Serial"):
                unit.with_user(user).write({"name": "FIX0010"})
        self.assertEqual(unit.name, "FIX0009")
        # Writing the same serial (a form saving the unit) is no rename.
        unit.with_user(self.stock_user).write({"name": "FIX0009", "ref": "Shelf copy"})
        self.assertEqual(unit.ref, "Shelf copy")

    def test_lots_outside_serial_control_keep_odoos_behaviour(self):
        lot = self._create_lots(self.plain_serial_product, ["PLAIN-OLD"])
        lot.with_user(self.stock_user).write({"name": "PLAIN-NEW"})
        self.assertEqual(lot.name, "PLAIN-NEW")
        self.assertFalse(lot.storq_event_ids)
        with self.assertRaisesRegex(UserError, "not under serial control"):
            self._rename(self.stock_user, lot, "PLAIN-NEWER")

    def test_other_company_cannot_correct_or_rename(self):
        unit = self._receive(["FIX0011"])
        other = self.env["res.company"].create({"name": "Storq Other Co"})
        manager = self._make_user(
            "storq_fix_other_manager",
            "stock.group_stock_manager,storq_serials.group_storq_manager",
            company=other,
        )
        for model, values in (
            ("storq.unit.correct", {"storq_state": "scrapped"}),
            ("storq.unit.rename", {"new_serial": "FIX0012"}),
        ):
            wizard = self.env[model].create(dict(values, lot_id=unit.id, reason="Not mine"))
            with self.subTest(model=model), self.assertRaises(AccessError):
                wizard.with_user(manager).action_apply()
        self.assertEqual((unit.name, unit.storq_state), ("FIX0011", "in_stock"))
        self.assertEqual(unit.storq_event_ids.mapped("event_type"), ["received"])
