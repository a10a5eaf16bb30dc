"""Profile the validation (`button_validate`) of a receipt or a delivery of N serials.

Not a benchmark (no plain Odoo side, one run): a development tool to see where validation
spends its time. Runs bench_receipt's / bench_delivery's flow up to the validation, then
validates under cProfile and prints the time, the SQL queries and the top functions.
`--step capture` measures the capture of the serials instead (the import of a receipt's
serials, the picking of a delivery's); `--without-index NAME` drops an index first, to see
what it costs. Each run is rolled back.

    PYTHONPATH=$ODOO_PATH python benchmarks/profile_validate.py --database DB --flow receipt \
        --size 10000 [--plain] [--big] [--step capture] [--without-index NAME] \
        [--sort cumulative] [--out FILE.prof] -- <odoo args>
"""

import argparse
import cProfile
import io
import pstats
import re
import time
from collections import defaultdict

import bench_delivery
import bench_receipt
from bench_common import analyze
from bench_common import bench_products
from bench_common import confirmed_receipt
from bench_common import imeis
from bench_common import setup_products
from bench_common import vacuum

import odoo
from odoo import Command
from odoo import api


def prepare_receipt(env, product, size):
    """The confirmed receipt, and its capture: the serials' move lines, as bench_receipt imports them."""
    picking = confirmed_receipt(env, product, size)
    move = picking.move_ids
    context = {
        "default_product_id": product.id,
        "default_tracking": "serial",
        "default_location_dest_id": picking.location_dest_id.id,
        "default_location_id": picking.location_id.id,
        "default_picking_id": picking.id,
        "default_move_id": move.id,
        "default_picking_type_id": picking.picking_type_id.id,
        "default_company_id": env.company.id,
    }
    vals_list = env["stock.move"].action_generate_lot_line_vals(
        context, "import", False, 0, "\n".join(imeis(size, 10))
    )
    lines = [
        {key: value["id"] if isinstance(value, dict) else value for key, value in vals.items()}
        for vals in vals_list
    ]

    def capture():
        move.move_line_ids = [Command.delete(line.id) for line in move.move_line_ids] + [
            Command.create(vals) for vals in lines
        ]

    return picking, capture


def prepare_delivery(env, product, size):
    """The confirmed delivery, and its capture: the serials picked, as bench_delivery does."""
    warehouse = env.ref("stock.warehouse0")
    lots = bench_delivery.stock_units(env, product, imeis(2 * size, 10), warehouse.lot_stock_id)
    customer = env["res.partner"].create({"name": f"Profile customer {product.name}"})
    order = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "order_line": [Command.create({"product_id": product.id, "product_uom_qty": size})],
        }
    )
    order.action_confirm()
    picking = order.picking_ids
    # On a database with the product's older units in stock, those are reserved rather than ours.
    chosen = (lots - picking.move_line_ids.lot_id)[-size:]
    names = chosen.mapped("name")

    def capture():
        if product.storq_serial_control:
            verdicts = picking.storq_pick_serials(names, apply=True)
            assert all(verdict["applied"] for verdict in verdicts), verdicts[:3]
        else:
            lines = picking.move_line_ids.sorted("id")
            picking.move_ids.write(
                {
                    "move_line_ids": [
                        Command.update(line.id, {"lot_id": lot.id, "quantity": 1, "picked": True})
                        for line, lot in zip(lines, chosen)
                    ]
                }
            )

    return picking, capture


