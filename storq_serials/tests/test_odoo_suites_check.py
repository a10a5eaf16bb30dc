"""CI's comparison of Odoo's suites with their baselines (scripts/odoo_suites_check.py): a
failure no baseline lists is run again alone, and only one that passes then is set aside, named
as flaky; one that fails again still fails the comparison."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

from odoo.tests import BaseCase

CHECK = Path(__file__).resolve().parents[2] / "scripts" / "odoo_suites_check.py"

REFUSAL = "odoo.exceptions.UserError\t/x/storq_serials/models/m.py:1\tThese units cannot be shipped:"
TOUR = "stock/tests/test_picking_tours.py::TestStockPickingTour::test_tour"
REGRESSION = "stock/tests/test_move.py::TestMove::test_quantities"
REFUSED = "stock/tests/test_report.py::TestReports::test_refused"
PLAIN = "stock/tests/test_old_rules.py::TestOldRules::test_broken"


class TestOdooSuitesCheck(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not CHECK.is_file():
            raise unittest.SkipTest("the addon runs outside the project repository")

    def setUp(self):
        super().setUp()
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        self.dir = Path(folder.name)
        self._write("plain.txt", ["# plain Odoo's failures", PLAIN])
        self._write("serial.txt", ["# reviewed", "", "# the module refuses a unit not in stock", REFUSED])
        self._write(
            "report.tsv",
            [
                f"{PLAIN}\tERROR\tIndexError\t/odoo/models.py:1\ttuple index out of range",
                f"{REFUSED}\tFAILED\t{REFUSAL}",
                f"{TOUR}\tFAILED\tAssertionError\t/case.py:703\tThe test code failed",
                f"{REGRESSION}\tFAILED\tAssertionError\t/case.py:703\t1.0 != 2.0",
            ],
        )

    def _write(self, name, lines):
        (self.dir / name).write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")

    def _check(self, *args):
        paths = [str(self.dir / arg) if arg.endswith((".txt", ".tsv")) else arg for arg in args]
        return subprocess.run(
            [sys.executable, str(CHECK), *paths], capture_output=True, text=True, check=False
        )

    def test_unexpected_lists_the_failures_no_baseline_names(self):
        done = self._check("unexpected", "serial-control", "report.tsv", "plain.txt", "serial.txt")
        self.assertEqual(done.stdout.split(), sorted([TOUR, REGRESSION]))
        done = self._check("unexpected", "plain", "report.tsv", "plain.txt")
        self.assertEqual(done.stdout.split(), sorted([TOUR, REGRESSION, REFUSED]))

    def test_only_a_failure_that_passes_alone_is_set_aside(self):
        # Run again alone, the tour passes and the regression fails again.
        self._write("rerun.tsv", [f"{REGRESSION}\tFAILED\tAssertionError\t/case.py:703\t1.0 != 2.0"])
        done = self._check("drop-passed", "report.tsv", "rerun.tsv", TOUR, REGRESSION)
        self.assertIn(f"flaky: {TOUR}", done.stdout)
        self.assertIn(f"failed again alone: {REGRESSION}", done.stdout)
        report = (self.dir / "report.tsv").read_text(encoding="utf-8")
        self.assertNotIn(TOUR, report)
        self.assertIn(REGRESSION, report)
        done = self._check("serial-control", "report.tsv", "plain.txt", "serial.txt")
        self.assertEqual(done.returncode, 1)
        self.assertIn(f"new failure: {REGRESSION}", done.stderr)
        self.assertNotIn(TOUR, done.stderr)

    def test_the_run_passes_when_the_only_new_failure_was_flaky(self):
        self._write("rerun.tsv", [])
        self._check("drop-passed", "report.tsv", "rerun.tsv", TOUR, REGRESSION)
        done = self._check("serial-control", "report.tsv", "plain.txt", "serial.txt")
        self.assertEqual(done.returncode, 0, done.stderr)
