"""Unit history: one unit opened as the desk opens it, against plain Odoo's lot form and traceability report.

`python benchmarks/bench_history.py --database DB [--samples N] [--seed S] -- <odoo args>`, on a
database of scripts/benchmark_data.sh. Read-only; the transaction is rolled back at the end.

- **storq**: the unit form (the default form view of `stock.lot`, with the module's fields and
  its History page) opened on a unit under serial control: the one `web_read` request the web
  client sends, with the specification it builds from the view (every field of the form, the
  display name of each many2one, the history events' list with its columns and the list limit of
  40), from a cold ORM cache, as the administrator. The view itself (`get_views`) is cached by
  the browser and not measured; neither is the chatter, whose messages come in requests of
  their own, the same with or without the module.
- **plain Odoo**: what plain Odoo shows of a serial's history: its lot form (the same request
  without the module's fields: Odoo's own form), then its Traceability report (the form's
  button: `stock.traceability.report.get_main_lines` for the lot, which lists its done move
  lines). Two requests, timed together per unit, each from a cold cache.

Units are drawn at random (seeded) in two halves: units with the longest histories (drawn among
the 2,000 with the most events) and units drawn among all. 10 unmeasured warm-up units, then N
measured (default 200), per flow. Printed: p50, p95, max, queries per unit, events per unit;
with $STORQ_BENCH_JSON set, one `emit` row per flow: bench "history", case "unit history",
size None. Targets of issue 13 at 1,000,000 units: storq p95 <= 200 ms and <= 10 queries.
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


def storq_form(env, lot_id, spec):
    [values] = env["stock.lot"].browse(lot_id).web_read(spec)
    return len(values["storq_event_ids"])


def plain_form_and_traceability(env, lot_id, spec):
    env["stock.lot"].browse(lot_id).web_read(spec)
    start_request(env)  # the report is a request of its own
    context = {"active_id": lot_id, "model": "stock.lot", "active_model": "stock.lot", "lot_name": False}
    lines = env["stock.traceability.report"].get_main_lines(context)
    return len(lines)


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
        storq_spec = form_spec(env["stock.lot"])
        plain_spec = form_spec(env["stock.lot"], keep=lambda name: not name.startswith("storq_"))
        log(f"{total:,} units; form fields: storq {len(storq_spec)}, plain {len(plain_spec)}")
        rows = []
        for flow, function, spec in (
            ("plain Odoo", plain_form_and_traceability, plain_spec),
            ("storq", storq_form, storq_spec),
        ):
            run(env, function, warm, spec)
            rows.append((flow, *run(env, function, measured, spec)))
        cr.rollback()

    events = sorted(events for _lot, events in measured)
    shape = f"events per unit {events[0]}-{events[-1]}, median {events[len(events) // 2]}"
    note = f"{total:,} units in the database; {len(measured)} random units ({shape})"
    print(f"Unit history. Database: {total:,} units; {len(measured)} random units, {shape}.")
    print(TABLE_HEADER)
    for flow, times, queries, sizes in rows:
        label = (
            "storq: unit form with its history"
            if flow == "storq"
            else "plain Odoo: lot form + traceability report"
        )
        shown = "events shown" if flow == "storq" else "report lines"
        extra = f"{shown} {min(sizes)}-{max(sizes)}"
        print(summary_row(label, times, queries, extra))
        emit("history", "unit history", flow, times, query_range(queries), note=note)
    storq = rows[1]
    log(
        f"storq p95 {percentile(storq[1], 0.95) * 1000:.1f} ms, queries {min(storq[2])}-{max(storq[2])} "
        "(targets 200 ms and 10 queries at 1,000,000 units)"
    )


if __name__ == "__main__":
    main()
