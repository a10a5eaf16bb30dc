"""Serial Hygiene report on the whole database, against plain Odoo's nearest (it has no equivalent).

`python benchmarks/bench_hygiene.py --database DB [--samples N] [--rebuilds R] -- <odoo args>`, on a
database of scripts/benchmark_data.sh. In one transaction, rolled back at the end.

- **storq rebuild**: the report's rebuild over every unit of every product under serial control
  (`storq.serial.hygiene.issue._refresh_issues`: what the daily cron and the managers' "Scan all
  serials now" button run): format rule and normalised form of each serial, serials equal to a
  product or location code, duplicates and normalisation clashes, likely typos (one character
  from another serial of the product, counting steps of a numbered range left out), and the
  units that keep the database from guaranteeing unique serials. --rebuilds runs (default 1;
  no unmeasured one: the caches a warm-up would fill are a fraction of a second of it), each
  replacing the previous one's issues. In one transaction: what the button does up to 200,000
  units under serial control.
- **storq cron call**: a round of the daily cron (`_cron_refresh_issues`) as ir.cron runs it,
  one call per transaction (ir.cron commits between them; here they stay in the run's
  transaction): a batch of whole products of at least 100,000 units, the last call adding the
  report-wide part. Each call is a sample: the longest is the longest transaction.
- **storq open**: opening the report as the menu does (the list grouped by problem: one
  `web_read_group`), then its largest group (one `web_search_read` of the list's first 80 rows),
  from a cold cache; 10 unmeasured, then --samples measured (default 50).
- **plain Odoo**: Odoo has nothing equivalent: no format rules, no near-duplicate search, and
  its unique (product, serial, company) constraint already forbids exact duplicates within a
  product. Its nearest is grouping the Lots/Serial Numbers by serial to spot the same serial on
  two products: one `read_group` of all serial-tracked lots by name, keeping the names held
  more than once. It answers one of the report's five questions. One unmeasured run, then
  --rebuilds measured.

Printed: median, p95, max and queries per run; with $STORQ_BENCH_JSON set, `emit` rows of bench
"hygiene" (size = the units under serial control): case "rebuild" (storq), case "cron call"
(storq: one sample per call of a round), case "open"
(storq), and case "duplicate serials" (plain Odoo alone: it does not do the report's job, so it
is not paired with the rebuild for a ratio).
"""

import statistics

from bench_common import emit
from bench_requests import TABLE_HEADER
from bench_requests import log
from bench_requests import parse_args
from bench_requests import query_range
from bench_requests import start_request
from bench_requests import summary_row
from bench_requests import timed
from bench_requests import user_env

import odoo
from odoo import SUPERUSER_ID
from odoo import api

LIST_SPEC = {
    "serial": {},
    "product_id": {"fields": {"display_name": {}}},
    "issue_type": {},
    "detail": {},
    "related_lot_id": {"fields": {"display_name": {}}},
    "company_id": {"fields": {"display_name": {}}},
}


def storq_rebuild(env):
    env["storq.serial.hygiene.issue"]._refresh_issues()
    return env["storq.serial.hygiene.issue"].search_count([])


def storq_cron_round(env):
    """(seconds, queries) of each call of a round of the cron, as ir.cron makes them."""
    # Imported once the registry has set the addons path up.
    from odoo.addons.storq_serials.models.storq_serial_hygiene_issue import REFRESH_CURSOR_PARAM

    Issue = env["storq.serial.hygiene.issue"]
    params = env["ir.config_parameter"].sudo()
    params.set_param(REFRESH_CURSOR_PARAM, False)
    calls = []
    while True:
        start_request(env)
        _result, seconds, queries = timed(env, Issue._cron_refresh_issues)
        calls.append((seconds, queries))
        if not params.get_param(REFRESH_CURSOR_PARAM):
            return calls


def plain_duplicates(env):
    groups = env["stock.lot"]._read_group(
        [("product_id.tracking", "=", "serial")], ["name"], ["__count"], having=[("__count", ">", 1)]
    )
    return len(groups)


def storq_open(env):
    Issue = env["storq.serial.hygiene.issue"]
    groups = Issue.web_read_group([], ["issue_type"], ["issue_type"], lazy=True)["groups"]
    if not groups:
        return 0
    largest = max(groups, key=lambda group: group["issue_type_count"])
    Issue.web_search_read(largest["__domain"], LIST_SPEC, limit=80, count_limit=10001)
    return len(groups)


def run(env, function, count):
    times, queries, results = [], [], []
    for _run in range(count):
        start_request(env)
        result, seconds, queries_made = timed(env, function, env)
        times.append(seconds)
        queries.append(queries_made)
        results.append(result)
    return times, queries, results


def main():
    args = parse_args(__doc__, samples=50, rebuilds=1)
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        # The rebuild runs as the cron does (superuser); the report is opened by the administrator.
        cron_env = api.Environment(cr, SUPERUSER_ID, {})
        env = user_env(cr)
        cr.execute("SELECT count(*) FROM stock_lot")
        total = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM stock_lot WHERE storq_serial_control")
        controlled = cr.fetchone()[0]
        rows = []
        run(cron_env, plain_duplicates, 1)
        rows.append(("duplicate serials", "plain Odoo", *run(cron_env, plain_duplicates, args.rebuilds)))
        log("plain duplicates:", rows[-1][2:])
        rows.append(("rebuild", "storq", *run(cron_env, storq_rebuild, args.rebuilds)))
        log("storq rebuild:", rows[-1][2:])
        calls = storq_cron_round(cron_env)
        rows.append(
            ("cron call", "storq", [c[0] for c in calls], [c[1] for c in calls], [len(calls)] * len(calls))
        )
        log("storq cron calls:", calls)
        run(env, storq_open, 10)
        rows.append(("open", "storq", *run(env, storq_open, args.samples)))
        cr.rollback()

    note = f"{total:,} units in the database, {controlled:,} under serial control"
    print(f"Serial Hygiene report. Database: {note}.")
    print(TABLE_HEADER)
    labels = {
        ("rebuild", "storq"): ("storq: rebuild the report (every unit)", "issues found"),
        ("duplicate serials", "plain Odoo"): ("plain Odoo: lots grouped by serial", "names held twice"),
        ("open", "storq"): ("storq: open the report, its largest group", "groups"),
        ("cron call", "storq"): ("storq: one call of the cron (a transaction)", "calls in the round"),
    }
    for case, flow, times, queries, results in rows:
        label, what = labels[(case, flow)]
        print(summary_row(label, times, queries, f"{what} {statistics.median(results):g}"))
        emit("hygiene", case, flow, times, query_range(queries), size=controlled, note=note)


if __name__ == "__main__":
    main()
