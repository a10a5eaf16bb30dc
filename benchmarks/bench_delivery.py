"""Deliver N scanned serials of a sale order, with storq_serials and with plain Odoo, in the same run.

Run through scripts/benchmark.sh. For each size, two products in the same database:
- "plain Odoo": a product tracked by serial number, not under serial control (every override
  of the module steps aside): Odoo's own flow;
- "storq": the same product under serial control, with an IMEI format rule (Luhn check digit),
  delivered in two flows: "storq batch" and "storq scans".
Each has 2N units in stock in WH/Stock (set up directly, not timed) and a confirmed sale order of
N units, for which Odoo reserves the N oldest units. The picker takes the N *other* units, so
every unit chosen replaces a reserved one (the worst case for both flows):
- plain Odoo: the chosen serials are set on the delivery's lines in one save, as the detailed
  operations dialog does (one write of N line updates), then the delivery is validated;
- storq batch: the chosen serials are picked in one call (`stock.picking.storq_pick_serials`
  with `apply=True`: every check of a scan for the whole list, then the reservations replaced),
  as a batch-mode scanner's upload or the Pick Serials wizard does, then the delivery is validated;
- storq scans: each serial is scanned (`stock.picking.storq_scan`, one call per unit, the cache
  cleared between calls as between two requests), then the delivery is validated (only up to
  --scan-max serials: 10,000 scans take minutes).
Each run is rolled back. Before each run the busy tables are vacuumed and analysed, and analysed
again once the run's units are in stock, as autovacuum would keep them on a working database:
without it, the dead rows of earlier runs and stale statistics slow down every quant search of
whichever flow runs later (plain Odoo's capture at 1,000 serials took 6 s or 31 s in the same
session depending on that). The vacuum runs when autovacuum would (dead rows above 20 % of the
table): after every run on a small database, rarely on a million units.

On a database of scripts/benchmark_data.sh (a serial-controlled product with at least 10,000
units), the flows deliver the product with the most units instead of a new one: "storq" as it
is, "plain Odoo" with its serial control switched off inside the run's transaction
(`--new-products` keeps new ones). Its units already in stock are reserved first when older;
the picker still takes N of the run's 2N new units that are not reserved. Each size runs
`--warmup` unmeasured runs, then `--repeat` measured ones (default 1 and 5; the table shows
medians). "storq scans" runs once (N scans): its samples are the scans' own times, the first
10 left out as warm-up. With STORQ_BENCH_JSON set, every run goes to `emit`.
"""

import argparse
import sys
import time
from datetime import datetime
from datetime import timedelta

from bench_common import add_row
from bench_common import analyze
from bench_common import bench_products
from bench_common import emit
from bench_common import emit_steps
from bench_common import imeis
from bench_common import median_steps
from bench_common import print_table
from bench_common import query_span
from bench_common import vacuum

import odoo
from odoo import Command
from odoo import api

SCAN_WARMUP = 10


def stock_units(env, product, serials, location):
    """2N units in stock, oldest first, written directly (setup, not timed)."""
    # Odoo's unique-lot check looks the names up with `name IN (...)`, which PostgreSQL plans on
    # the trigram index of lot names: minutes for 2,000 names among a million digit-only serials.
    # Setup only: the planner's default is restored before anything is timed.
    env.cr.execute("SET LOCAL enable_bitmapscan = off")
    lots = env["stock.lot"].create([{"product_id": product.id, "name": name} for name in serials])
    env.flush_all()
    env.cr.execute("SET LOCAL enable_bitmapscan = on")
    start = datetime(2026, 1, 1)
    env.cr.execute(
        """
        INSERT INTO stock_quant (product_id, company_id, location_id, lot_id, quantity,
                                 reserved_quantity, in_date, create_uid, create_date, write_uid, write_date)
        SELECT %s, %s, %s, lot_id, 1, 0, in_date, 1, now() at time zone 'utc', 1, now() at time zone 'utc'
          FROM unnest(%s::int4[], %s::timestamp[]) AS t(lot_id, in_date)
        """,
        [
            product.id,
            env.company.id,
            location.id,
            lots.ids,
            [start + timedelta(minutes=index) for index in range(len(lots))],
        ],
    )
    if product.storq_serial_control:
        # The unit record an inventory adjustment or a receipt would have written.
        lots.write({"storq_state": "in_stock", "storq_location_id": location.id})
    env.invalidate_all()
    return lots


