"""Exact lookups of units by serial use the module's b-tree, never Odoo's trigram index (which
PostgreSQL costs far too low on numbered serials: 14-26 s for 1,000 IMEIs at 100,000 units)."""

import json

from odoo.tests import tagged

from ..models.stock_lot_unique import NAME_INDEX
from ..models.stock_lot_unique import OLD_NAME_INDEX
from .common import StorqSerialsCase

TRIGRAM_INDEX = "stock_lot__name_index"


@tagged("post_install", "-at_install")
class TestSerialLookupIndex(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.units = cls._create_lots(cls.gadget, ["LK-0001", "LK-0002", "LK-0003"])

    def _plan(self, domain):
        """The index names of PostgreSQL's plan for the search of `domain`, the other ways of
        reading stock_lot switched off (on a small table a sequential scan would win)."""
        self.env.flush_all()
        query = self.Lot._search(domain)
        sql = query.select()
        self.cr.execute("SET LOCAL enable_seqscan = off")
        try:
            self.cr.execute(f"EXPLAIN (FORMAT JSON) {sql.code}", sql.params)
            plan = json.dumps(self.cr.fetchone()[0])
        finally:
            self.cr.execute("SET LOCAL enable_seqscan = on")
        return plan

    def _usable_by_this_transaction(self, name):
        """Whether the planner may use index `name` now: an index built while the table had
        updated rows waits for every older transaction of the server to end (indcheckxmin),
        and a busy server (another database's long job) may still run one."""
        self.cr.execute(
            """
            SELECT NOT indcheckxmin
                   OR xmin::text::bigint < txid_snapshot_xmin(txid_current_snapshot()) %% 4294967296
              FROM pg_index WHERE indexrelid = %s::regclass
            """,
            [name],
        )
        return self.cr.fetchone()[0]

    def _index_exists(self, name):
        self.cr.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [name])
        return bool(self.cr.rowcount)

    def test_exact_lookups_find_what_odoo_would(self):
        """Same units as Odoo's comparison: case, spaces and the other operators untouched."""
        for domain, expected in [
            ([("name", "in", ["LK-0001", "LK-0002"])], ["LK-0001", "LK-0002"]),
            ([("name", "=", "LK-0003")], ["LK-0003"]),
            ([("name", "=", "lk-0003")], []),
            ([("name", "in", ["LK-0003 ", "NOPE"])], []),
            ([("name", "in", [])], []),
            ([("name", "=ilike", "lk-0003")], ["LK-0003"]),
            ([("name", "not in", ["LK-0001"]), ("id", "in", self.units.ids)], ["LK-0002", "LK-0003"]),
        ]:
            with self.subTest(domain=domain):
                found = self.Lot.search(domain + [("product_id", "=", self.gadget.id)])
                self.assertEqual(sorted(found.mapped("name")), sorted(expected))

    def test_exact_lookups_compare_under_c_collation(self):
        sql = self.Lot._search([("name", "in", ["LK-0001", "LK-0002"])]).select()
        self.assertIn('COLLATE "C" IN', sql.code)
        sql = self.Lot._search([("name", "=", False)]).select()
        self.assertNotIn('COLLATE "C"', sql.code)  # IS NULL: Odoo's own SQL

    def test_plan_uses_the_btree_never_the_trigram_index(self):
        self.assertTrue(self._index_exists(NAME_INDEX))
        self.assertFalse(self._index_exists(OLD_NAME_INDEX))
        for domain in (
            [("name", "in", ["LK-0001", "LK-0002"])],
            [("name", "=", "LK-0001")],
            # Odoo's `_check_unique_lot` lookup: product and serials.
            [("product_id", "in", self.gadget.ids), ("name", "in", ["LK-0001"])],
        ):
            with self.subTest(domain=domain):
                plan = self._plan(domain)
                self.assertNotIn(TRIGRAM_INDEX, plan)
                if self._usable_by_this_transaction(NAME_INDEX):
                    self.assertIn(NAME_INDEX, plan)

    def test_update_replaces_the_old_index(self):
        """Databases of earlier versions had the b-tree under the column's collation."""
        self.cr.execute(f"CREATE INDEX {OLD_NAME_INDEX} ON stock_lot (name)")
        self.Lot.init()
        self.assertFalse(self._index_exists(OLD_NAME_INDEX))
        self.assertTrue(self._index_exists(NAME_INDEX))