class SqlTimes:
    """Time spent in each kind of SQL statement (its text up to the first value), while on."""

    def __init__(self):
        self.on = False
        self.times = defaultdict(lambda: [0, 0.0])
        original = odoo.sql_db.Cursor.execute
        recorder = self

        def execute(cursor, query, params=None, log_exceptions=True):
            if not recorder.on:
                return original(cursor, query, params, log_exceptions)
            start = time.perf_counter()
            try:
                return original(cursor, query, params, log_exceptions)
            finally:
                text = query.code if hasattr(query, "code") else str(query)
                key = re.sub(r"\s+", " ", text)
                # an UPDATE by its columns, anything else by its beginning
                if "UPDATE" in key[:12]:
                    key = re.sub(r'"__tmp"\."\w+"(::\w+)?', "", key.split(" FROM ")[0])[:400]
                else:
                    key = key[:150]
                entry = recorder.times[key]
                entry[0] += 1
                entry[1] += time.perf_counter() - start

        odoo.sql_db.Cursor.execute = execute

    def report(self, limit=25):
        rows = sorted(self.times.items(), key=lambda item: -item[1][1])[:limit]
        total = sum(seconds for _count, seconds in self.times.values())
        lines = [f"SQL: {total:.2f} s in {sum(c for c, _s in self.times.values())} statements"]
        lines += [f"{seconds:8.3f} s {count:6d}x  {key}" for key, (count, seconds) in rows]
        return "\n".join(lines)


def drop_indexes(cr, names):
    """Drop the indexes inside the current transaction (DDL is transactional in PostgreSQL)."""
    for name in names:
        cr.execute("SELECT conrelid::regclass::text FROM pg_constraint WHERE conname = %s", [name])
        owner = cr.fetchone()
        if owner:
            cr.execute(f'ALTER TABLE "{owner[0]}" DROP CONSTRAINT "{name}"')
        else:
            cr.execute(f'DROP INDEX "{name}"')
        print(f"without {name}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--flow", choices=("receipt", "delivery"), default="receipt")
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--plain", action="store_true", help="the plain Odoo product")
    parser.add_argument(
        "--big",
        action="store_true",
        help="the database's product with the most units (scripts/benchmark_data.sh), as the "
        "benchmarks take it, rather than a new one",
    )
    parser.add_argument(
        "--step",
        choices=("validate", "capture"),
        default="validate",
        help="what to measure: the validation (after the capture), or the capture of the serials",
    )
    parser.add_argument("--no-profile", action="store_true", help="time only")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("--out", help="also dump the profile there")
    parser.add_argument(
        "--vacuum",
        action="store_true",
        help="VACUUM ANALYZE the busy tables first, as bench_delivery does (not on a shared database)",
    )
    parser.add_argument(
        "--without-index",
        action="append",
        default=[],
        metavar="NAME",
        help="validate without this index (or the constraint owning it), dropped in the "
        "rolled-back transaction: what an index costs the validation",
    )
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    assert bench_receipt  # imported for its path setup alongside bench_delivery
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    sql = SqlTimes()
    if args.vacuum:
        vacuum(registry)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        if args.big:
            product, note = bench_products(env, "plain Odoo" if args.plain else "storq")
            print(f"product: {note}")
        else:
            plain, storq = setup_products(env)
            product = plain if args.plain else storq
        prepare = prepare_receipt if args.flow == "receipt" else prepare_delivery
        picking, capture = prepare(env, product, args.size)
        if args.step == "validate":
            capture()
        analyze(env)
        env.flush_all()
        drop_indexes(cr, args.without_index)
        env.invalidate_all()
        profile = None if args.no_profile else cProfile.Profile()
        sql.on = True
        queries, start, cpu = cr.sql_log_count, time.perf_counter(), time.process_time()
        if profile:
            profile.enable()
        (capture if args.step == "capture" else picking.button_validate)()
        env.flush_all()
        if profile:
            profile.disable()
        elapsed, queries = time.perf_counter() - start, cr.sql_log_count - queries
        cpu = time.process_time() - cpu
        sql.on = False
        if args.step == "validate":
            assert picking.state == "done", picking.state
        cr.rollback()
    print(
        f"{args.flow} {args.step} {args.size} {'plain' if args.plain else 'storq'}: {elapsed:.2f} s "
        f"(Python CPU {cpu:.2f} s), {queries} queries"
    )
    print(sql.report())
    if profile:
        if args.out:
            profile.dump_stats(args.out)
        stream = io.StringIO()
        pstats.Stats(profile, stream=stream).sort_stats(args.sort).print_stats(args.limit)
        print(stream.getvalue())


if __name__ == "__main__":
    main()
