"""Generate Serials on a receipt, and one unit's creation among 100 or 1,000,000 units of its product.

Run through scripts/benchmark.sh --units. Products as in the other benchmarks: "plain Odoo" (tracked
by serial, not under serial control: Odoo's own flow) and "storq" (under serial control, with an
IMEI format rule), in the same database and the same run.
- generate: a confirmed receipt of N units (Odoo makes one line per unit), then Odoo's Generate
  Serials (`stock.move._generate_serial_numbers`) of N serials from a first one; each run rolled back.
- create one: `stock.lot.create` of one serial (with its checks: format, product codes, duplicates,
  likely typos), among E existing units of the product: the next serial of their numbered range.
  The existing units are written with batched `INSERT ... SELECT generate_series` (a numbered
  range, as serials usually are) into
  products kept in the database between runs (named "Bench units <flow> <E>"), then analysed;
  each creation is rolled back.
Medians of --repeat runs (seconds) and the queries of one run.

`--on-data` (what `scripts/benchmark.sh --all` runs) writes nothing to the database: Generate
Serials on new products, and the single creation among the units of the database's product with
the most units (plain Odoo: the same product with its serial control switched off inside the
run's transaction), each run rolled back. With STORQ_BENCH_JSON set, every run goes to `emit`.
"""

import argparse
import statistics
import sys
import time

from bench_common import as_plain_odoo
from bench_common import confirmed_receipt
from bench_common import emit
from bench_common import imeis
from bench_common import many_units_product
from bench_common import query_span
from bench_common import setup_products
from bench_common import vacuum

import odoo
from odoo import api

INSERT_BATCH = 100_000


