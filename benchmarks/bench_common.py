"""What the receipt and delivery benchmarks share: the serials and the two products compared."""

import json
import os
import sys

from odoo import Command

# The tables the flows search, whose dead rows (every run is rolled back) and missing statistics
# (the setup writes thousands of rows just before timing) would otherwise mislead the planner.
BUSY_TABLES = "stock_quant, stock_lot, stock_move, stock_move_line"


def imeis(count, start):
    from odoo.addons.storq_serials.tools.check_digits import compute_check_digit

    bodies = [f"35{start:02d}{n:010d}" for n in range(count)]
    return [body + compute_check_digit("luhn", body) for body in bodies]


def setup_products(env):
    rule = env["storq.serial.format"].create(
        {
            "name": "Benchmark IMEI",
            "charset": "digits",
            "min_length": 15,
            "max_length": 15,
            "check_digit": "luhn",
            "example": "490154203237518",
        }
    )
    plain = env["product.product"].create(
        {"name": "Bench plain", "type": "consu", "is_storable": True, "tracking": "serial"}
    )
    storq = env["product.product"].create(
        {
            "name": "Bench storq",
            "type": "consu",
            "storq_serial_control": True,
            "storq_serial_format_id": rule.id,
        }
    )
    return plain, storq


def add_row(rows, size, label, steps):
    """Record one run's {step: (seconds, queries)} in `rows` and report it on stderr."""
    total = sum(seconds for seconds, _queries in steps.values())
    queries = sum(count for _seconds, count in steps.values())
    rows.append((size, label, steps, total, queries))
    print(f"{size:>6} {label:<11} {total:8.2f} s {queries:>7} queries", file=sys.stderr)


def print_table(rows):
    """The Markdown table of docs/benchmarks.md, each flow's ratio against plain Odoo's."""
    print("| serials | flow | capture s | validate s | total s | queries | ratio storq/plain |")
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    plain_totals = {size: total for size, label, _s, total, _q in rows if label == "plain Odoo"}
    for size, label, steps, total, queries in rows:
        ratio = f"{total / plain_totals[size]:.2f}" if label != "plain Odoo" else ""
        print(
            f"| {size} | {label} | {steps['capture'][0]:.2f} | {steps['validate'][0]:.2f} "
            f"| {total:.2f} | {queries} | {ratio} |"
        )


def vacuum(registry):
    """VACUUM ANALYZE the busy tables, as autovacuum would between two real working sessions."""
    with registry.cursor() as cr:
        cr.commit()
        cr._cnx.autocommit = True
        try:
            cr.execute(f"VACUUM ANALYZE {BUSY_TABLES}")
        finally:
            cr._cnx.autocommit = False


def analyze(env):
    """ANALYZE the busy tables inside the run's transaction, so that its own new rows count."""
    env.flush_all()
    env.cr.execute(f"ANALYZE {BUSY_TABLES}")


def confirmed_receipt(env, product, count):
    """A confirmed receipt of `count` units of `product` from the vendor into WH/Stock."""
    picking_type = env.ref("stock.picking_type_in")
    source = env.ref("stock.stock_location_suppliers")
    destination = picking_type.default_location_dest_id
    picking = env["stock.picking"].create(
        {
            "picking_type_id": picking_type.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": count,
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    }
                )
            ],
        }
    )
    picking.action_confirm()
    return picking


def emit(bench, case, flow, samples, queries, size=None, note=""):
    """Append one measured case to the JSON-lines file $STORQ_BENCH_JSON, when it is set.

    `scripts/benchmark.sh --all` sets it and turns the lines into the tables of docs/benchmarks.md:
    `samples` are the warm runs' seconds (median and p95 are computed there), `queries` one run's
    SQL queries (an int, or [min, max] when runs differ), `flow` "storq" or "plain Odoo" (the
    ratio pairs them by bench, case and size).
    """
    path = os.environ.get("STORQ_BENCH_JSON")
    if not path:
        return
    row = {
        "bench": bench,
        "case": case,
        "flow": flow,
        "size": size,
        "samples": [round(seconds, 6) for seconds in samples],
        "queries": queries,
        "note": note,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row) + "\n")
