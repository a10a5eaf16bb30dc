from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_returns import StorqReturnsCase


@tagged("post_install", "-at_install")
class TestUnitDeletion(StorqReturnsCase):
    """A unit that has lived is never deleted: its history and return records survive."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_manager = cls._make_user("storq_delete_stock_manager", "stock.group_stock_manager")

    def test_unit_with_history_is_not_deleted(self):
        lots = self._receive(["DEL0001", "DEL0002"])
        order = self._sell(self.customer, lots)
        self._return_wizard(order, ["DEL0001"]).action_apply()
        records = self.env["storq.serial.return.record"].search([("lot_id", "in", lots.ids)])
        events = lots.storq_event_ids
        self.assertTrue(records)
        for user in (self.stock_manager, self.env.ref("base.user_admin")):
            with (
                self.subTest(user=user.login),
                self.assertRaisesRegex(UserError, "DEL0001, DEL0002 cannot be deleted"),
            ):
                lots.with_user(user).unlink()
        # Not by the superuser either: the guard is the model's, not a right.
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            lots.sudo().unlink()
        self.assertEqual(lots.exists(), lots)
        self.assertEqual(events.exists(), events)
        self.assertEqual(records.exists(), records)

    def test_unit_with_events_only_is_not_deleted(self):
        unit = self._create_lots(self.laptop, ["DEL0003"])
        unit._storq_log_events("note", "checked on the bench")
        with self.assertRaisesRegex(UserError, "DEL0003 cannot be deleted"):
            unit.with_user(self.stock_manager).unlink()

    def test_unit_never_used_is_deleted(self):
        unit = self.Lot.with_user(self.stock_manager).create(
            {"product_id": self.laptop.id, "name": "DEL0004"}
        )
        unit.unlink()
        self.assertFalse(unit.exists())

    def test_database_keeps_history_and_return_records(self):
        """Even below the ORM, deleting a unit never cascades to its history."""
        for model in ("storq.serial.event", "storq.serial.return.record"):
            self.assertEqual(self.env[model]._fields["lot_id"].ondelete, "restrict", model)
            table = self.env[model]._table
            self.env.cr.execute(
                """
                SELECT rc.delete_rule
                  FROM information_schema.referential_constraints rc
                  JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name
                 WHERE kcu.table_name = %s AND kcu.column_name = 'lot_id'
                """,
                [table],
            )
            self.assertEqual(self.env.cr.fetchone(), ("RESTRICT",), table)

    def test_refusal_names_a_bounded_list(self):
        lots = self._create_lots(self.laptop, [f"DL{n:05d}" for n in range(25)])
        lots._storq_log_events("note")
        with self.assertRaises(UserError) as refusal:
            lots.unlink()
        message = str(refusal.exception)
        self.assertIn("and 5 more", message)
        self.assertNotIn("DL00024", message)

    def test_guard_is_constant_in_queries(self):
        for count in (2, 40):
            lots = self._create_lots(self.laptop, [f"Q{count:02d}{n:04d}" for n in range(count)])
            lots.invalidate_recordset()
            with self.assertQueryCount(2):
                lots._unlink_except_unit_history()
