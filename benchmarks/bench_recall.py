"""Recall preview and confirmation of a serial range, side by side with plain Odoo's nearest path.

Run through scripts/benchmark.sh --recall, on a database built by scripts/benchmark_data.sh
(STORQ_BENCH_DB, default storq_bench_1000000). The range is N consecutive serials (IMEIs) of
the product with the most units, taken from the middle of its serials, so that it holds N
units received, delivered, returned and in stock over three years.
- storq preview: a draft recall of that product and range, `action_preview()` (units counted
  by situation, per location and per customer, and the range's never-received serials);
- plain Odoo select: what a user does without the module to know the same: the serial numbers
  list filtered on the product and the serial between the two bounds (`stock.lot` search),
  then the moves history of those units to customers, read with their partner (export of
  `stock.move.line`), keeping each unit's last delivery: the units per customer;
- storq confirm: `action_confirm()`, then the scheduled job's batches (`_cron_confirm_batches`,
  as Odoo's cron runner calls it) until the recall is confirmed: every unit gets its recall
  line, its "recalled" and "blocked" events, is blocked, and loses its reservations. Plain
  Odoo has no blocking of units: there is no native side. The batches run in one transaction,
  rolled back at the end (the cron commits after each), once.
Previews and selections: median of --repeat runs after one warm run, each rolled back.
`--size auto` takes a tenth of the database's units (100,000 among 1,000,000). With
STORQ_BENCH_JSON set, each case goes to `emit` (bench "recall"; the preview and plain Odoo's
selection share their case, so that the report gives their ratio).
"""

import argparse
import resource
import statistics
import sys
import time
from collections import Counter

from bench_common import emit
from bench_common import query_span

import odoo
from odoo import api

PRODUCT = "Bench phone P9"


def measure(env, function):
    env.flush_all()
    queries, start = env.cr.sql_log_count, time.perf_counter()
    result = function()
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - queries, result


def range_bounds(env, product, size):
    """The first and last serial of `size` consecutive units from the middle of the product's."""
    env.cr.execute("SELECT count(*) FROM stock_lot WHERE product_id = %s", [product.id])
    total = env.cr.fetchone()[0]
    if total < size:
        sys.exit(f"{product.display_name} has {total} units, fewer than the range of {size}: build more.")
    offset = (total - size) // 2
    bounds = []
    for position in (offset, offset + size - 1):
        env.cr.execute(
            "SELECT name FROM stock_lot WHERE product_id = %s ORDER BY name OFFSET %s LIMIT 1",
            [product.id, position],
        )
        bounds.append(env.cr.fetchone()[0])
    return bounds


def draft_recall(env, product, first, last):
    return env["storq.recall"].create(
        {
            "title": "Benchmark recall",
            "product_ids": [(6, 0, product.ids)],
            "range_ids": [(0, 0, {"serial_from": first, "serial_to": last, "product_id": product.id})],
        }
    )


def storq_preview(env, product_id, first, last):
    product = env["product.product"].browse(product_id)
    recall = draft_recall(env, product, first, last)
    env.invalidate_all()
    seconds, queries, _result = measure(env, recall.action_preview)
    return seconds, queries, recall.preview_count


def plain_select(env, product_id, first, last):
    """The units of the range and, for those at customers, who has each: plain Odoo's way."""
    product = env["product.product"].browse(product_id)

    def select():
        lots = env["stock.lot"].search(
            [("product_id", "=", product.id), ("name", ">=", first), ("name", "<=", last)]
        )
        lines = env["stock.move.line"].search_read(
            [("lot_id", "in", lots.ids), ("state", "=", "done"), ("location_dest_id.usage", "=", "customer")],
            ["lot_id", "picking_partner_id", "date"],
            order="date, id",
        )
        last_partner = {line["lot_id"][0]: line["picking_partner_id"] for line in lines}
        return len(lots), Counter(partner and partner[0] for partner in last_partner.values())

    env.invalidate_all()
    seconds, queries, (count, _per_customer) = measure(env, select)
    return seconds, queries, count


def repeat(registry, function, runs, *args, emit_as=None):
    """(median seconds, queries of a run, units) over `runs` runs after a warm one, rolled back;
    `emit_as` (bench, case, flow, size) emits the runs."""
    results = []
    for _run in range(runs + 1):
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            results.append(function(env, *args))
            cr.rollback()
    results = results[1:]
    if emit_as:
        bench, case, flow, size = emit_as
        emit(bench, case, flow, [r[0] for r in results], query_span([r[1] for r in results]), size=size)
    return statistics.median(r[0] for r in results), results[-1][1], results[-1][2]


