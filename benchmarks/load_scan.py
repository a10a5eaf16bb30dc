"""JSON-RPC load test of the scan (issue 13, "Load"): scanner clients against Odoo with workers.

Run through scripts/load_test.sh, which chains the three steps:

``prepare`` (in process, through the ORM): a serial-tracked product, the units the deliveries
take (received and validated), one Odoo user per client, and one transfer per client: receipts
(new serials), deliveries (units in stock, their own), and race pairs: two deliveries scanning
the same units, and two receipts receiving the same new serials. Writes the plan (JSON).

``run`` (HTTP only, one thread and one session per client): each client logs in, scans its
product's barcode, then its serials with ``stock.picking.storq_scan`` back to back (every tenth
scan repeats the previous serial: a refusal the rules expect), then validates its transfer.
Writes every request's outcome and time (JSON).

``check`` (SQL, psycopg2): the invariants, then the report. Exit status 1 when one fails:
no unit shipped twice, no unit in two places (quants, unit record), no scan that answered "ok"
lost (its line exists on its transfer, or the transfer validated it), no server error (HTTP
error, JSON-RPC error other than the UserError/ValidationError the rules raise, timeout).
``self-test`` runs the checker on made-up outcomes and rows so its own logic is tested.
"""

import argparse
import json
import random
import re
import statistics
import sys
import threading
import time
from collections import Counter
from collections import defaultdict

PRODUCT_BARCODE = "STORQLOAD-001"
PASSWORD = "storq-load"  # throw-away users of a throw-away database)
RULE_ERRORS = ("odoo.exceptions.UserError", "odoo.exceptions.ValidationError")
REFUSALS = (
    ("scanned_twice", re.compile(r"already scanned")),
    ("reserved_elsewhere", re.compile(r"is reserved for")),
    ("not_in_stock", re.compile(r"not in stock|is not in|is at |was delivered|has left", re.I)),
    ("exists_already", re.compile(r"already exists|exists already|already received", re.I)),
)