def deliver(env, product, serials, flow, scans=None):
    """Returns {step: (seconds, queries)} for one delivery of half of `serials`; the seconds and
    queries of each scan are appended to `scans` in the "storq scans" flow."""
    cr = env.cr
    warehouse = env.ref("stock.warehouse0")
    lots = stock_units(env, product, serials, warehouse.lot_stock_id)
    count = len(serials) // 2
    customer = env["res.partner"].create({"name": f"Bench customer {product.name}"})
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": count})],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    assert len(picking.move_line_ids) == count, len(picking.move_line_ids)
    reserved = picking.move_line_ids.lot_id
    # On a database with the product's older units in stock, those are reserved rather than ours.
    chosen = (lots - reserved)[-count:]
    assert len(chosen) == count
    analyze(env)
    env.invalidate_all()
    steps = {}

    def measure(step, function):
        env.flush_all()
        queries, start = cr.sql_log_count, time.perf_counter()
        result = function()
        env.flush_all()
        steps[step] = (time.perf_counter() - start, cr.sql_log_count - queries)
        return result

    def capture_plain():
        lines = picking.move_line_ids.sorted("id")
        picking.move_ids.write(
            {
                "move_line_ids": [
                    Command.update(line.id, {"lot_id": lot.id, "quantity": 1, "picked": True})
                    for line, lot in zip(lines, chosen)
                ]
            }
        )

    # Read before timing: after each scan's cache reset, `lot.name` would re-read all N lots.
    names = chosen.mapped("name")

    def capture_batch():
        verdicts = picking.storq_pick_serials(names, apply=True)
        assert all(verdict["applied"] for verdict in verdicts), verdicts[:3]

    def capture_storq():
        for name in names:
            queries, start = cr.sql_log_count, time.perf_counter()
            result = picking.storq_scan(name, context_product_id=product.id)
            env.flush_all()
            if scans is not None:
                scans.append((time.perf_counter() - start, cr.sql_log_count - queries))
            assert result["status"] == "ok", result
            env.invalidate_all()

    capture = {"plain Odoo": capture_plain, "storq batch": capture_batch, "storq scans": capture_storq}[flow]
    measure("capture", capture)
    measure("validate", picking.button_validate)
    assert picking.state == "done", picking.state
    assert picking.move_line_ids.lot_id == chosen
    return steps


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument(
        "--scan-max", type=int, default=1000, help="largest size run with one scan per serial"
    )
    parser.add_argument("--repeat", type=int, default=5, help="measured runs per size and flow")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs before them")
    parser.add_argument(
        "--budget",
        type=float,
        default=0,
        help="seconds per size and flow after which no further run starts (once one is measured; "
        "when the warm-up alone takes longer, it is the one measured run)",
    )
    parser.add_argument("--new-products", action="store_true", help="never the database's own product")
    parser.add_argument(
        "--flows",
        default=",".join(("plain Odoo", "storq batch", "storq scans")),
        help="the flows to run, comma-separated",
    )
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    note = ""
    for index, size in enumerate(sizes):
        # The module's flow first: on a slow database, a timeout leaves its figure measured.
        flows = [
            flow for flow in ("storq batch", "plain Odoo", "storq scans") if flow in args.flows.split(",")
        ]
        for label in flows:
            if label == "storq scans" and size > args.scan_max:
                continue
            count = 1 if label == "storq scans" else args.warmup + args.repeat
            runs, scans, started, over = [], [], time.perf_counter(), ""
            for run in range(count):
                if runs and args.budget and time.perf_counter() - started > args.budget:
                    over = f"; {len(runs)} of {args.repeat} runs (over the {args.budget:.0f} s budget)"
                    break
                vacuum(registry)
                with registry.cursor() as cr:
                    env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                    flow = "plain Odoo" if label == "plain Odoo" else "storq"
                    product, note = bench_products(env, flow, big=not args.new_products)
                    steps = deliver(env, product, imeis(2 * size, 20 + index), label, scans)
                    cr.rollback()
                if run >= count - (1 if label == "storq scans" else args.repeat):
                    runs.append(steps)
                elif args.budget and time.perf_counter() - started > args.budget:
                    runs.append(steps)
                    over = f"; 1 run, no warm-up (the warm-up took over the {args.budget:.0f} s budget)"
                    break
                seconds = sum(step[0] for step in steps.values())
                print(f"  {label} run {run + 1}: {seconds:.2f} s", file=sys.stderr, flush=True)
            note += over
            if label == "storq scans":
                measured = scans[SCAN_WARMUP:] or scans
                emit(
                    "delivery",
                    "one scan (storq_scan) into the delivery",
                    "storq",
                    [seconds for seconds, _queries in measured],
                    query_span([queries for _seconds, queries in measured]),
                    size=size,
                    note=f"{len(measured)} scans of one run; {note}",
                )
                emit_steps("delivery", "storq", runs, size, case_prefix="scans: ", note=f"one run; {note}")
            else:
                how = "one save of the lines" if flow == "plain Odoo" else "one storq_pick_serials call"
                emit_steps("delivery", flow, runs, size, note=f"{how}; {note}")
            add_row(rows, size, label, median_steps(runs))
    print(f"Medians of {args.repeat} runs after {args.warmup} warm-up (storq scans: one run); {note}.")
    print_table(rows)


if __name__ == "__main__":
    main()