def units_product(env, flow, existing, rule):
    """The product of `flow` with `existing` units, made (and committed) the first time."""
    name = f"Bench units {flow} {existing}"
    product = env["product.product"].search([("name", "=", name)], limit=1)
    if product:
        return product
    vals = {"name": name, "type": "consu", "is_storable": True, "tracking": "serial"}
    if flow == "storq":
        vals.update(storq_serial_control=True, storq_serial_format_id=rule.id)
    product = env["product.product"].create(vals)
    env.flush_all()
    started = time.perf_counter()
    for offset in range(0, existing, INSERT_BATCH):
        # 15-digit numbered serials; their check digits are not computed (setup, not checked).
        env.cr.execute(
            """
            INSERT INTO stock_lot (name, product_id, storq_serial_control, storq_serial_unique_company_wide,
                                   create_uid, create_date, write_uid, write_date)
            SELECT '3599' || lpad(n::text, 10, '0') || (n %% 10)::text, %s, %s, false,
                   1, now() at time zone 'utc', 1, now() at time zone 'utc'
              FROM generate_series(%s, %s) AS n
            """,
            [product.id, flow == "storq", offset, min(offset + INSERT_BATCH, existing) - 1],
        )
    env.cr.commit()
    print(f"  {existing} units of {name} written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return product


def rule_record(env):
    rule = env["storq.serial.format"].search([("name", "=", "Benchmark units IMEI")], limit=1)
    return rule or env["storq.serial.format"].create(
        {
            "name": "Benchmark units IMEI",
            "charset": "digits",
            "min_length": 15,
            "max_length": 15,
            "check_digit": "luhn",
            "example": "490154203237518",
        }
    )


def measure(env, function):
    env.flush_all()
    queries, start = env.cr.sql_log_count, time.perf_counter()
    function()
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - queries


def generate_once(env, product, count, first):
    picking = confirmed_receipt(env, product, count)
    move = picking.move_ids
    assert len(move.move_line_ids) == count, len(move.move_line_ids)
    env.flush_all()
    env.invalidate_all()
    result = measure(env, lambda: move._generate_serial_numbers(first, count))
    assert len(move.move_line_ids.filtered("lot_name")) == count
    return result


def create_once(env, product, serial):
    env.invalidate_all()
    _ = product.storq_serial_control  # in cache in any request that has the product
    return measure(env, lambda: env["stock.lot"].create({"product_id": product.id, "name": serial}))


def next_serials(existing, count):
    """The serials that continue the product's numbered range, with a valid Luhn check digit."""
    from odoo.addons.storq_serials.tools.check_digits import compute_check_digit

    bodies = [f"3599{n:010d}" for n in range(existing + 1, existing + 1 + count)]
    return [body + compute_check_digit("luhn", body) for body in bodies]


def emit_results(case, flow, results, size, note=""):
    bench = "generate" if case.startswith("Generate") else "unit_create"
    samples = [seconds for seconds, _queries in results]
    emit(bench, case, flow, samples, query_span([q for _s, q in results]), size=size, note=note)


def on_data(registry, args):
    """Generate Serials on new products, and one creation among the units of the database."""
    rows = []
    for flow in ("plain Odoo", "storq"):
        results = []
        for run in range(args.repeat + 1):
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                plain, storq = setup_products(env)
                product = plain if flow == "plain Odoo" else storq
                result = generate_once(env, product, args.generate, imeis(1, 60 + run)[0])
                cr.rollback()
            if run:
                results.append(result)
        operation = f"Generate Serials, {args.generate} serials"
        emit_results(operation, flow, results, args.generate)
        rows.append((operation, flow, *summary(results)))
        print(rows[-1], file=sys.stderr)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        product, units = many_units_product(env, minimum=1)
        product_id = product.id if product else None
        name = product.display_name if product else ""
    if not product_id:
        return rows
    for flow in ("plain Odoo", "storq"):
        results = []
        # IMEIs of a prefix the benchmark data does not use (its largest product, the phone, has an
        # IMEI rule); the first run warms the caches.
        serials = imeis(args.repeat + 1, 77)
        for run, serial in enumerate(serials):
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                product = env["product.product"].browse(product_id)
                if flow == "plain Odoo":
                    as_plain_odoo(env, product)
                result = create_once(env, product, serial)
                cr.rollback()
            if run:
                results.append(result)
        operation = f"create one unit among {units:,}"
        emit_results(operation, flow, results, None, note=name)
        rows.append((operation, flow, *summary(results)))
        print(rows[-1], file=sys.stderr)
    return rows


def summary(results):
    seconds = statistics.median(result[0] for result in results)
    queries = statistics.median(result[1] for result in results)
    return seconds, int(queries)


def committed_products(registry, args, flows):
    """Products with E units each, kept in the database between runs (committed)."""
    rows = []

    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        rule = rule_record(env)
        cr.commit()
        kinds = {"plain Odoo": "plain", "storq": "storq"}
        products = {
            (flow, existing): units_product(env, kinds[flow], existing, rule).id
            for existing in [int(size) for size in args.existing.split(",")]
            for flow in flows
        }
    vacuum(registry)

    # Generate Serials: products without units (those of the smallest catalogue).
    smallest = min(existing for _flow, existing in products)
    for flow in flows:
        results = []
        for run in range(args.repeat):
            with registry.cursor() as cr:
                env = api.Environment(cr, odoo.SUPERUSER_ID, {})
                product = env["product.product"].browse(products[(flow, smallest)])
                results.append(generate_once(env, product, args.generate, imeis(1, 60 + run)[0]))
                cr.rollback()
        emit_results(f"Generate Serials, {args.generate} serials", flow, results, args.generate)
        rows.append((f"Generate Serials, {args.generate} serials", flow, *summary(results)))
        print(rows[-1], file=sys.stderr)

    for (flow, existing), product_id in sorted(products.items(), key=lambda item: (item[0][1], item[0][0])):
        results = []
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {})
            product = env["product.product"].browse(product_id)
            warm, *serials = next_serials(existing, args.repeat + 1)
            create_once(env, product, warm)  # warm the caches
            cr.rollback()
            for serial in serials:
                results.append(create_once(env, product, serial))
                cr.rollback()
        emit_results(f"create one unit among {existing:,}", flow, results, None)
        rows.append((f"create one unit among {existing:,}", flow, *summary(results)))
        print(rows[-1], file=sys.stderr)

    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--generate", type=int, default=1000, help="serials generated on the receipt")
    parser.add_argument("--existing", default="100,1000000", help="existing units for the single creation")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--on-data", action="store_true", help="write nothing: see the docstring")
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    flows = ("plain Odoo", "storq")
    rows = on_data(registry, args) if args.on_data else committed_products(registry, args, flows)

    print("| operation | flow | median s | queries | ratio storq/plain |")
    print("| --- | --- | ---: | ---: | ---: |")
    plain = {operation: seconds for operation, flow, seconds, _q in rows if flow == "plain Odoo"}
    for operation, flow, seconds, queries in rows:
        ratio = f"{seconds / plain[operation]:.2f}" if flow != "plain Odoo" else ""
        print(f"| {operation} | {flow} | {seconds:.4f} | {queries} | {ratio} |")


if __name__ == "__main__":
    main()