# ----------------------------------------------------------------------
# prepare: master data, stock, users and transfers through the ORM
# ----------------------------------------------------------------------
def prepare(env, clients, scans, pairs, seed):
    from odoo import Command

    rng = random.Random(seed)
    warehouse = env["stock.warehouse"].search([("company_id", "=", env.company.id)], limit=1)
    stock = warehouse.lot_stock_id
    supplier = env.ref("stock.stock_location_suppliers")
    customer = env.ref("stock.stock_location_customers")
    # Scanners pick their own units: nothing is reserved at confirmation.
    warehouse.out_type_id.reservation_method = "manual"
    product = env["product.product"].create(
        {
            "name": "Load phone",
            "type": "consu",
            "is_storable": True,
            "storq_serial_control": True,
            "tracking": "serial",
            "barcode": PRODUCT_BARCODE,
        }
    )
    receipts = clients - clients // 2
    deliveries = clients // 2
    run = f"{rng.randrange(16**6):06X}"

    def serials(tag, count):
        return [f"LD{run}-{tag}-{n:04d}" for n in range(count)]

    plan = {"product_id": product.id, "product_barcode": PRODUCT_BARCODE, "clients": []}
    specs = [("receipt", f"R{i:02d}", None) for i in range(receipts)]
    specs += [("delivery", f"D{i:02d}", None) for i in range(deliveries)]
    for pair in range(pairs):
        specs += [("race_delivery", f"XD{pair}", side) for side in "ab"]
        specs += [("race_receipt", f"XR{pair}", side) for side in "ab"]
    in_stock = []
    for kind, tag, _side in specs:
        if kind in ("delivery", "race_delivery") and _side in (None, "a"):
            in_stock += serials(tag, scans)
    _receive(env, product, supplier, stock, in_stock)
    group_ids = [env.ref("stock.group_stock_user").id, env.ref("storq_serials.group_storq_user").id]
    for index, (kind, tag, side) in enumerate(specs):
        login = f"storq_load_{run.lower()}_{index:02d}"
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"Scanner {index:02d} ({kind} {tag}{side or ''})",
                    "login": login,
                    "password": PASSWORD,
                    # Validating posts to the transfer's chatter, which needs an author address.
                    "email": f"{login}@example.com",
                    "groups_id": [Command.set(group_ids)],
                }
            )
        )
        receiving = kind in ("receipt", "race_receipt")
        picking_type = warehouse.in_type_id if receiving else warehouse.out_type_id
        source, dest = (supplier, stock) if receiving else (stock, customer)
        picking = env["stock.picking"].create(
            {
                "picking_type_id": picking_type.id,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "user_id": user.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": scans,
                            "location_id": source.id,
                            "location_dest_id": dest.id,
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        plan["clients"].append(
            {
                "login": login,
                "password": PASSWORD,
                "kind": kind,
                "pair": tag if side else None,
                "picking_id": picking.id,
                "picking": picking.name,
                "serials": serials(tag, scans),
            }
        )
    env["stock.move.line"].flush_model()
    return plan


def _receive(env, product, supplier, stock, names):
    """Validate one receipt of `names` into `stock` (the units the deliveries take)."""
    from odoo import Command

    picking = env["stock.picking"].create(
        {
            "picking_type_id": env.ref("stock.picking_type_in").id,
            "location_id": supplier.id,
            "location_dest_id": stock.id,
            "move_ids": [
                Command.create(
                    {
                        "name": product.name,
                        "product_id": product.id,
                        "product_uom_qty": len(names),
                        "location_id": supplier.id,
                        "location_dest_id": stock.id,
                    }
                )
            ],
        }
    )
    picking.action_confirm()
    move = picking.move_ids
    move.move_line_ids.unlink()
    env["stock.move.line"].create(
        [
            {
                "move_id": move.id,
                "picking_id": picking.id,
                "product_id": product.id,
                "location_id": supplier.id,
                "location_dest_id": stock.id,
                "lot_name": name,
                "quantity": 1,
                "picked": True,
            }
            for name in names
        ]
    )
    picking.button_validate()
    assert picking.state == "done", picking.state


# ----------------------------------------------------------------------
# run: the clients, over HTTP
# ----------------------------------------------------------------------
class Client(threading.Thread):
    def __init__(self, url, database, spec, product_id, barcode, start, timeout, think, validate):
        super().__init__(daemon=True)
        self.ready = threading.Event()
        self.url, self.database, self.spec = url, database, spec
        self.product_id, self.barcode, self.start_event = product_id, barcode, start
        self.timeout, self.think, self.validate = timeout, think, validate
        self.outcomes = []

    def rpc(self, session, path, params):
        import requests

        body = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": params}
        started = time.perf_counter()
        try:
            response = session.post(self.url + path, json=body, timeout=self.timeout)
        except requests.Timeout:
            return {"kind": "timeout"}, (time.perf_counter() - started) * 1000
        except requests.RequestException as exc:
            return {"kind": "connection", "message": str(exc)[:200]}, (time.perf_counter() - started) * 1000
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            return {"kind": "http", "message": f"HTTP {response.status_code}"}, elapsed
        payload = response.json()
        if "error" in payload:
            data = payload["error"].get("data") or {}
            return {
                "kind": "rpc_error",
                "name": data.get("name", ""),
                "message": (data.get("message") or payload["error"].get("message", ""))[:300],
            }, elapsed
        return {"kind": "result", "result": payload.get("result")}, elapsed

    def call(self, session, model, method, args, kwargs=None):
        params = {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}
        return self.rpc(session, f"/web/dataset/call_kw/{model}/{method}", params)

    def record(self, step, serial, answer, elapsed):
        outcome = {"step": step, "serial": serial, "ms": round(elapsed, 2), "at": time.time()}
        outcome.update(answer)
        if answer["kind"] == "result" and isinstance(answer["result"], dict):
            outcome["status"] = answer["result"].get("status")
            outcome["message"] = answer["result"].get("message", "")
            del outcome["result"]
        self.outcomes.append(outcome)

    def run(self):
        import requests

        session = requests.Session()
        answer, elapsed = self.rpc(
            session,
            "/web/session/authenticate",
            {"db": self.database, "login": self.spec["login"], "password": self.spec["password"]},
        )
        self.record("login", None, {**answer, "result": None}, elapsed)
        self.ready.set()
        if answer["kind"] != "result":
            return
        self.start_event.wait()
        picking = [self.spec["picking_id"]]
        answer, elapsed = self.call(session, "stock.picking", "storq_scan", [picking, self.barcode])
        self.record("scan_product", None, answer, elapsed)
        previous = None
        for index, serial in enumerate(self.spec["serials"]):
            if previous and index % 10 == 9:
                # A unit scanned twice by mistake: the rules refuse it.
                answer, elapsed = self.call(
                    session,
                    "stock.picking",
                    "storq_scan",
                    [picking, previous],
                    {"context_product_id": self.product_id},
                )
                self.record("scan_repeat", previous, answer, elapsed)
            answer, elapsed = self.call(
                session,
                "stock.picking",
                "storq_scan",
                [picking, serial],
                {"context_product_id": self.product_id},
            )
            self.record("scan", serial, answer, elapsed)
            previous = serial
            if self.think:
                time.sleep(self.think)
        if self.validate:
            context = {"skip_backorder": True, "picking_ids_not_to_backorder": picking}
            answer, elapsed = self.call(
                session, "stock.picking", "button_validate", [picking], {"context": context}
            )
            answer = {**answer, "result": None} if answer["kind"] == "result" else answer
            self.record("validate", None, answer, elapsed)


def run_load(url, database, plan, timeout, think, validate):
    start = threading.Event()
    clients = [
        Client(
            url, database, spec, plan["product_id"], plan["product_barcode"], start, timeout, think, validate
        )
        for spec in plan["clients"]
    ]
    for client in clients:
        client.start()
    # Logging in hashes a password (slow on purpose): every client logs in before the clock runs.
    for client in clients:
        client.ready.wait()
    started = time.time()
    start.set()
    for client in clients:
        client.join()
    finished = time.time()
    return {
        "started": started,
        "finished": finished,
        "outcomes": {client.spec["login"]: client.outcomes for client in clients},
    }


# ----------------------------------------------------------------------
# check: classify the outcomes, then the invariants in the database
# ----------------------------------------------------------------------
def classify(outcome):
    """(category, detail): ok / product / refused (the rules' answer) / rule_error (a
    UserError/ValidationError raised) / server_error / serialization / timeout."""
    kind = outcome["kind"]
    if kind == "result":
        status = outcome.get("status")
        if status == "error":
            message = outcome.get("message", "")
            for name, pattern in REFUSALS:
                if pattern.search(message):
                    return "refused", name
            return "refused", "other: " + message[:60]
        return status or "ok", ""
    if kind == "rpc_error":
        if outcome.get("name") in RULE_ERRORS:
            return "rule_error", " ".join(outcome.get("message", "").split())[:100]
        if "serializ" in (outcome.get("name", "") + outcome.get("message", "")).lower():
            return "serialization", outcome.get("name", "")
        return "server_error", f"{outcome.get('name')}: {outcome.get('message', '')[:120]}"
    if kind == "timeout":
        return "timeout", ""
    return "server_error", outcome.get("message", kind)


def percentile(values, share):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summarize(plan, results):
    """The figures and the answer-side findings (server errors) from the outcomes."""
    scan_ms, categories, details, problems = [], Counter(), Counter(), []
    ok_scans = []  # (login, picking_id, serial)
    validated = {}  # picking_id -> True/False
    specs = {spec["login"]: spec for spec in plan["clients"]}
    for login, outcomes in results["outcomes"].items():
        spec = specs[login]
        for outcome in outcomes:
            category, detail = classify(outcome)
            step = outcome["step"]
            if step.startswith("scan"):
                scan_ms.append(outcome["ms"])
            categories[(step, category)] += 1
            if detail:
                details[(step, category, detail)] += 1
            if category in ("server_error", "serialization", "timeout"):
                problems.append(f"{login} {step} {outcome.get('serial') or ''}: {category} {detail}")
            if step in ("scan", "scan_repeat") and category == "ok":
                ok_scans.append((login, spec["picking_id"], outcome["serial"]))
            if step == "validate":
                validated[spec["picking_id"]] = category == "ok"
    # A repeated scan that answered ok: the rules let a unit be scanned twice.
    repeat_ok = categories[("scan_repeat", "ok")]
    if repeat_ok:
        problems.append(f"{repeat_ok} repeated scans answered ok (each unit is scanned once)")
    duration = results["finished"] - results["started"]
    return {
        "scans": len(scan_ms),
        "duration": duration,
        "rate": len(scan_ms) / duration if duration else 0.0,
        "p50": percentile(scan_ms, 0.5),
        "p95": percentile(scan_ms, 0.95),
        "p99": percentile(scan_ms, 0.99),
        "max": max(scan_ms, default=0.0),
        "mean": statistics.fmean(scan_ms) if scan_ms else 0.0,
        "categories": categories,
        "details": details,
        "problems": problems,
        "ok_scans": ok_scans,
        "validated": validated,
    }


def race_findings(plan, ok_scans):
    """Serials that both clients of a race pair got "ok" for (a unit taken twice at scan time,
    or a new serial received twice): not lost, but the rules' check was raced past."""
    by_pair = defaultdict(Counter)
    for login, _picking, serial in ok_scans:
        spec = next(s for s in plan["clients"] if s["login"] == login)
        if spec["pair"]:
            by_pair[(spec["kind"], spec["pair"])][serial] += 1
    return {key: sorted(s for s, n in counts.items() if n > 1) for key, counts in by_pair.items()}


INVARIANT_SQL = {
    # Units of the product delivered (net, into customer locations) more than once.
    "shipped_twice": """
        SELECT lot.name, SUM(CASE WHEN dest.usage = 'customer' THEN sml.quantity ELSE 0 END)
                       - SUM(CASE WHEN src.usage = 'customer' THEN sml.quantity ELSE 0 END)
          FROM stock_move_line sml
          JOIN stock_lot lot ON lot.id = sml.lot_id
          JOIN stock_location src ON src.id = sml.location_id
          JOIN stock_location dest ON dest.id = sml.location_dest_id
         WHERE sml.state = 'done' AND sml.product_id = %(product)s
         GROUP BY lot.name
        HAVING SUM(CASE WHEN dest.usage = 'customer' THEN sml.quantity ELSE 0 END)
             - SUM(CASE WHEN src.usage = 'customer' THEN sml.quantity ELSE 0 END) > 1""",
    # A unit in more than one place, more than once in a place, or below zero, by the quants'
    # net quantity per location: Odoo's `_update_available_quantity` skips a quant row another
    # transaction holds (FOR NO KEY UPDATE SKIP LOCKED) and opens a second quant for the same
    # serial there, so concurrent scans leave +1 and -1 quants that its scheduler merges later.
    "two_places": """
        SELECT name, COUNT(*) FILTER (WHERE net != 0), SUM(net), MIN(net)
          FROM (SELECT lot.name, q.location_id, SUM(q.quantity) AS net
                  FROM stock_quant q
                  JOIN stock_lot lot ON lot.id = q.lot_id
                  JOIN stock_location loc ON loc.id = q.location_id
                 WHERE q.product_id = %(product)s AND loc.usage IN ('internal', 'transit', 'customer')
                 GROUP BY lot.name, q.location_id) per_location
         GROUP BY name
        HAVING COUNT(*) FILTER (WHERE net != 0) > 1 OR SUM(net) > 1 OR MIN(net) < 0""",
    # Two units (lots) with the same serial for the product.
    "duplicate_serial": """
        SELECT name, COUNT(*) FROM stock_lot WHERE product_id = %(product)s
         GROUP BY name HAVING COUNT(*) > 1""",
    # The unit record disagrees with the quants: in stock where no quant holds it, or at another
    # location; delivered while a stock quant still holds it.
    "record_vs_quants": """
        SELECT lot.name, lot.storq_state, lot.storq_location_id, q.location_id
          FROM stock_lot lot
          LEFT JOIN LATERAL (
                SELECT q.location_id FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
                 WHERE q.lot_id = lot.id AND l.usage IN ('internal', 'transit')
                 GROUP BY q.location_id HAVING SUM(q.quantity) > 0
                 LIMIT 1) q ON TRUE
         WHERE lot.product_id = %(product)s
           AND ((lot.storq_state = 'in_stock' AND q.location_id IS DISTINCT FROM lot.storq_location_id)
             OR (lot.storq_state = 'delivered' AND q.location_id IS NOT NULL)
             OR (lot.storq_state IS NULL AND q.location_id IS NOT NULL))""",
}

# Serials with a negative quant next to a positive one in the same place (see "two_places").
SPLIT_QUANTS_SQL = """
    SELECT COUNT(DISTINCT q.lot_id) FROM stock_quant q
     WHERE q.product_id = %(product)s AND q.quantity < 0
       AND EXISTS (SELECT 1 FROM stock_quant o WHERE o.lot_id = q.lot_id
                      AND o.location_id = q.location_id AND o.quantity > 0)"""

SCAN_LINES_SQL = """
    SELECT sml.picking_id, COALESCE(lot.name, sml.lot_name), sml.picked, sml.state
      FROM stock_move_line sml LEFT JOIN stock_lot lot ON lot.id = sml.lot_id
     WHERE sml.picking_id = ANY(%(pickings)s)"""


def lost_scans(ok_scans, line_rows, picking_states):
    """The "ok" scans whose unit is on no picked line of their transfer (or, validated, on no
    done line of it). `line_rows`: (picking_id, serial, picked, state)."""
    kept = set()
    for picking_id, serial, picked, state in line_rows:
        if state == "done" or (picked and state not in ("cancel",)):
            kept.add((picking_id, serial))
    lost = []
    for login, picking_id, serial in ok_scans:
        if (picking_id, serial) not in kept:
            lost.append(f"{login}: {serial} on transfer {picking_id} ({picking_states.get(picking_id)})")
    return lost


def check_database(cursor, plan, summary):
    violations = {}
    params = {"product": plan["product_id"]}
    for name, sql in INVARIANT_SQL.items():
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if rows:
            violations[name] = [", ".join(map(str, row)) for row in rows[:20]] + (
                [f"... {len(rows)} in all"] if len(rows) > 20 else []
            )
    pickings = [spec["picking_id"] for spec in plan["clients"]]
    cursor.execute(SCAN_LINES_SQL, {"pickings": pickings})
    lines = cursor.fetchall()
    cursor.execute("SELECT id, state FROM stock_picking WHERE id = ANY(%s)", (pickings,))
    states = dict(cursor.fetchall())
    cursor.execute(SPLIT_QUANTS_SQL, params)
    summary["split_quants"] = cursor.fetchone()[0]
    lost = lost_scans(summary["ok_scans"], lines, states)
    if lost:
        violations["lost_ok_scan"] = lost[:20] + ([f"... {len(lost)} in all"] if len(lost) > 20 else [])
    # A transfer the server said it validated must be done.
    undone = [pid for pid, ok in summary["validated"].items() if ok and states.get(pid) != "done"]
    if undone:
        violations["validated_not_done"] = [str(pid) for pid in undone]
    if summary["problems"]:
        violations["server_errors"] = summary["problems"][:20]
    return violations, states


def _copy_row(cursor, table, row_id, changes):
    """Insert a copy of `table` row `row_id` with `changes` (column -> value) and a new id."""
    cursor.execute(
        f"CREATE TEMP TABLE storq_copy ON COMMIT DROP AS SELECT * FROM {table} WHERE id = %s", (row_id,)
    )
    sets = ", ".join(f"{column} = %s" for column in changes)
    cursor.execute(
        f"UPDATE storq_copy SET id = nextval('{table}_id_seq'), {sets}",  # our own table names
        tuple(changes.values()),
    )
    cursor.execute(f"INSERT INTO {table} SELECT * FROM storq_copy")
    cursor.execute("DROP TABLE storq_copy")


def prove_checker(cursor, plan, summary):
    """The checker must see what it looks for: in a savepoint, ship a delivered unit a second
    time, put it back in stock, and drop the line of an "ok" scan; every check must then fire.
    Rolled back: the database is left as the run left it. Returns the checks that stayed silent."""
    params = {"product": plan["product_id"]}
    cursor.execute(
        """SELECT sml.id, q.id, sml.location_id FROM stock_move_line sml
             JOIN stock_location dest ON dest.id = sml.location_dest_id AND dest.usage = 'customer'
             JOIN stock_quant q ON q.lot_id = sml.lot_id AND q.location_id = sml.location_dest_id
            WHERE sml.state = 'done' AND sml.product_id = %(product)s AND q.quantity > 0
            LIMIT 1""",
        params,
    )
    row = cursor.fetchone()
    if not row or not summary["ok_scans"]:
        return ["nothing delivered or no ok scan: the checker could not be proven"]
    line_id, quant_id, stock_id = row
    cursor.execute("SAVEPOINT storq_prove")
    try:
        _copy_row(cursor, "stock_move_line", line_id, {"picking_id": None})
        _copy_row(cursor, "stock_quant", quant_id, {"location_id": stock_id})
        _login, picking_id, serial = summary["ok_scans"][0]
        cursor.execute(
            """DELETE FROM stock_move_line WHERE picking_id = %s
                  AND (lot_name = %s OR lot_id IN (SELECT id FROM stock_lot WHERE name = %s))""",
            (picking_id, serial, serial),
        )
        silent = []
        for name in ("shipped_twice", "two_places", "record_vs_quants"):
            cursor.execute(INVARIANT_SQL[name], params)
            if not cursor.fetchall():
                silent.append(name)
        cursor.execute(SCAN_LINES_SQL, {"pickings": [picking_id]})
        if not lost_scans(summary["ok_scans"][:1], cursor.fetchall(), {}):
            silent.append("lost_ok_scan")
    finally:
        cursor.execute("ROLLBACK TO SAVEPOINT storq_prove")
    return silent


def report(plan, summary, violations, states, deployment):
    out = []
    clients = len(plan["clients"])
    out.append(f"Deployment: {deployment}")
    out.append(
        f"Clients: {clients} ({Counter(s['kind'] for s in plan['clients'])}); "
        f"serials per client: {len(plan['clients'][0]['serials'])}"
    )
    out.append(
        f"Scans: {summary['scans']} in {summary['duration']:.1f} s = {summary['rate']:.1f} scans/s; "
        f"per scan p50 {summary['p50']:.0f} ms, p95 {summary['p95']:.0f} ms, p99 {summary['p99']:.0f} ms, "
        f"max {summary['max']:.0f} ms"
    )
    out.append("Answers by step and kind:")
    for (step, category), count in sorted(summary["categories"].items()):
        out.append(f"  {step:13} {category:14} {count}")
    for (step, category, detail), count in sorted(summary["details"].items()):
        out.append(f"    {step} {category}: {detail} x{count}")
    done = Counter(states.values())
    out.append(f"Transfers after the run: {dict(done)}")
    out.append(
        f"Serials with a +1 and a -1 quant in the same place (Odoo's SKIP LOCKED; net 0, merged "
        f"by its scheduler): {summary.get('split_quants', 0)}"
    )
    for (kind, pair), serials in sorted(race_findings(plan, summary["ok_scans"]).items()):
        out.append(f"Race {kind} {pair}: {len(serials)} serials answered ok to both clients")
    if violations:
        out.append("INVARIANTS VIOLATED:")
        for name, rows in violations.items():
            out.append(f"  {name}:")
            out.extend(f"    {row}" for row in rows)
    else:
        out.append(
            "Invariants hold: no unit shipped twice, none in two places (quants, unit record), "
            "no lost ok scan, no server error."
        )
    return "\n".join(out)


# ----------------------------------------------------------------------
# self-test: the checker on made-up outcomes and rows
# ----------------------------------------------------------------------
def self_test():
    plan = {
        "product_id": 1,
        "clients": [
            {"login": "a", "kind": "race_delivery", "pair": "X", "picking_id": 10, "serials": ["S1", "S2"]},
            {"login": "b", "kind": "race_delivery", "pair": "X", "picking_id": 11, "serials": ["S1", "S2"]},
        ],
    }

    def ok(serial, step="scan"):
        return {"step": step, "serial": serial, "ms": 5.0, "kind": "result", "status": "ok", "message": ""}

    results = {
        "started": 0.0,
        "finished": 2.0,
        "outcomes": {
            "a": [ok("S1"), ok("S2"), {"step": "validate", "serial": None, "ms": 9, "kind": "result"}],
            "b": [
                ok("S1"),
                {
                    "step": "scan",
                    "serial": "S2",
                    "ms": 7.0,
                    "kind": "result",
                    "status": "error",
                    "message": "S2 is reserved for WH/OUT/1: unreserve it there first",
                },
                {
                    "step": "scan_repeat",
                    "serial": "S1",
                    "ms": 3.0,
                    "kind": "result",
                    "status": "error",
                    "message": "S1 was already scanned on WH/OUT/2: each unit is scanned once.",
                },
                {
                    "step": "validate",
                    "serial": None,
                    "ms": 9,
                    "kind": "rpc_error",
                    "name": "odoo.exceptions.UserError",
                    "message": "S1 is not in stock",
                },
                {"step": "scan", "serial": "S3", "ms": 60000, "kind": "timeout"},
                {
                    "step": "scan",
                    "serial": "S4",
                    "ms": 9,
                    "kind": "rpc_error",
                    "name": "psycopg2.errors.SerializationFailure",
                    "message": "could not serialize",
                },
                {
                    "step": "scan",
                    "serial": "S5",
                    "ms": 9,
                    "kind": "rpc_error",
                    "name": "builtins.KeyError",
                    "message": "'x'",
                },
                {"step": "scan", "serial": "S6", "ms": 9, "kind": "http", "message": "HTTP 502"},
            ],
        },
    }
    summary = summarize(plan, results)
    cats = summary["categories"]
    assert cats[("scan", "ok")] == 3, cats
    assert cats[("scan", "refused")] == 1 and cats[("scan_repeat", "refused")] == 1, cats
    assert cats[("validate", "rule_error")] == 1 and cats[("validate", "ok")] == 1, cats
    assert cats[("scan", "timeout")] == 1 and cats[("scan", "serialization")] == 1, cats
    assert cats[("scan", "server_error")] == 2, cats
    assert len(summary["problems"]) == 4, summary["problems"]
    assert summary["details"][("scan", "refused", "reserved_elsewhere")] == 1
    assert summary["details"][("scan_repeat", "refused", "scanned_twice")] == 1
    assert summary["validated"] == {10: True, 11: False}
    assert race_findings(plan, summary["ok_scans"]) == {("race_delivery", "X"): ["S1"]}
    # a validated S1, S2; b's S1 line was taken over by a (kept nowhere on b): lost.
    rows = [(10, "S1", True, "done"), (10, "S2", True, "done"), (11, "S1", False, "assigned")]
    assert lost_scans(summary["ok_scans"], rows, {10: "done", 11: "assigned"}) == [
        "b: S1 on transfer 11 (assigned)"
    ]
    rows[2] = (11, "S1", True, "assigned")
    assert lost_scans(summary["ok_scans"], rows, {}) == []
    rows[2] = (11, "S1", True, "cancel")
    assert len(lost_scans(summary["ok_scans"], rows, {})) == 1
    assert percentile([1, 2, 3, 4, 100], 0.5) == 3 and percentile([1, 2, 3, 4, 100], 0.99) == 100
    print("self-test passed")


# ----------------------------------------------------------------------
# command line
# ----------------------------------------------------------------------
def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--database", required=True)
    p.add_argument("--plan", required=True)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--scans", type=int, default=50)
    p.add_argument("--pairs", type=int, default=2, help="race pairs of each kind (delivery, receipt)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("odoo_args", nargs="*")
    r = sub.add_parser("run")
    r.add_argument("--url", required=True)
    r.add_argument("--database", required=True)
    r.add_argument("--plan", required=True)
    r.add_argument("--results", required=True)
    r.add_argument("--timeout", type=float, default=60.0)
    r.add_argument("--think", type=float, default=0.0, help="seconds between a client's scans")
    r.add_argument("--no-validate", action="store_true")
    c = sub.add_parser("check")
    c.add_argument("--dsn", required=True)
    c.add_argument("--plan", required=True)
    c.add_argument("--results", required=True)
    c.add_argument("--deployment", default="")
    c.add_argument("--odoo-log", help="Odoo's log: counts the conflicts the server retried")
    sub.add_parser("self-test")
    args = parser.parse_args()

    if args.command == "self-test":
        self_test()
        return 0
    if args.command == "prepare":
        import odoo
        from odoo import api

        odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
        registry = odoo.modules.registry.Registry(args.database)
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            plan = prepare(env, args.clients, args.scans, args.pairs, args.seed)
            cr.commit()
        with open(args.plan, "w") as handle:
            json.dump(plan, handle, indent=1)
        print(f"prepared {len(plan['clients'])} clients", file=sys.stderr)
        return 0
    with open(args.plan) as handle:
        plan = json.load(handle)
    if args.command == "run":
        results = run_load(args.url, args.database, plan, args.timeout, args.think, not args.no_validate)
        with open(args.results, "w") as handle:
            json.dump(results, handle)
        return 0
    import psycopg2

    with open(args.results) as handle:
        results = json.load(handle)
    summary = summarize(plan, results)
    with psycopg2.connect(args.dsn) as connection, connection.cursor() as cursor:
        violations, states = check_database(cursor, plan, summary)
        silent = prove_checker(cursor, plan, summary)
        connection.rollback()
    if silent:
        violations["checker_not_proven"] = silent
    else:
        print(
            "Checker proven: a unit shipped twice, in two places and a lost ok scan, planted and "
            "rolled back, were each found."
        )
    print(report(plan, summary, violations, states, args.deployment))
    if args.odoo_log:
        with open(args.odoo_log, errors="replace") as handle:
            log = handle.read()
        conflicts = log.count("could not serialize access")
        constraints = len(re.findall(r"^ERROR: .*violates (exclusion|unique) constraint", log, re.MULTILINE))
        print(
            f"Server log: {conflicts} serialization conflicts (Odoo retries the request: the client "
            f"never sees them), {constraints} uniqueness constraint conflicts (answered as a "
            f"ValidationError), {len(re.findall(' ERROR ', log)) - conflicts - constraints} other ERROR lines"
        )
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
