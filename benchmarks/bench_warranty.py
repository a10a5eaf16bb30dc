"""Warranty lookup of random serials, side by side with plain Odoo's nearest path.

Run through scripts/benchmark.sh --warranty, on a database built by scripts/benchmark_data.sh
(STORQ_BENCH_DB, default storq_bench_1000000), whose units carry warranty dates (the builder's
`fill_warranty`, or `build_data.py --warranty-only` on an older database).
- storq lookup: the Warranty lookup screen (`storq.warranty.lookup`) given a serial, as the desk
  reads it: the unit, its customer, coverage and days left, claims, and the card with its
  history, from a cold cache, as the administrator;
- plain Odoo: the serial typed in the Lots/Serial Numbers search (`stock.lot` `name_search`), then
  its last delivery to a customer read from the moves history (`stock.move.line` `search_read`):
  who bought it and when; plain Odoo has no coverage to show.
Serials are drawn at random (seeded) among all units; p50/p95 over --lookups lookups after 10
warm ones, in one transaction, rolled back. With STORQ_BENCH_JSON set, each flow's lookups go
to `emit` (bench "warranty", case "lookup of a random serial").
"""

import argparse
import statistics
import sys
import time
from collections import Counter

from bench_common import emit
from bench_common import percentile
from bench_common import query_span

import odoo
from odoo import api

LOOKUP_FIELDS = ["lot_id", "message", "product_id", "partner_id", "coverage", "days_left", "claim_count"]


def storq_lookup(env, serial):
    lookup = env["storq.warranty.lookup"].new({"serial": serial})
    values = {name: lookup[name] for name in LOOKUP_FIELDS}
    values["card_html"] = lookup.card_html
    return values["coverage"] or "none"


def plain_lookup(env, serial):
    found = env["stock.lot"].name_search(serial, limit=8)
    if not found:
        return "none"
    lines = env["stock.move.line"].search_read(
        [("lot_id", "=", found[0][0]), ("state", "=", "done"), ("location_dest_id.usage", "=", "customer")],
        ["picking_partner_id", "date", "picking_id"],
        order="date desc, id desc",
        limit=1,
    )
    return "delivered" if lines else "not delivered"


def run(env, function, serials):
    """(seconds per lookup, queries per lookup, outcomes)."""
    times, queries, outcomes = [], [], Counter()
    for serial in serials:
        env.invalidate_all()
        _ = env.user.company_ids.ids  # in every request's cache already
        count, start = env.cr.sql_log_count, time.perf_counter()
        outcomes[function(env, serial)] += 1
        times.append(time.perf_counter() - start)
        queries.append(env.cr.sql_log_count - count)
    return times, queries, outcomes


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--lookups", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        cr.execute("SELECT count(*) FROM stock_lot")
        units = cr.fetchone()[0]
        cr.execute("SELECT setseed(%s)", [1.0 / args.seed])
        cr.execute("SELECT name FROM stock_lot ORDER BY random() LIMIT %s", [args.lookups + 10])
        serials = [row[0] for row in cr.fetchall()]
        # as the administrator, a real user with the record rules of his companies
        admin = api.Environment(cr, 2, {"tracking_disable": True})
        warm, measured = serials[:10], serials[10:]
        rows = []
        for flow, function in (("storq lookup", storq_lookup), ("plain Odoo", plain_lookup)):
            run(admin, function, warm)
            times, queries, outcomes = run(admin, function, measured)
            rows.append((flow, times, queries, outcomes))
            emit(
                "warranty",
                "lookup of a random serial",
                "storq" if flow == "storq lookup" else "plain Odoo",
                times,
                query_span(queries),
                note=", ".join(f"{name} {count}" for name, count in outcomes.most_common()),
            )
            print(flow, dict(outcomes), file=sys.stderr)
        cr.rollback()
    print(f"Database: {units:,} units; {len(measured)} random serials.")
    print("| flow | p50 ms | p95 ms | max ms | queries per lookup | outcomes |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for flow, times, queries, outcomes in rows:
        print(
            f"| {flow} | {statistics.median(times) * 1000:.1f} | {percentile(times, 0.95) * 1000:.1f} | "
            f"{max(times) * 1000:.1f} | {min(queries)}-{max(queries)} | "
            + ", ".join(f"{name} {count}" for name, count in outcomes.most_common())
            + " |"
        )


if __name__ == "__main__":
    main()
