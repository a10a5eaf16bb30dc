"""What the receipt and delivery benchmarks share: the serials and the two products compared."""

import json
import os
import statistics
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
        ratio = f"{total / plain_totals[size]:.2f}" if label != "plain Odoo" and size in plain_totals else ""
        print(
            f"| {size} | {label} | {steps['capture'][0]:.2f} | {steps['validate'][0]:.2f} "
            f"| {total:.2f} | {queries} | {ratio} |"
        )


def vacuum(registry, force=False):
    """VACUUM ANALYZE the busy tables that autovacuum would clean now, as between two sessions.

    A table qualifies with PostgreSQL's default thresholds (dead rows above 50 + 20 % of the live
    ones: the rolled-back runs leave their rows dead). On a small database that is after every
    run; on a database of a million units it is rarely, which spares a vacuum of its large
    indexes between runs of 1,000 units (`force`: every busy table).
    """
    tables = [name.strip() for name in BUSY_TABLES.split(",")]
    with registry.cursor() as cr:
        if not force:
            cr.execute(
                """
                SELECT relname FROM pg_stat_user_tables
                 WHERE relname = ANY(%s) AND n_dead_tup > 50 + 0.2 * n_live_tup
                """,
                [tables],
            )
            tables = [row[0] for row in cr.fetchall()]
        if not tables:
            return
        cr.commit()
        cr._cnx.autocommit = True
        try:
            cr.execute(f"VACUUM ANALYZE {', '.join(tables)}")
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


def percentile(values, share):
    """The value at `share` (0.95 for p95) of the sorted values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def query_span(counts):
    """Queries of the runs as `emit` takes them: one int when all runs agree, else [min, max]."""
    counts = [int(count) for count in counts]
    return counts[0] if min(counts) == max(counts) else [min(counts), max(counts)]


def median_steps(runs):
    """{step: (median seconds, median queries)} of runs given as {step: (seconds, queries)}."""
    return {
        step: (
            statistics.median(run[step][0] for run in runs),
            int(statistics.median(run[step][1] for run in runs)),
        )
        for step in runs[0]
    }


def emit_steps(bench, flow, runs, size, case_prefix="", note=""):
    """One `emit` per step of runs given as {step: (seconds, queries)}, plus their total."""
    totals = [(sum(s for s, _q in run.values()), sum(q for _s, q in run.values())) for run in runs]
    cases = [(step, [run[step] for run in runs]) for step in runs[0]] + [("total", totals)]
    for step, values in cases:
        emit(
            bench,
            f"{case_prefix}{step}",
            flow,
            [seconds for seconds, _queries in values],
            query_span([queries for _seconds, queries in values]),
            size=size,
            note=note,
        )


def many_units_product(env, minimum=10_000):
    """The serial-controlled product with the most units, if it has at least `minimum`, else None.

    On a database of scripts/benchmark_data.sh this is the phone (35 % of the units): the
    receipt and delivery benchmarks then work on a product with years of units, moves and quants,
    as the issue asks, rather than on a new one.
    """
    env.cr.execute(
        """
        SELECT product_id, count(*) FROM stock_lot WHERE storq_serial_control
         GROUP BY product_id ORDER BY count(*) DESC LIMIT 1
        """
    )
    row = env.cr.fetchone()
    if not row or row[1] < minimum:
        return None, 0
    return env["product.product"].browse(row[0]), row[1]


def as_plain_odoo(env, product):
    """`product` with serial control off, inside the run's transaction (which is rolled back).

    Every override of the module steps aside for a product outside serial control, so this is
    plain Odoo's flow on the same product, units, moves and quants. Written with SQL so that the
    product's existing units keep their own stored flag: nothing else changes.
    """
    env.flush_all()
    env.cr.execute(
        "UPDATE product_template SET storq_serial_control = false WHERE id = %s",
        [product.product_tmpl_id.id],
    )
    env.invalidate_all()
    return product


def bench_products(env, flow, big=True):
    """(product, note) of `flow` ("plain Odoo" or "storq"): the database's product with the
    most units when it has one (`big`) and is not empty, else new benchmark products."""
    product, units = many_units_product(env) if big else (None, 0)
    if product:
        note = f"{product.display_name}, {units:,} units in the database"
        return (as_plain_odoo(env, product) if flow == "plain Odoo" else product), note
    plain, storq = setup_products(env)
    if big:
        configure_like_benchmark_data(env, plain | storq)
        return (plain if flow == "plain Odoo" else storq), "new product, set up as the benchmark data's"
    return (plain if flow == "plain Odoo" else storq), "new product"


def configure_like_benchmark_data(env, products):
    """Give new products the terms of scripts/benchmark_data.sh's products (build_data.py): a
    cost, two vendors, 24 months of warranty from delivery and the vendors' 12 from receipt.

    On an empty database, the benchmark's product then does the same work as the big database's
    product (the warranty of each unit delivered or received, its events), so that "x of the
    empty database" compares the database's size and nothing else.
    """
    from build_data import SUPPLIERS
    from build_data import set_warranty_terms

    vendors = env["res.partner"].create([{"name": name, "is_company": True} for name in SUPPLIERS[:2]])
    products.write({"standard_price": 210.0, "list_price": 399.0})
    products.product_tmpl_id.write(
        {"seller_ids": [Command.create({"partner_id": vendor.id, "price": 210.0}) for vendor in vendors]}
    )
    set_warranty_terms(env, products.ids)
