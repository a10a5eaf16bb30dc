"""Unit history: one unit opened as the desk opens it, against plain Odoo's lot form and traceability report.

`python benchmarks/bench_history.py --database DB [--samples N] [--seed S] -- <odoo args>`, on a
database of scripts/benchmark_data.sh. Read-only; the transaction is rolled back at the end.

The desk opens a unit in its form (the default form view of `stock.lot`: Odoo's lot form with
the module's fields and its History page). The web client sends one `web_read` request, with the
specification it builds from the view (every field of the form, the display name of each
many2one, the history events' list with its columns and the list limit of 40); it is measured
from a cold ORM cache, as the administrator. The view itself (`get_views`) is cached by the
browser and not measured; neither is the chatter, whose messages come in requests of their own,
the same with or without the module. Two cases, each with plain Odoo's nearest:

- case **"unit history"** -- storq: the module's part of that request, the unit record and its
  history events (the `storq_*` fields of the form alone; each event shows its document by the
  name stored with it, whatever kinds of documents the history names); plain Odoo: a lot's
  history as Odoo shows it, its Traceability report (the form's button:
  `stock.traceability.report.get_main_lines` for the lot, which lists its done move lines).
- case **"unit form"** -- storq: the whole request (Odoo's lot form and the module's fields);
  plain Odoo: the same request without the module's fields (Odoo's own lot form).

Units are drawn at random (seeded) in two halves: units with the longest histories (drawn among
the 2,000 with the most events) and units drawn among all. 10 unmeasured warm-up units (and one
unit per kind of document the events point to: a server has read those models before), then N
measured (default 200), per case and flow. Printed: p50, p95, max, queries per unit; with
$STORQ_BENCH_JSON set, one `emit` row per case and flow (bench "history", size None).
Targets of issue 13 at 1,000,000 units, case "unit history", storq: p95 <= 200 ms and <= 10
queries.
"""

from bench_common import emit
from bench_requests import TABLE_HEADER
from bench_requests import form_spec
from bench_requests import log
from bench_requests import parse_args
from bench_requests import percentile
from bench_requests import query_range
from bench_requests import start_request
from bench_requests import summary_row
from bench_requests import timed
from bench_requests import user_env

import odoo

WARM = 10
LONGEST_POOL = 2000


def sample_units(cr, count, seed):
    """(lot id, events) of `count` units under serial control: half among those with the longest
    histories, half among all, shuffled together."""
    cr.execute("SELECT setseed(%s)", [1.0 / seed])
    cr.execute(
        """
        WITH longest AS (
            SELECT lot_id, count(*) AS events FROM storq_serial_event
             GROUP BY lot_id ORDER BY count(*) DESC, lot_id LIMIT %s
        ), long_units AS (
            SELECT lot_id, events FROM longest ORDER BY random() LIMIT %s
        ), any_units AS (
            SELECT lot.id AS lot_id,
                   (SELECT count(*) FROM storq_serial_event e WHERE e.lot_id = lot.id) AS events
              FROM stock_lot lot
             WHERE lot.storq_serial_control AND lot.id NOT IN (SELECT lot_id FROM long_units)
             ORDER BY random() LIMIT %s
        )
        SELECT lot_id, events FROM (SELECT * FROM long_units UNION ALL SELECT * FROM any_units) units
         ORDER BY random()
        """,
        [LONGEST_POOL, count // 2, count - count // 2],
    )
    return cr.fetchall()


def form_read(env, lot_id, spec):
    [values] = env["stock.lot"].browse(lot_id).web_read(spec)
    return len(values.get("storq_event_ids", ()))


def traceability(env, lot_id, spec):
    context = {"active_id": lot_id, "model": "stock.lot", "active_model": "stock.lot", "lot_name": False}
    return len(env["stock.traceability.report"].get_main_lines(context))


def run(env, function, units, spec):
    times, queries, sizes = [], [], []
    for lot_id, _events in units:
        start_request(env)
        shown, seconds, count = timed(env, function, env, lot_id, spec)
        times.append(seconds)
        queries.append(count)
        sizes.append(shown)
    return times, queries, sizes


def main():
    args = parse_args(__doc__, samples=200)
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = user_env(cr)
        cr.execute("SELECT count(*) FROM stock_lot")
        total = cr.fetchone()[0]
        units = sample_units(cr, WARM + args.samples, args.seed)
        if len(units) < WARM + args.samples:
            raise SystemExit(f"only {len(units)} units under serial control, {WARM + args.samples} needed")
        warm, measured = units[:WARM], units[WARM:]
        # A unit per kind of document its events point to, to the warm-up: the first read of a
        # model fills the worker's caches of its record rules and selections (4 to 6 queries), as
        # any earlier request does in a running server (events without a stored document name,
        # from before 18.0.1.0.1, read their documents).
        cr.execute("SELECT DISTINCT ON (split_part(document_ref, ',', 1)) lot_id, 0 FROM storq_serial_event")
        warm = warm + cr.fetchall()
        storq_spec = form_spec(env["stock.lot"])
        history_spec = form_spec(env["stock.lot"], keep=lambda name: name.startswith("storq_"))
        plain_spec = form_spec(env["stock.lot"], keep=lambda name: not name.startswith("storq_"))
        log(f"{total:,} units; form fields: {len(storq_spec)}, the module's {len(history_spec)}")
        cases = (
            ("unit history", "plain Odoo", "plain Odoo: traceability report", traceability, None),
            ("unit history", "storq", "storq: unit record and history", form_read, history_spec),
            ("unit form", "plain Odoo", "plain Odoo: lot form", form_read, plain_spec),
            ("unit form", "storq", "storq: unit form (Odoo's and the module's)", form_read, storq_spec),
        )
        rows = []
        for case, flow, label, function, spec in cases:
            run(env, function, warm, spec)
            rows.append((case, flow, label, *run(env, function, measured, spec)))
        cr.rollback()

    events = sorted(events for _lot, events in measured)
    shape = f"events per unit {events[0]}-{events[-1]}, median {events[len(events) // 2]}"
    note = f"{total:,} units in the database; {len(measured)} random units ({shape})"
    print(f"Unit history. Database: {total:,} units; {len(measured)} random units, {shape}.")
    print(TABLE_HEADER)
    for case, flow, label, times, queries, sizes in rows:
        shown = "report lines" if "traceability" in label else "events"
        print(summary_row(label, times, queries, f"{shown} {min(sizes)}-{max(sizes)}"))
        emit("history", case, flow, times, query_range(queries), note=note)
    storq = rows[1]
    log(
        f"unit history, storq: p95 {percentile(storq[3], 0.95) * 1000:.1f} ms, "
        f"queries {min(storq[4])}-{max(storq[4])} (targets 200 ms and 10 queries at 1,000,000 units)"
    )


if __name__ == "__main__":
    main()
