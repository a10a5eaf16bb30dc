"""Compares a run of Odoo's suites (scripts/test_odoo_suites.sh) with its baselines.

Reads the report written by scripts/odoo_suites_report.py (one tab-separated line per failed or
errored test: id, FAILED|ERROR, exception type, file:line that raised, first message line).

    odoo_suites_check.py plain REPORT PLAIN_BASELINE [--write-baseline]
        every failure must be listed in PLAIN_BASELINE (tests that fail on plain Odoo).
    odoo_suites_check.py serial-control REPORT PLAIN_BASELINE BASELINE [--write-baseline]
        every failure beyond PLAIN_BASELINE must be listed in BASELINE with a reviewed reason
        AND be one of the module's refusals: a UserError/ValidationError raised from
        storq_serials' own code. Anything else (a new failure, a crash such as a KeyError, an
        assertion on quantities, an entry still marked "TO REVIEW") fails.

    odoo_suites_check.py unexpected plain|serial-control REPORT PLAIN_BASELINE [BASELINE]
        prints the ids of the failures that no baseline lists, one per line (to run them again).
    odoo_suites_check.py drop-passed REPORT RERUN_REPORT TEST_ID...
        removes from REPORT the given tests that passed when run again alone (absent from
        RERUN_REPORT), and names each: a test that fails in the whole suite and passes alone is
        flaky or depends on the order, and the run says so instead of hiding it.

--write-baseline rewrites the baseline from the report: its header (the comments before the
first blank line) and the reason comments of the tests still failing are kept; a new failure gets
a "# TO REVIEW:" comment with its error, which the run refuses until someone writes the reason.
Only the suites named in STORQ_SUITES_ADDONS (default: all) are compared and rewritten: the
baselines' entries of the other suites are kept as they are.
Exit status: 0 when the run matches, 1 otherwise.
"""

import os
import sys
from pathlib import Path

TO_REVIEW = "# TO REVIEW:"
REFUSALS = ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")
MODULE_PATH = "/storq_serials/"


def in_run(test_id):
    """Whether the test belongs to a suite of this run ("stock/tests/..." -> stock)."""
    addons = os.environ.get("STORQ_SUITES_ADDONS", "").split()
    return not addons or test_id.split("/", 1)[0] in addons


def read_report(path):
    failures = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines() if Path(path).exists() else []:
        test_id, outcome, exc_type, where, first_line = (line.split("\t") + [""] * 5)[:5]
        failures.setdefault(
            test_id, {"outcome": outcome, "type": exc_type, "where": where, "line": first_line}
        )
    return failures


def read_baseline(path):
    """Returns (header lines, {test id: its comment lines}) of a baseline file."""
    header, entries, comments = [], {}, []
    in_header = True
    for raw in Path(path).read_text(encoding="utf-8").splitlines() if Path(path).exists() else []:
        line = raw.rstrip()
        if in_header and line.startswith("#"):
            header.append(line)
            continue
        in_header = False
        if not line:
            comments = []
        elif line.startswith("#"):
            comments.append(line)
        else:
            entries[line] = comments
            comments = []
    return header, entries


def describe(failure):
    where = failure["where"]
    for marker in ("/storq_serials/", "/addons/", "/odoo/"):
        if marker in where:  # the path from the addon (or Odoo's package) on
            where = marker.lstrip("/") + where.rsplit(marker, 1)[1]
            break
    return f"{failure['outcome']} {failure['type']} at {where}: {failure['line']}"


def is_refusal(failure):
    return failure["type"] in REFUSALS and MODULE_PATH in failure["where"]


def write_baseline(path, header, old_entries, failures):
    lines = list(header)
    kept = {test_id: comments for test_id, comments in old_entries.items() if not in_run(test_id)}
    for test_id in sorted(set(failures) | set(kept)):
        if test_id in kept:
            comments = kept[test_id]
        else:
            comments = old_entries.get(test_id) or [f"{TO_REVIEW} {describe(failures[test_id])}"]
        lines += ["", *comments, test_id]
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
    to_review = sum(1 for test_id in failures if not old_entries.get(test_id))
    print(f"wrote {len(failures)} expected failures to {path} ({to_review} to review)")


