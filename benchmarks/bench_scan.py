"""Single scan check: one serial scanned into a delivery on a big database, against plain Odoo's nearest.

`python benchmarks/bench_scan.py --database DB [--samples N] [--seed S] -- <odoo args>`, on a
database of scripts/benchmark_data.sh (storq_bench_100000, storq_bench_1000000). In one
transaction, rolled back at the end (the database is left as it was):

- a delivery from the warehouse's stock to a customer, one move per product, confirmed and
  reserved by Odoo (it reserves the oldest units, so nearly every scanned unit takes the place of
  a reserved one: the common case of a picker taking the unit at hand);
- **storq**: `stock.picking.storq_scan(serial, context_product_id=product)` of N random units in
  stock (seeded; not blocked, not on any open transfer), one call per unit, as the scanner's form
  sends it: the ORM cache is emptied before each call as a new request starts, the call's writes
  are flushed inside its time, as the request's end does. Every scan must answer "ok".
- **plain Odoo**: plain Odoo Community has no scanning into a delivery. Its nearest is what the
  delivery's detailed operations do when the picker types a serial: the "Pick From" field
  (`stock.move.line.quant_id`, the field a delivery's detailed operations show for tracked
  products) looks the serial up among the product's quants under the source location
  (`stock.quant.name_search`, which searches the quant's location, lot, package and owner by
  name) and reads the chosen quant (its lot, location, package, owner and available quantity,
  what the line takes from it). That is the lot lookup by name and its quant, the part of a scan
  that grows with the database; it writes nothing, while a storq scan also checks the unit
  against the rulebook, swaps the reservation and writes the line. Same serials, same
  cold-cache rule, run before the storq scans.

Each flow first runs 10 unmeasured warm-up calls (other units), then N measured ones (default
200). Printed: p50, p95, max and queries per call; with $STORQ_BENCH_JSON set, one `emit` row
per flow: bench "scan", case "single scan check", size None, samples = the N call times.
Target of issue 13 at 1,000,000 units: storq p95 <= 50 ms.
"""

from collections import Counter

from bench_common import emit
from bench_requests import TABLE_HEADER
from bench_requests import log
from bench_requests import parse_args
from bench_requests import percentile
from bench_requests import query_range
from bench_requests import start_request
from bench_requests import summary_row
from bench_requests import timed
from bench_requests import user_env

import odoo
from odoo import Command

WARM = 10
PLAIN_QUANT_FIELDS = ["lot_id", "location_id", "package_id", "owner_id", "available_quantity"]


def in_stock_units(env, stock, count, seed):
    """(lot id, serial, product id) of `count` random units in stock under `stock`, not blocked,
    not on any open move line (so that each scan is a unit a picker may take)."""
    cr = env.cr
    cr.execute("SELECT setseed(%s)", [1.0 / seed])
    cr.execute(
        """
        SELECT lot.id, lot.name, lot.product_id
          FROM stock_lot lot
          JOIN stock_location loc ON loc.id = lot.storq_location_id
         WHERE lot.storq_state = 'in_stock' AND lot.storq_blocked IS NOT TRUE
           AND lot.storq_serial_control
           AND loc.parent_path LIKE %s
           AND (lot.company_id IS NULL OR lot.company_id = %s)
           AND NOT EXISTS (SELECT 1 FROM stock_move_line ml
                            WHERE ml.lot_id = lot.id AND ml.state NOT IN ('done', 'cancel'))
         ORDER BY random()
         LIMIT %s
        """,
        [stock.parent_path + "%", env.company.id, count],
    )
    return cr.fetchall()


