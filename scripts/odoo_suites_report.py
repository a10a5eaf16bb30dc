"""pytest plugin for scripts/test_odoo_suites.sh: one line per failed or errored test.

Writes to the file named by STORQ_SUITES_REPORT, tab-separated:
    test id (from the addon folder on), FAILED|ERROR, exception type,
    file:line that raised, first message line
so that a failure can be told apart from the module's own refusals (a UserError or
ValidationError raised from storq_serials' code) and re-reviewed quickly.
"""

import os
import re

_report_path = os.environ.get("STORQ_SUITES_REPORT")
_seen = set()


def _test_id(nodeid):
    # "…/addons/stock/tests/test_x.py::Class::test" -> "stock/tests/test_x.py::Class::test"
    return re.sub(r"^.*?addons/", "", nodeid)


def _exception(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is None:
        text = str(report.longrepr).strip().splitlines()
        return "?", "?", text[-1] if text else "?"
    message = crash.message.strip()
    exc_type, _, first_line = message.partition(": ")
    # The first non-empty line of the message, and the next one when it only introduces a list
    # ("These units cannot be shipped:"), so that the line says which refusal it is.
    rest = first_line or "\n".join(message.splitlines()[1:])
    lines = [line.strip() for line in rest.splitlines() if line.strip()]
    first_line = lines[0] if lines else ""
    if first_line.endswith(":") and len(lines) > 1:
        first_line = f"{first_line} {lines[1]}"
    exc_type = exc_type.splitlines()[0]
    return exc_type, f"{crash.path}:{crash.lineno}", first_line


def pytest_runtest_logreport(report):
    if not _report_path or not report.failed:
        return
    test_id = _test_id(report.nodeid)
    if test_id in _seen:  # a failing test can also fail its teardown: keep the first
        return
    _seen.add(test_id)
    outcome = "FAILED" if report.when == "call" else "ERROR"
    exc_type, where, first_line = _exception(report)
    fields = [test_id, outcome, exc_type, where, first_line]
    with open(_report_path, "a", encoding="utf-8") as report_file:
        # One line per test, whatever the message holds.
        report_file.write("\t".join(" ".join(field.split()) for field in fields) + "\n")
