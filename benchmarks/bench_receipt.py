"""Receive N serials on one receipt, with storq_serials and with plain Odoo, in the same run.

Run through scripts/benchmark.sh. For each size, two products in the same database:
- "plain Odoo": a product tracked by serial number, not under serial control — every
  override of the module steps aside, so this is Odoo's own flow;
- "storq": the same product under serial control, with an IMEI format rule (Luhn check digit).
The flow is what a user does: confirm a receipt, paste the serials in "Import Serials" (Odoo's
action_generate_lot_line_vals), save the lines, validate. Each run is rolled back.

On a database of scripts/benchmark_data.sh (a serial-controlled product with at least 10,000
units), both flows receive the product with the most units instead of a new one: "storq" as it
is, "plain Odoo" with its serial control switched off inside the run's transaction (the same
units, moves and quants; `--new-products` keeps new ones). Each size runs `--warmup` unmeasured
runs, then `--repeat` measured ones (default 1 and 5): the table shows their medians, and with
STORQ_BENCH_JSON set every run's seconds go to `emit` (cases capture, validate, total).
"""

import argparse
import sys
import time

from bench_common import add_row
from bench_common import bench_products
from bench_common import confirmed_receipt
from bench_common import emit_steps
from bench_common import imeis
from bench_common import median_steps
from bench_common import print_table

import odoo
from odoo import Command
from odoo import api


def receive(env, product, serials):
    """Returns {step: (seconds, queries)} for one receipt of `serials`."""
    cr = env.cr
    picking_type = env.ref("stock.picking_type_in")
    source = env.ref("stock.stock_location_suppliers")
    destination = picking_type.default_location_dest_id
    steps = {}

    def measure(step, function):
        env.flush_all()
        queries, start = cr.sql_log_count, time.perf_counter()
        result = function()
        env.flush_all()
        steps[step] = (time.perf_counter() - start, cr.sql_log_count - queries)
        return result

    picking = confirmed_receipt(env, product, len(serials))
    move = picking.move_ids
    context = {
        "default_product_id": product.id,
        "default_tracking": "serial",
        "default_location_dest_id": destination.id,
        "default_location_id": source.id,
        "default_picking_id": picking.id,
        "default_move_id": move.id,
        "default_picking_type_id": picking_type.id,
        "default_company_id": env.company.id,
    }

    def capture():
        vals_list = env["stock.move"].action_generate_lot_line_vals(
            context, "import", False, 0, "\n".join(serials)
        )
        # The web client sends the many2one values back as ids, and deletes the move's current
        # lines (generate_serial.js: a DELETE command per line unless "keep current lines").
        lines = [
            {key: value["id"] if isinstance(value, dict) else value for key, value in vals.items()}
            for vals in vals_list
        ]
        move.move_line_ids = [Command.delete(line.id) for line in move.move_line_ids] + [
            Command.create(vals) for vals in lines
        ]

    measure("capture", capture)
    measure("validate", picking.button_validate)
    assert picking.state == "done", picking.state
    assert len(picking.move_line_ids.lot_id) == len(serials)
    return steps


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--sizes", default="100,1000,10000")
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
        "--flows", default=",".join(("plain Odoo", "storq")), help="the flows to run, comma-separated"
    )
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    for index, size in enumerate(sizes):
        # The module's flow first: on a slow database, a timeout leaves its figure measured.
        for label in [flow for flow in ("storq", "plain Odoo") if flow in args.flows.split(",")]:
            runs, started, over = [], time.perf_counter(), ""
            for run in range(args.warmup + args.repeat):
                if runs and args.budget and time.perf_counter() - started > args.budget:
                    over = f"; {len(runs)} of {args.repeat} runs (over the {args.budget:.0f} s budget)"
                    break
                with registry.cursor() as cr:
                    env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                    product, note = bench_products(env, label, big=not args.new_products)
                    steps = receive(env, product, imeis(size, 10 + index))
                    cr.rollback()
                if run >= args.warmup:
                    runs.append(steps)
                elif args.budget and time.perf_counter() - started > args.budget:
                    runs.append(steps)
                    over = f"; 1 run, no warm-up (the warm-up took over the {args.budget:.0f} s budget)"
                    break
                seconds = sum(step[0] for step in steps.values())
                print(f"  {label} run {run + 1}: {seconds:.2f} s", file=sys.stderr, flush=True)
            note += over
            emit_steps("receipt", label, runs, size, note=note)
            add_row(rows, size, label, median_steps(runs))
    print(f"Medians of {args.repeat} runs after {args.warmup} warm-up; {note}.")
    print_table(rows)


if __name__ == "__main__":
    main()
