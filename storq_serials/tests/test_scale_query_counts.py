"""Query counts of the paths issue 13 measures at a million units (benchmarks/bench_scan.py,
bench_history.py, bench_hygiene.py), each at a small and a large size: the count must not grow
with the units in the database, the events of a unit, or the units the hygiene report scans."""

import importlib.util
from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.tests import tagged

from .common import StorqSerialsCase

# One storq_scan of a serial into a reserved delivery, from a cold cache.
SCAN_QUERIES = 25
# Opening a unit: the module's part of the unit form's web_read, its record and its History
# page (issue 13: at most 10).
UNIT_HISTORY_QUERIES = 10
# Rebuilding the hygiene report over every unit (10 queries), or one call of its cron (11).
HYGIENE_REBUILD_QUERIES = 12
# Opening the hygiene report (grouped by problem), then its largest group.
HYGIENE_OPEN_QUERIES = 6


# The benchmarks' helpers live beside the addon, in the repository's benchmarks/ folder: the
# test reads a unit with the very web_read specification bench_history.py measures.
BENCH_REQUESTS = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_requests.py"


def bench_requests():
    spec = importlib.util.spec_from_file_location("storq_benchmark_requests", BENCH_REQUESTS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imeis(count, start):
    from ..tools.check_digits import compute_check_digit

    bodies = [f"35875407{n:06d}" for n in range(start, start + count)]
    return [body + compute_check_digit("luhn", body) for body in bodies]


@tagged("post_install", "-at_install", "is_query_count")
class TestScaleQueryCounts(StorqSerialsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Scale customer"})

    def _request(self):
        """A new request's cold cache, with what every request has read already."""
        self.env.flush_all()
        self.env.invalidate_all()
        _ = self.env.user.company_ids.ids
        _ = self.env.company.name

    def _count(self, function, *args, **kwargs):
        self._request()
        before = self.cr.sql_log_count
        result = function(*args, **kwargs)
        self.env.flush_all()
        return result, self.cr.sql_log_count - before

    # ------------------------------------------------------------------
    # Single scan check
    # ------------------------------------------------------------------
    def _scan_counts(self, size, start):
        """Queries of two scans into a delivery reserved among `size` units in stock."""
        units = self._stock_units(self.phone, imeis(size, start))
        delivery = self._sale(self.customer, self.phone, 3).picking_ids
        free = units - delivery.move_line_ids.lot_id
        delivery.storq_scan(free[0].name, context_product_id=self.phone.id)  # warm the caches
        counts = []
        for unit in free[1:3]:
            answer, count = self._count(delivery.storq_scan, unit.name, context_product_id=self.phone.id)
            self.assertEqual(answer["status"], "ok", answer["message"])
            counts.append(count)
        return counts

    def test_scan_check_is_constant_in_the_units_in_stock(self):
        small = self._scan_counts(10, 0)
        large = self._scan_counts(1000, 10000)
        self.assertEqual(small, large, "queries of a scan among 10 and among 1,000 units in stock")
        self.assertLessEqual(max(large), SCAN_QUERIES)

    # ------------------------------------------------------------------
    # Unit history
    # ------------------------------------------------------------------
    def _unit_with_events(self, serial, events, documents):
        """A unit with `events` events, each on one of the `documents` in turn (a page of 40
        events then shows up to 36 transfers), every tenth on none."""
        unit = self._create_lots(self.phone, [serial])
        now = fields.Datetime.now()
        self.env["storq.serial.event"].sudo()._bulk_create(
            [
                {
                    "lot_id": unit.id,
                    "product_id": self.phone.id,
                    "company_id": self.company.id,
                    "event_type": "note",
                    "date": now - timedelta(days=1, minutes=events - index),
                    "note": f"note {index}",
                    "user_id": self.env.uid,
                    "partner_id": self.customer.id,
                    "location_id": self.stock_location.id,
                    # Some events point to no document (a block, a warranty started).
                    "document_ref": f"stock.picking,{documents[index % len(documents)].id}"
                    if index % 10
                    else None,
                }
                for index in range(events)
            ]
        )
        return unit

    def _receipts(self, count):
        return self.env["stock.picking"].create(
            [
                {
                    "picking_type_id": self.receipt_type.id,
                    "location_id": self.supplier_location.id,
                    "location_dest_id": self.stock_location.id,
                }
                for _index in range(count)
            ]
        )

    def test_unit_history_is_constant_in_the_events(self):
        requests = bench_requests()
        form = requests.form_spec(self.env["stock.lot"])
        history = requests.form_spec(self.env["stock.lot"], keep=lambda name: name.startswith("storq_"))
        self.assertIn("storq_event_ids", history)
        short = self._unit_with_events(imeis(1, 50000)[0], 2, self._receipts(1))
        receipts = self._receipts(45)
        long = self._unit_with_events(imeis(1, 50001)[0], 300, receipts)
        short.web_read(form)  # warm the caches
        counts = {}
        for label, unit in (("short", short), ("long", long)):
            for part, spec in (("history", history), ("form", form)):
                [values], counts[label, part] = self._count(unit.web_read, spec)
        self.assertEqual(len(values["storq_event_ids"]), 300)  # all ids, the page of 40 read
        self.assertEqual(values["storq_event_ids"][0]["note"], "note 299", "latest first")
        self.assertEqual(
            values["storq_event_ids"][0]["document_ref"]["display_name"], receipts[299 % 45].name
        )
        self.assertEqual(counts["short", "history"], counts["long", "history"], counts)
        self.assertEqual(counts["short", "form"], counts["long", "form"], counts)
        self.assertLessEqual(counts["long", "history"], UNIT_HISTORY_QUERIES, counts)

    # ------------------------------------------------------------------
    # Serial Hygiene report
    # ------------------------------------------------------------------
    def _units_with_problems(self, size, start, code):
        """`size` units of the phone, three of them renamed behind Odoo's back (as data from
        before the module): a wrong check digit, a product `code`, a letter for a digit."""
        lots = self._create_lots(self.phone, imeis(size, start))
        bad = [lots[0].name[:-1] + str((int(lots[0].name[-1]) + 1) % 10), code, lots[2].name[:-1] + "O"]
        for lot, name in zip(lots, bad):
            self.env.cr.execute("UPDATE stock_lot SET name = %s WHERE id = %s", [name, lot.id])
        self.Lot.invalidate_model(["name"])
        return lots

    def test_hygiene_report_is_constant_in_the_units(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        self._units_with_problems(3, 10000, "LAPTOP-1")
        Issue._refresh_issues()  # warm the caches, issues included
        counts = {}
        for size, start, code in ((10, 20000, "PHONE-1"), (1000, 30000, "PHX-128-BOX")):
            lots = self._units_with_problems(size, start, code)
            _result, counts[size] = self._count(Issue._refresh_issues)
            found = Issue.search([("lot_id", "in", lots.ids)])
            self.assertEqual(set(found.mapped("issue_type")), {"format", "product_code"})
        self.assertEqual(counts[10], counts[1000], counts)
        self.assertLessEqual(counts[1000], HYGIENE_REBUILD_QUERIES)

    def test_hygiene_cron_call_is_constant_in_the_units(self):
        """One call of the cron (a batch of products, here all of them, and the report-wide part)."""
        Issue = self.env["storq.serial.hygiene.issue"]
        self._units_with_problems(3, 50000, "LAPTOP-1")
        Issue._cron_refresh_issues()  # warm the caches, issues included
        counts = {}
        for size, start, code in ((10, 60000, "PHONE-1"), (1000, 70000, "PHX-128-BOX")):
            lots = self._units_with_problems(size, start, code)
            _result, counts[size] = self._count(Issue._cron_refresh_issues)
            found = Issue.search([("lot_id", "in", lots.ids)])
            self.assertEqual(set(found.mapped("issue_type")), {"format", "product_code"})
        self.assertEqual(counts[10], counts[1000], counts)
        self.assertLessEqual(counts[1000], HYGIENE_REBUILD_QUERIES)

    def test_hygiene_report_opens_in_constant_queries(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        counts = {}
        for size, start, code in ((10, 40000, "PHONE-1"), (1000, 41000, "PHX-128-BOX")):
            self._units_with_problems(size, start, code)
            Issue._refresh_issues()
            _result, counts[size] = self._count(self._open_report)
        self.assertEqual(counts[10], counts[1000], counts)
        self.assertLessEqual(counts[1000], HYGIENE_OPEN_QUERIES)

    def _open_report(self):
        Issue = self.env["storq.serial.hygiene.issue"]
        groups = Issue.web_read_group([], ["issue_type"], ["issue_type"], lazy=True)["groups"]
        largest = max(groups, key=lambda group: group["issue_type_count"])
        spec = {
            "serial": {},
            "product_id": {"fields": {"display_name": {}}},
            "issue_type": {},
            "detail": {},
            "related_lot_id": {"fields": {"display_name": {}}},
        }
        return Issue.web_search_read(largest["__domain"], spec, limit=80)
