"""Fails when a browser tour of the module was skipped or did not run at all.

Without Chromium (or websocket-client) Odoo skips every HttpCase tour, and the suite still passes:
the tours would vanish silently. .ci/run runs scripts/test.sh with pytest's JUnit report and
checks it with this script.

Usage: check_tours_ran.py JUNIT_XML TESTS_DIR
A tour file is a test file of TESTS_DIR that calls start_tour or browser_js; each must have run
at least one test, and none of its tests may have been skipped.
"""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

TOUR_CALL = re.compile(r"\.(start_tour|browser_js)\(")


def main(junit_xml, tests_dir):
    tests_dir = Path(tests_dir)
    tour_files = sorted(
        p.stem for p in tests_dir.glob("test_*.py") if TOUR_CALL.search(p.read_text(encoding="utf-8"))
    )
    if not tour_files:
        print(f"no tour file found in {tests_dir}", file=sys.stderr)
        return 1
    ran = {stem: 0 for stem in tour_files}
    skipped = []
    for case in ET.parse(junit_xml).getroot().iter("testcase"):
        # classname is the test's path as a dotted name: storq_serials.tests.test_ui_tours.TestX
        parts = case.get("classname", "").split(".")
        stem = next((part for part in parts if part in ran), None)
        if stem is None:
            continue
        skip = case.find("skipped")
        name = f"{case.get('classname')}.{case.get('name')}"
        if skip is not None:
            skipped.append(f"{name}: {skip.get('message', '')}")
        else:
            ran[stem] += 1
    problems = [f"skipped {line}" for line in skipped]
    problems += [f"no test of {stem}.py ran" for stem, count in ran.items() if not count]
    if problems:
        print("FAILED: browser tours of the module did not all run:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(
        f"browser tours: {sum(ran.values())} ran "
        f"({', '.join(f'{stem}.py: {count}' for stem, count in ran.items())}), none skipped"
    )
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1], sys.argv[2]))