def check_plain(report, plain_baseline, write):
    failures = read_report(report)
    header, known = read_baseline(plain_baseline)
    if write:
        # The plain baseline has no reasons: a flat list under its header.
        entries = set(failures) | {test_id for test_id in known if not in_run(test_id)}
        Path(plain_baseline).write_text("\n".join([*header, *sorted(entries)]) + "\n", encoding="utf-8")
        print(f"wrote {len(failures)} known plain-Odoo failures to {plain_baseline}")
        return 0
    new = sorted(set(failures) - set(known))
    if new:
        print("FAILED: these Odoo tests fail with storq_serials but pass on plain Odoo:", file=sys.stderr)
        for test_id in new:
            print(f"  {test_id}\n      {describe(failures[test_id])}", file=sys.stderr)
        return 1
    print(f"Odoo's suites: no failure beyond the {len(known)} that plain Odoo has when run this way.")
    return 0


def check_serial_control(report, plain_baseline, baseline, write):
    _header, plain = read_baseline(plain_baseline)
    failures = {t: f for t, f in read_report(report).items() if t not in plain}
    header, expected = read_baseline(baseline)
    print(f"== {len(failures)} failures beyond plain Odoo's, with their first error line:")
    for test_id in sorted(failures):
        mark = "baselined" if test_id in expected else "NEW"
        print(f"  [{mark}] {test_id}\n      {describe(failures[test_id])}")
    if write:
        write_baseline(baseline, header, expected, failures)
        return 0
    problems = []
    for test_id in sorted(failures):
        failure = failures[test_id]
        if test_id not in expected:
            problems.append(f"new failure: {test_id}\n      {describe(failure)}")
        elif not is_refusal(failure):
            problems.append(f"not one of the module's refusals: {test_id}\n      {describe(failure)}")
        elif any(comment.startswith(TO_REVIEW) for comment in expected[test_id]) or not expected[test_id]:
            problems.append(f"baselined without a reviewed reason: {test_id}")
    fixed = sorted(test_id for test_id in set(expected) - set(failures) if in_run(test_id))
    for test_id in fixed:
        print(f"  note: {test_id} did not fail (fixed, or not run): if fixed, --write-baseline removes it")
    if problems:
        print("FAILED: Odoo's suites under serial control:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"Odoo's suites under serial control: {len(failures)} failures, "
        "each a reviewed refusal of the module."
    )
    return 0


def unexpected(mode, report, plain_baseline, baseline=None):
    _header, plain = read_baseline(plain_baseline)
    known = set(plain)
    if mode == "serial-control":
        known |= set(read_baseline(baseline)[1])
    for test_id in sorted(set(read_report(report)) - known):
        print(test_id)
    return 0


def drop_passed(report, rerun_report, test_ids):
    failed_again = read_report(rerun_report)
    passed = [test_id for test_id in test_ids if test_id not in failed_again]
    lines = Path(report).read_text(encoding="utf-8").splitlines() if Path(report).exists() else []
    kept = [line for line in lines if line.split("\t", 1)[0] not in passed]
    Path(report).write_text("".join(f"{line}\n" for line in kept), encoding="utf-8")
    for test_id in passed:
        print(f"  flaky: {test_id} failed in the whole suite and passed when run again alone")
    for test_id in sorted(set(test_ids) - set(passed)):
        print(f"  failed again alone: {test_id}")
    return 0


def main(argv):
    write = "--write-baseline" in argv
    args = [arg for arg in argv if arg != "--write-baseline"]
    if args[:1] == ["plain"] and len(args) == 3:
        return check_plain(args[1], args[2], write)
    if args[:1] == ["serial-control"] and len(args) == 4:
        return check_serial_control(args[1], args[2], args[3], write)
    if args[:1] == ["unexpected"] and len(args) in (4, 5) and args[1] in ("plain", "serial-control"):
        return unexpected(*args[1:])
    if args[:1] == ["drop-passed"] and len(args) >= 4:
        return drop_passed(args[1], args[2], args[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
