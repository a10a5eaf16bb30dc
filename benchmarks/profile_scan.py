"""Profile single scans (`stock.picking.storq_scan`) as bench_scan.py measures them.

Not a benchmark: a development tool to see where a scan spends its time. Builds bench_scan's
reserved delivery, runs its warm-up scans, then scans N more units, each from a cold cache,
and prints every query of each scan with its time (the slowest ones with their EXPLAIN
ANALYZE, run afterwards in a savepoint), and a cProfile of all the measured scans. Rolled back.

    PYTHONPATH=$ODOO_PATH python benchmarks/profile_scan.py --database DB [--samples 5] \
        [--explain 3] [--sort cumulative] -- <odoo args>
"""

import argparse
import cProfile
import io
import pstats
import threading
import time
import traceback

import bench_scan
from bench_requests import start_request
from bench_requests import user_env

import odoo


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--explain", type=int, default=3, help="EXPLAIN ANALYZE the N slowest queries")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--stacks", action="store_true", help="print where each query comes from")
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = user_env(cr)
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        units = bench_scan.in_stock_units(
            env, warehouse.lot_stock_id, bench_scan.WARM + args.samples, args.seed
        )
        picking = bench_scan.open_delivery(env, warehouse, units)
        calls = [(picking.id, name, product_id) for _lot, name, product_id in units]
        for call in calls[: bench_scan.WARM]:
            start_request(env)
            bench_scan.storq_scan(env, *call)
        env.flush_all()
        logged = []

        def hook(cursor, query, params, start, delay):
            where = ""
            if args.stacks:
                frames = [
                    f
                    for f in traceback.extract_stack()[:-2]
                    if "/addons/" in f.filename or "storq_serials" in f.filename
                ]
                where = " <- " + " < ".join(
                    f"{f.filename.split('/')[-1]}:{f.lineno}:{f.name}" for f in frames[::-1][:4]
                )
            logged.append((delay, cursor.mogrify(query, params).decode() + where))

        thread = threading.current_thread()
        thread.query_hooks = [hook]
        profile = cProfile.Profile()
        slow = []
        for call in calls[bench_scan.WARM :]:
            start_request(env)
            logged.clear()
            begin = time.perf_counter()
            profile.enable()
            outcome = bench_scan.storq_scan(env, *call)
            env.flush_all()
            profile.disable()
            total = time.perf_counter() - begin
            print(f"\n== scan {call[1]}: {outcome}, {total * 1000:.1f} ms, {len(logged)} queries")
            for delay, query in logged:
                text, _sep, where = query.partition(" <- ")
                print(
                    f"{delay * 1000:7.2f} ms  {' '.join(text.split())[:140]}"
                    + (f"\n             <- {where}" if where else "")
                )
            slow += logged
        thread.query_hooks = []
        slow.sort(reverse=True)
        for delay, query in slow[: args.explain]:
            query = query.partition(" <- ")[0]
            if not query.lstrip().upper().startswith(("SELECT", "UPDATE", "INSERT", "DELETE")):
                continue
            cr.execute("SAVEPOINT explain")
            cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
            plan = "\n".join(row[0] for row in cr.fetchall())
            cr.execute("ROLLBACK TO SAVEPOINT explain")
            print(f"\n== EXPLAIN ANALYZE ({delay * 1000:.2f} ms when run): {query[:300]}\n{plan}")
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(40)
        print(out.getvalue())
        cr.rollback()


if __name__ == "__main__":
    main()
