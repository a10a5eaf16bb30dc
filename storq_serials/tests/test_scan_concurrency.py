from contextlib import closing
from unittest import SkipTest

from psycopg2 import errors

from odoo import Command
from odoo.sql_db import db_connect
from odoo.tests import tagged

from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestScanConcurrency(StorqSerialsCase):
    """A scan that takes a unit holds the unit's row until its transaction ends, so that a
    second scanner taking it at once waits, then fails to serialize and is retried by Odoo
    (benchmarks/race_scan.py plays the whole race on committed data). The lock must not
    rewrite the row: an UPDATE writes a new version with an entry in each of its indexes.

    The units are the demo data's (committed), so that a second connection sees their rows.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo_phone = cls.env.ref("storq_serials.product_phone_x", raise_if_not_found=False)
        if not cls.demo_phone:  # Odoo's runner in CI installs without demo data
            raise SkipTest("the database has no demo data (installed with --without-demo)")
        cls.demo_units = cls.env["stock.lot"].browse(
            cls.env.ref(f"storq_serials.lot_phone_{index}").id for index in range(1, 6)
        )

    def _reserved_delivery(self, location):
        customers = self.env.ref("stock.stock_location_customers")
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": self.env.ref("stock.picking_type_out").id,
                "location_id": location.id,
                "location_dest_id": customers.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": self.demo_phone.name,
                            "product_id": self.demo_phone.id,
                            "product_uom_qty": 1,
                            "location_id": location.id,
                            "location_dest_id": customers.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        picking.action_assign()
        return picking

    def _row_version(self, unit):
        self.env.cr.execute("SELECT ctid::text FROM stock_lot WHERE id = %s", [unit.id])
        return self.env.cr.fetchone()[0]

    def _other_transaction_locks(self, unit, strength):
        """Whether another connection can take the row lock `strength` on `unit` at once."""
        with closing(db_connect(self.env.cr.dbname).cursor()) as other:
            try:
                other.execute(f"SELECT id FROM stock_lot WHERE id = %s FOR {strength} NOWAIT", [unit.id])
            except errors.LockNotAvailable:
                return False
            finally:
                other.rollback()
            return True

    def test_scan_locks_the_unit_without_rewriting_it(self):
        units = self.demo_units.filtered(lambda unit: unit.storq_state == "in_stock")
        self.assertGreaterEqual(len(units), 2, "the demo data keeps its phones in stock")
        delivery = self._reserved_delivery(units[0].storq_location_id)
        unit = units - delivery.move_line_ids.lot_id
        unit = unit[:1]
        self.assertTrue(self._other_transaction_locks(unit, "NO KEY UPDATE"), "nobody holds it yet")
        version = self._row_version(unit)
        answer = delivery.storq_scan(unit.name, context_product_id=self.demo_phone.id)
        self.env.flush_all()
        self.assertEqual(answer["status"], "ok", answer["message"])
        self.assertEqual(delivery.move_line_ids.lot_id, unit, "the scanned unit took the reservation")
        self.assertFalse(
            self._other_transaction_locks(unit, "NO KEY UPDATE"),
            "a second scan of the unit must wait for this transaction",
        )
        self.assertTrue(
            self._other_transaction_locks(unit, "KEY SHARE"),
            "lines of other transfers that point to the unit (their foreign key check) do not wait",
        )
        self.assertEqual(self._row_version(unit), version, "the lock does not rewrite the unit's row")