def storq_notify(env, recall):
    """Notify the confirmed recall's customers as a user and the cron do: `action_notify()`
    (one request: queues a notice per customer), then `_cron_send_notices` batches (each one a
    cron transaction) until none is queued. Prints time per batch, the largest transaction,
    and the mails created."""
    # The builder's customers have no email: give them one (rolled back) so that notices are mailed.
    env.cr.execute(
        "UPDATE res_partner SET email = 'bench-' || id || '@example.com'"
        " WHERE name LIKE 'Bench customer %%' AND email IS NULL"
    )
    env.invalidate_all()
    mails_before = env["mail.mail"].search_count([("model", "=", "storq.recall.notice")])
    queue_seconds, queue_queries, _action = measure(env, recall.action_notify)
    notices = env["storq.recall.notice"].search_count([("recall_id", "=", recall.id)])
    batches = []
    start = time.perf_counter()
    while True:
        env.invalidate_all()
        seconds, queries, remaining = measure(env, env["storq.recall"]._cron_send_notices)
        batches.append((seconds, queries))
        if not remaining:
            break
    total = time.perf_counter() - start
    mails = env["mail.mail"].search_count([("model", "=", "storq.recall.notice")]) - mails_before
    states = Counter(env["storq.recall.notice"].search([("recall_id", "=", recall.id)]).mapped("state"))
    times = [seconds for seconds, _queries in batches]
    print(
        f"NOTIFY customers={notices} queue_request={queue_seconds:.2f}s/{queue_queries}q "
        f"batches={len(batches)} total={total:.1f}s median_batch={statistics.median(times):.2f}s "
        f"largest_batch={max(times):.2f}s queries_per_batch_max={max(q for _s, q in batches)} "
        f"mails_created={mails} states={dict(states)}"
    )


def storq_confirm(registry, product_id, first, last, notify=False):
    """Confirm once, batches as the cron runs them, rolled back; (seconds, queries, units, batches)."""
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        product = env["product.product"].browse(product_id)
        recall = draft_recall(env, product, first, last)
        recall.action_preview()
        env.invalidate_all()
        batches = []

        def confirm():
            recall.action_confirm()
            while recall.state == "confirming":
                start = time.perf_counter()
                env["storq.recall"]._cron_confirm_batches()
                env.flush_all()
                batches.append(time.perf_counter() - start)
            return recall.unit_done

        seconds, queries, done = measure(env, confirm)
        assert recall.state == "confirmed", recall.state
        if notify:
            storq_notify(env, recall)
        cr.rollback()
    if batches:
        print(
            f"confirm batches: {len(batches)}, median {statistics.median(batches):.2f} s, "
            f"largest {max(batches):.2f} s",
            file=sys.stderr,
        )
    return seconds, queries, done, len(batches)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--size", default="100000", help="units in the recalled range, or auto")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-confirm", action="store_true")
    parser.add_argument("--confirm-only", action="store_true", help="skip the previews and selections")
    parser.add_argument("--notify", action="store_true", help="after confirming, notify the customers")
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        product = env["product.product"].search([("name", "=", PRODUCT)], limit=1)
        if not product:
            sys.exit(f"No product {PRODUCT!r}: build the database with scripts/benchmark_data.sh first.")
        env.cr.execute("SELECT count(*) FROM stock_lot")
        units = env.cr.fetchone()[0]
        args.size = max(1, units // 10) if args.size == "auto" else int(args.size)
        first, last = range_bounds(env, product, args.size)
    print(f"{units} units in the database; range {first}..{last}", file=sys.stderr)

    rows = []
    product_id = product.id
    preview = plain = (0, 0, 0)
    if not args.confirm_only:
        case = f"preview: units of a range and their customers, {args.size:,} units"
        emit_as = ("recall", case, "storq", args.size)
        preview = repeat(registry, storq_preview, args.repeat, product_id, first, last, emit_as=emit_as)
        rows.append((f"preview of {args.size:,} units", "storq", *preview))
        emit_as = ("recall", case, "plain Odoo", args.size)
        plain = repeat(registry, plain_select, args.repeat, product_id, first, last, emit_as=emit_as)
        rows.append((f"select {args.size:,} units and their customers", "plain Odoo", *plain))
    for row in rows:
        print(row, file=sys.stderr)
    if not args.no_confirm:
        seconds, queries, done, batches = storq_confirm(registry, product_id, first, last, args.notify)
        rows.append((f"confirm {args.size:,} units ({batches} batches)", "storq", seconds, queries, done))
        note = f"once, {batches} batches as the cron runs them, rolled back"
        emit("recall", f"confirm {args.size:,} units", "storq", [seconds], queries, size=args.size, note=note)
        print(rows[-1], file=sys.stderr)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"Database: {units:,} units. Peak memory of the benchmark process: {peak:.0f} MB.")
    print("| operation | flow | median s | queries | units | ratio storq/plain |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for operation, flow, seconds, queries, count in rows:
        ratio = f"{preview[0] / plain[0]:.2f}" if flow == "storq" and operation.startswith("preview") else ""
        print(f"| {operation} | {flow} | {seconds:.3f} | {queries} | {count} | {ratio} |")


if __name__ == "__main__":
    main()