def open_delivery(env, warehouse, units):
    """A delivery to a customer of the units' products (one move per product), confirmed and
    reserved by Odoo."""
    per_product = Counter(product_id for _lot, _name, product_id in units)
    picking_type = warehouse.out_type_id
    source = warehouse.lot_stock_id
    destination = env.ref("stock.stock_location_customers")
    customer = env["res.partner"].search([("customer_rank", ">", 0)], limit=1) or env.company.partner_id
    products = env["product.product"].browse(per_product)
    picking = env["stock.picking"].create(
        {
            "picking_type_id": picking_type.id,
            "partner_id": customer.id,
            "location_id": source.id,
            "location_dest_id": destination.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": per_product[product.id],
                        "location_id": source.id,
                        "location_dest_id": destination.id,
                    }
                )
                for product in products
            ],
        }
    )
    picking.action_confirm()
    picking.action_assign()
    env.flush_all()
    return picking


def storq_scan(env, picking_id, serial, product_id):
    answer = env["stock.picking"].browse(picking_id).storq_scan(serial, context_product_id=product_id)
    return answer["status"] if answer["status"] == "ok" else f"{answer['status']}: {answer['message']}"


def plain_pick_from(env, source_id, serial, product_id):
    """What typing the serial into a delivery line's "Pick From" does in plain Odoo."""
    Quant = env["stock.quant"]
    found = Quant.name_search(
        serial, [("product_id", "=", product_id), ("location_id", "child_of", source_id)], "ilike", 8
    )
    if not found:
        return "not found"
    Quant.browse(found[0][0]).read(PLAIN_QUANT_FIELDS)
    return "found" if len(found) == 1 else "several found"


def run(env, function, calls):
    """Each call in its own cold request: (seconds, queries, outcomes)."""
    times, queries, outcomes = [], [], Counter()
    for args in calls:
        start_request(env)
        outcome, seconds, count = timed(env, function, env, *args)
        times.append(seconds)
        queries.append(count)
        outcomes[outcome] += 1
    return times, queries, outcomes


def main():
    args = parse_args(__doc__, samples=200)
    registry = odoo.modules.registry.Registry(args.database)
    with registry.cursor() as cr:
        env = user_env(cr)
        cr.execute("SELECT count(*) FROM stock_lot")
        total = cr.fetchone()[0]
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        units = in_stock_units(env, warehouse.lot_stock_id, WARM + args.samples, args.seed)
        if len(units) < WARM + args.samples:
            raise SystemExit(f"only {len(units)} units in stock to scan, {WARM + args.samples} needed")
        picking = open_delivery(env, warehouse, units)
        reserved = len(picking.move_line_ids)
        log(f"{total:,} units; delivery {picking.name} of {len(units)} units, {reserved} reserved")
        source_id = warehouse.lot_stock_id.id
        rows = []
        plain_calls = [(source_id, name, product_id) for _lot, name, product_id in units]
        run(env, plain_pick_from, plain_calls[:WARM])
        rows.append(("plain Odoo", *run(env, plain_pick_from, plain_calls[WARM:])))
        storq_calls = [(picking.id, name, product_id) for _lot, name, product_id in units]
        run(env, storq_scan, storq_calls[:WARM])
        rows.append(("storq", *run(env, storq_scan, storq_calls[WARM:])))
        cr.rollback()

    note = f"{total:,} units in the database; {args.samples} random units in stock"
    print(f"Single scan check. Database: {note}, each scan in its own request.")
    print(TABLE_HEADER)
    for flow, times, queries, outcomes in rows:
        label = "storq_scan into a delivery" if flow == "storq" else "plain Odoo: Pick From lookup"
        print(summary_row(label, times, queries, ", ".join(f"{k} {v}" for k, v in outcomes.most_common())))
        emit("scan", "single scan check", flow, times, query_range(queries), note=note)
    storq = rows[1]
    failed = {outcome: n for outcome, n in storq[3].items() if outcome != "ok"}
    if failed:
        raise SystemExit(f"scans not answered ok: {failed}")
    log(f"storq p95 {percentile(storq[1], 0.95) * 1000:.1f} ms (target 50 ms at 1,000,000 units)")


if __name__ == "__main__":
    main()
