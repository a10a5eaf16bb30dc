"""Two scanners taking the same unit at once: the race scripts/load_test.sh found, played
deterministically with two real transactions.

    PYTHONPATH=$ODOO_PATH python benchmarks/race_scan.py --database COPY [--rounds 3] \
        [--mode reserved|manual] [--no-lock] -- <odoo args>

COMMITS: run it on a copy (createdb -T storq_bench_100000 COPY), never on a shared database.
Each round makes two deliveries of one product (``reserved``: confirmed and reserved by Odoo,
so the scan swaps a reservation; ``manual``: confirmed only, so the scan adds a line), then:

1. transaction B starts (its snapshot is taken);
2. transaction A scans a free unit into delivery A and flushes, without committing;
3. B scans the same unit into delivery B in a thread: it must wait for A;
4. A commits; B must then fail to serialize (Odoo's `retrying` replays such a request), and the
   replayed scan must be refused ("reserved for" delivery A).

Exit status 1 when both scans answered "ok" (the race), or B did not wait or fail as expected.
``--no-lock`` disables the scan's row lock (`_storq_lock_unit`) to show the race it prevents
(B is then rolled back, not committed). The deliveries are cancelled at the end.
"""

import argparse
import sys
import threading
import time
from contextlib import nullcontext
from unittest.mock import patch

from bench_requests import user_env
from psycopg2 import errors

import odoo
from odoo import Command

WAIT = 1.0  # seconds B must still be waiting for A


def free_unit(env, product_id=None):
    """(lot id, serial, product id) of a random unit in stock, on no open move line."""
    env.cr.execute(
        """
        SELECT lot.id, lot.name, lot.product_id FROM stock_lot lot
         WHERE lot.storq_state = 'in_stock' AND lot.storq_blocked IS NOT TRUE AND lot.storq_serial_control
           AND (%(product)s IS NULL OR lot.product_id = %(product)s)
           AND NOT EXISTS (SELECT 1 FROM stock_move_line ml
                            WHERE ml.lot_id = lot.id AND ml.state NOT IN ('done', 'cancel'))
         ORDER BY random() LIMIT 1
        """,
        {"product": product_id},
    )
    return env.cr.fetchone()


def delivery(env, product, source, reserve):
    customers = env.ref("stock.stock_location_customers")
    picking = env["stock.picking"].create(
        {
            "picking_type_id": env["stock.warehouse"].search([], limit=1).out_type_id.id,
            "location_id": source.id,
            "location_dest_id": customers.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": 1,
                        "location_id": source.id,
                        "location_dest_id": customers.id,
                    }
                )
            ],
        }
    )
    picking.action_confirm()
    if reserve:
        picking.action_assign()
    return picking


def scan(registry, picking_id, serial, product_id, cr=None):
    """(status or exception name, message) of one scan in `cr` (a new transaction when None,
    committed unless it fails)."""
    own = cr is None
    cr = cr or registry.cursor()
    try:
        env = user_env(cr)
        answer = env["stock.picking"].browse(picking_id).storq_scan(serial, context_product_id=product_id)
        env.flush_all()
        if own:
            cr.commit()
        return answer["status"], answer["message"]
    except errors.SerializationFailure as exc:
        cr.rollback()
        return "serialization failure", str(exc).strip()
    except Exception as exc:  # reported as the round's outcome
        cr.rollback()
        return type(exc).__name__, str(exc).strip()
    finally:
        if own:
            cr.close()


def play_round(registry, mode, lock):
    with registry.cursor() as cr:
        env = user_env(cr)
        warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
        _lot, _name, product_id = free_unit(env)
        product = env["product.product"].browse(product_id)
        pickings = [delivery(env, product, warehouse.lot_stock_id, mode == "reserved") for _side in "ab"]
        env.flush_all()
        _lot, serial, _product = free_unit(env, product_id)
        ids = [picking.id for picking in pickings]
        cr.commit()
    print(f"unit {serial}: deliveries {ids} ({mode})")
    cr_a, cr_b = registry.cursor(), registry.cursor()
    outcome = {}
    try:
        cr_b.execute("SELECT 1")  # B's snapshot, taken before A commits
        outcome["a"] = scan(registry, ids[0], serial, product_id, cr_a)

        def run_b():
            outcome["b"] = scan(registry, ids[1], serial, product_id, cr_b)

        thread = threading.Thread(target=run_b)
        thread.start()
        time.sleep(WAIT)
        waited = thread.is_alive()
        cr_a.commit()
        thread.join(60)
        if lock:
            cr_b.commit()
        else:
            cr_b.rollback()  # keep the copy sane: B's phantom quant is not kept
    finally:
        cr_a.close()
        cr_b.close()
    retried = None
    if outcome["b"][0] == "serialization failure":
        retried = scan(registry, ids[1], serial, product_id)  # what Odoo's retrying does
    print(f"  A: {outcome['a']}\n  B waited for A: {waited}\n  B: {outcome['b'][0]}: {outcome['b'][1][:120]}")
    if retried:
        print(f"  B replayed: {retried[0]}: {retried[1][:160]}")
    both_ok = outcome["a"][0] == "ok" and (outcome["b"][0] == "ok" or (retried and retried[0] == "ok"))
    expected = (
        outcome["a"][0] == "ok"
        and waited
        and outcome["b"][0] == "serialization failure"
        and retried
        and retried[0] == "error"
        and "reserved for" in retried[1]
    )
    return ids, both_ok, expected


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", choices=("reserved", "manual"), default="reserved")
    parser.add_argument("--no-lock", action="store_true")
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    if args.database.startswith("storq_bench_"):
        raise SystemExit("race_scan.py commits: run it on a copy, not on a shared benchmark database")
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)
    Picking = registry["stock.picking"]
    races, unexpected, pickings = 0, 0, []
    with patch.object(Picking, "_storq_lock_unit", lambda *_args: None) if args.no_lock else nullcontext():
        for _round in range(args.rounds):
            ids, both_ok, expected = play_round(registry, args.mode, not args.no_lock)
            pickings += ids
            races += both_ok
            unexpected += not expected
    with registry.cursor() as cr:
        user_env(cr)["stock.picking"].browse(pickings).action_cancel()
    print(
        f"{args.rounds} rounds ({args.mode}{', no lock' if args.no_lock else ''}): {races} races, "
        f"{unexpected} rounds not as expected"
    )
    sys.exit(1 if races or unexpected else 0)


if __name__ == "__main__":
    main()
