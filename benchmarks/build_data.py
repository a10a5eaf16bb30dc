"""Build a benchmark database: years of serial-controlled units, as Odoo and the module keep them.

Run through scripts/benchmark_data.sh. Master data (serial formats, products, suppliers,
customers) is made with the ORM; the bulk (purchase and sale orders, pickings, done moves and
move lines, lots with their unit record, history events, return records, scraps, valuation
layers) is written with PostgreSQL COPY, a batch of units at a time, with ids taken from the
tables' own sequences and the documents named from their own `ir.sequence`. Quants are then
derived from the done move lines, as Odoo's `_update_available_quantity` would have left them.

Shape (per unit, seeded random): received from one of several suppliers over three years, on
purchase orders of 50 to 400 units; about 80 % delivered to a few thousand customers on sale
orders of 1 to 50 units; some of those returned (back to stock, to repair, scrapped); a few
scrapped from stock or returned to the vendor; some units in stock blocked (a quality hold).

`check(env, expected)` then reads the data back through Odoo (quants, unit records, move lines,
events, computed fields) and raises `DataCheckError` listing every disagreement.
"""

import argparse
import io
import random
import sys
import time
from collections import Counter
from collections import defaultdict
from datetime import datetime
from datetime import timedelta

BATCH = 50_000
ID_BLOCK = 10_000
YEARS = 3
# Warranty terms the builder gives every product (customer) and its vendors.
WARRANTY_MONTHS = 24
VENDOR_WARRANTY_MONTHS = 12
SEED = 13
# Disposition of a returned unit -> (share, return reason name).
RETURN_DISPOSITIONS = (
    ("restock", 0.55, "No longer needed"),
    ("repair", 0.25, "Defective"),
    ("scrap", 0.2, "Defective"),
)
BLOCK_REASON = "Quality hold QH-{:04d}"


class DataCheckError(Exception):
    """The generated data and what Odoo reads back disagree."""


# ----------------------------------------------------------------------
# Master data, through the ORM
# ----------------------------------------------------------------------
FORMATS = {
    "imei": {
        "name": "Bench IMEI",
        "charset": "digits",
        "min_length": 15,
        "max_length": 15,
        "check_digit": "luhn",
        "example": "490154203237518",
    },
    "sn": {
        "name": "Bench SN-number",
        "charset": "any",
        "pattern": r"^SN-[0-9]{7}$",
        "example": "SN-0000123",
    },
    "tag": {
        "name": "Bench asset tag",
        "charset": "any",
        "uppercase": True,
        "pattern": r"^[A-Z]{2}[0-9]{2}-[A-Z0-9]{4}$",
        "example": "AB12-X7K9",
    },
}
# name, format, serial prefix (for the generator), share of the units, cost, price
PRODUCTS = (
    ("Bench phone P9", "imei", "3591", 0.35, 210.0, 399.0),
    ("Bench tablet T8", "imei", "3592", 0.15, 180.0, 329.0),
    ("Bench router R2", "sn", "", 0.2, 40.0, 89.0),
    ("Bench scanner S3", "sn", "", 0.1, 95.0, 179.0),
    ("Bench laptop L14", "tag", "LP", 0.2, 520.0, 949.0),
)
SUPPLIERS = (
    "Bench Shenzhen Devices",
    "Bench Nordic Distribution",
    "Bench Euro Components",
    "Bench Pacific Trading",
)


def setup_master(env, units, rng):
    """Formats, products, suppliers and customers; the context every batch writes with."""
    company = env.company
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    formats = {key: env["storq.serial.format"].create(vals) for key, vals in FORMATS.items()}
    suppliers = env["res.partner"].create(
        [{"name": name, "is_company": True, "supplier_rank": 1} for name in SUPPLIERS]
    )
    customers = env["res.partner"].create(
        [
            {"name": f"Bench customer {n:05d}", "is_company": n % 3 == 0, "customer_rank": 1}
            for n in range(customer_count(units))
        ]
    )
    products = []
    for index, (name, kind, prefix, share, cost, price) in enumerate(PRODUCTS):
        product = env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "storq_serial_control": True,
                "storq_serial_format_id": formats[kind].id,
                "standard_price": cost,
                "list_price": price,
                "invoice_policy": "delivery",
                "taxes_id": [(6, 0, [])],
                "supplier_taxes_id": [(6, 0, [])],
                "seller_ids": [
                    (0, 0, {"partner_id": suppliers[(index + k) % len(suppliers)].id, "price": cost})
                    for k in range(2)
                ],
            }
        )
        products.append(
            {
                "record": product,
                "id": product.id,
                "name": product.display_name,
                "kind": kind,
                "prefix": prefix,
                "share": share,
                "cost": cost,
                "price": price,
                "uom": product.uom_id.id,
                "categ": product.categ_id.id,
                "suppliers": [suppliers[(index + k) % len(suppliers)].id for k in range(2)],
                "next": 1,
            }
        )
    set_warranty_terms(env, [product["id"] for product in products])
    env.flush_all()
    return make_context(env, company, warehouse, products, suppliers, customers, rng)


def customer_count(units):
    """One customer per 40 units: 25,000 at a million units (a 100,000-unit recall range then
    reaches more than 10,000 of them), a few dozen for a small test."""
    return max(20, min(25_000, units // 40))


def make_context(env, company, warehouse, products, suppliers, customers, rng):
    in_type, out_type, int_type = warehouse.in_type_id, warehouse.out_type_id, warehouse.int_type_id
    reasons = {reason.name: reason.id for reason in env["storq.return.reason"].search([])}
    scrap_location = env["stock.location"].search(
        [("scrap_location", "=", True), ("company_id", "in", [company.id, False])], limit=1
    )
    sequence = env["ir.sequence"]
    return {
        "env": env,
        "company": company.id,
        "currency": company.currency_id.id,
        "user": env.ref("base.user_admin").id,
        "warehouse": warehouse.id,
        "stock": warehouse.lot_stock_id.id,
        "repair": company._storq_get_repair_location().id,
        "scrap": scrap_location.id,
        "supplier_loc": env.ref("stock.stock_location_suppliers").id,
        "customer_loc": env.ref("stock.stock_location_customers").id,
        "types": {"in": in_type, "out": out_type, "int": int_type},
        "return_types": {
            "in": out_type.return_picking_type_id or in_type,
            "out": in_type.return_picking_type_id or out_type,
        },
        "names": {
            "in": SequenceNames(in_type.sequence_id),
            "out": SequenceNames(out_type.sequence_id),
            "int": SequenceNames(int_type.sequence_id),
            "purchase": SequenceNames(sequence.search([("code", "=", "purchase.order")], limit=1)),
            "sale": SequenceNames(sequence.search([("code", "=", "sale.order")], limit=1)),
            "scrap": SequenceNames(sequence.search([("code", "=", "stock.scrap")], limit=1)),
        },
        "products": products,
        "product_weights": [product["share"] for product in products],
        "suppliers": suppliers.ids,
        "customers": customers.ids,
        # A few customers buy a lot, most buy a little.
        "customer_weights": [1.0 / (1 + n % 97) for n in range(len(customers))],
        "reasons": {name: reasons[name] for _d, _s, name in RETURN_DISPOSITIONS},
        "rng": rng,
        "now": datetime.now().replace(microsecond=0),
        "ids": {},
        "expected": Counter(),
        "copy_seconds": Counter(),
        "lot_key": lot_key_function(env),
        "warranty_note": warranty_note(env),
    }


class SequenceNames:
    """Document names from an `ir.sequence`, numbered in Python and the sequence advanced once."""

    def __init__(self, sequence):
        self.sequence = sequence
        prefix, suffix = sequence._get_prefix_suffix()
        self.prefix, self.suffix, self.padding = prefix, suffix, sequence.padding
        self.number = sequence.number_next_actual

    def next(self):
        name = f"{self.prefix}{self.number:0{self.padding}d}{self.suffix}"
        self.number += self.sequence.number_increment
        return name

    def save(self):
        self.sequence.sudo().write({"number_next": self.number})


# ----------------------------------------------------------------------
# Serials
# ----------------------------------------------------------------------
def luhn_digit(body):
    total = 0
    for position, char in enumerate(reversed(body)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


TAG_CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def next_serial(product):
    """The product's next serial in its format: IMEI with Luhn, SN-0000123, AB12-X7K9."""
    number = product["next"]
    product["next"] += 1
    if product["kind"] == "imei":
        body = f"{product['prefix']}{number:010d}"
        return body + luhn_digit(body)
    if product["kind"] == "sn":
        return f"SN-{product['id'] % 10}{number:06d}"
    letters = TAG_CHARS[10 + number // 36**4 // 100 % 26]
    digits = number // 36**4 % 100
    tail = "".join(TAG_CHARS[number // 36**k % 36] for k in (3, 2, 1, 0))
    return f"{product['prefix'][0]}{letters}{digits:02d}-{tail}"


# ----------------------------------------------------------------------
# Planning a batch: each unit's life, grouped into documents
# ----------------------------------------------------------------------
class Unit:
    __slots__ = (
        "id",
        "product",
        "name",
        "receipt",
        "received",
        "delivery",
        "delivered",
        "order_line",
        "returned",
        "state",
        "location",
        "partner",
        "blocked",
        "lines",
        "warranty",
        "supplier_end",
    )

    def __init__(self, product, name, receipt, received):
        self.id = None
        self.product, self.name, self.receipt, self.received = product, name, receipt, received
        self.delivery = self.delivered = self.order_line = self.returned = None
        self.state, self.location, self.partner, self.blocked = "in_stock", None, None, None
        self.warranty, self.supplier_end = (None, None, "none"), None
        self.lines = []  # (move, source, destination, date, event type)


def plan_receipts(ctx, count):
    """Units received on purchase orders of 50 to 400 units, over three years."""
    rng, now = ctx["rng"], ctx["now"]
    span = timedelta(days=365 * YEARS - 10).total_seconds()
    start = now - timedelta(days=365 * YEARS)
    units, receipts = [], []
    while len(units) < count:
        product = rng.choices(ctx["products"], ctx["product_weights"])[0]
        size = min(rng.randint(50, 400), count - len(units))
        date = start + timedelta(seconds=int(rng.random() * span))
        receipt = {
            "product": product,
            "supplier": rng.choice(product["suppliers"]),
            "date": date,
            "units": [],
        }
        for _n in range(size):
            unit = Unit(product, next_serial(product), receipt, date)
            receipt["units"].append(unit)
            units.append(unit)
        receipts.append(receipt)
    return units, receipts


def plan_fates(ctx, units):
    """Which units are delivered (and when), scrapped in stock, or sent back to their vendor."""
    rng, now = ctx["rng"], ctx["now"]
    delivered, scrapped, to_vendor = [], [], []
    for unit in units:
        draw = rng.random()
        if draw < 0.86:
            date = unit.received + timedelta(days=1 + rng.expovariate(1 / 40), seconds=rng.randint(0, 36000))
            if date < now - timedelta(hours=2):
                unit.delivered = date
                delivered.append(unit)
        elif draw < 0.875:
            scrapped.append(unit)
        elif draw < 0.89:
            to_vendor.append(unit)
    return delivered, scrapped, to_vendor


def order_size(rng):
    draw = rng.random()
    if draw < 0.6:
        return 1
    if draw < 0.85:
        return rng.randint(2, 3)
    if draw < 0.95:
        return rng.randint(4, 10)
    return rng.randint(11, 50)


def plan_orders(ctx, delivered):
    """Delivered units, in delivery order, grouped into sale orders of 1 to 50 units."""
    rng = ctx["rng"]
    delivered.sort(key=lambda unit: unit.delivered)
    orders = []
    index = 0
    while index < len(delivered):
        chunk = delivered[index : index + order_size(rng)]
        index += len(chunk)
        date = max(unit.delivered for unit in chunk)
        customer = rng.choices(ctx["customers"], ctx["customer_weights"])[0]
        orders.append({"units": chunk, "date": date, "customer": customer})
        for unit in chunk:
            unit.delivered = date
    return orders


def plan_returns(ctx, orders):
    """Some delivered units come back: one return per order, each unit routed on."""
    rng, now = ctx["rng"], ctx["now"]
    returns = []
    for order in orders:
        if rng.random() >= 0.06:
            continue
        date = order["date"] + timedelta(days=rng.uniform(2, 60))
        if date > now - timedelta(hours=4):
            continue
        units = [unit for unit in order["units"] if rng.random() < 0.7] or order["units"][:1]
        for unit in units:
            unit.returned = rng.choices(
                [key for key, _s, _r in RETURN_DISPOSITIONS], [share for _k, share, _r in RETURN_DISPOSITIONS]
            )[0]
        returns.append({"order": order, "date": date, "units": units})
    return returns


# ----------------------------------------------------------------------
# Writing: ids, COPY
# ----------------------------------------------------------------------
def new_id(ctx, table):
    """An id from the table's own sequence, reserved ID_BLOCK at a time."""
    block = ctx["ids"].get(table)
    if not block or block[0] > block[1]:
        cr = ctx["env"].cr
        cr.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), nextval(pg_get_serial_sequence(%s, 'id')) + %s)",
            [table, table, ID_BLOCK - 1],
        )
        last = cr.fetchone()[0]
        block = ctx["ids"][table] = [last - ID_BLOCK + 1, last]
    block[0] += 1
    return block[0] - 1


class Rows:
    """Rows per table, written with COPY; every row gets the log columns."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.tables = defaultdict(list)
        self.columns = {}
        stamp = fmt(ctx["now"])
        self.log = (ctx["user"], stamp, ctx["user"], stamp)

    def add(self, table, **values):
        values.setdefault("id", new_id(self.ctx, table))
        columns = self.columns.setdefault(table, tuple(values))
        self.tables[table].append(tuple(values[column] for column in columns) + self.log)
        return values["id"]

    def copy(self, table):
        rows = self.tables.pop(table, [])
        if not rows:
            return
        columns = (*self.columns[table], "create_uid", "create_date", "write_uid", "write_date")
        buffer = io.StringIO()
        for row in rows:
            buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
            buffer.write("\n")
        buffer.seek(0)
        started = time.perf_counter()
        self.ctx["env"].cr._obj.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
        self.ctx["copy_seconds"][table] += time.perf_counter() - started


# Parents before children: the foreign keys are checked as each table is copied.
TABLE_ORDER = (
    "purchase_order",
    "purchase_order_line",
    "sale_order",
    "procurement_group",
    "sale_order_line",
    "stock_picking",
    "stock_lot",
    "stock_scrap",
    "stock_move",
    "stock_move_line",
    "stock_valuation_layer",
    "storq_serial_event",
    "storq_serial_return_record",
)


def fmt(date):
    return date.strftime("%Y-%m-%d %H:%M:%S")


def add_picking(ctx, rows, kind, type_, source, destination, date, partner, origin, **extra):
    name = ctx["names"][kind].next()
    picking_id = rows.add(
        "stock_picking",
        name=name,
        origin=origin,
        picking_type_id=type_.id,
        location_id=source,
        location_dest_id=destination,
        partner_id=partner,
        company_id=ctx["company"],
        move_type="direct",
        state="done",
        priority="0",
        scheduled_date=fmt(date),
        date=fmt(date),
        date_done=fmt(date),
        is_locked=True,
        printed=False,
        return_id=extra.get("return_id"),
        group_id=extra.get("group_id"),
        sale_id=extra.get("sale_id"),
        user_id=ctx["user"],
    )
    return {"id": picking_id, "name": name, "partner": partner, "type": type_.id, "date": date}


def add_move(ctx, rows, picking, product, units, source, destination, **extra):
    """A done move of `units` of `product`, with one done move line per unit (added to each
    unit's life), and its valuation layer when it enters or leaves the company's stock."""
    quantity = len(units)
    date = extra.get("date") or picking["date"]
    reference = extra.get("reference") or picking["name"]
    move_id = rows.add(
        "stock_move",
        name=product["name"],
        reference=reference,
        origin=extra.get("origin"),
        product_id=product["id"],
        product_uom=product["uom"],
        product_uom_qty=quantity,
        product_qty=quantity,
        quantity=quantity,
        location_id=source,
        location_dest_id=destination,
        picking_id=picking and picking["id"],
        picking_type_id=picking and picking["type"],
        partner_id=extra.get("partner"),
        company_id=ctx["company"],
        state="done",
        date=fmt(date),
        procure_method="make_to_stock",
        priority="0",
        sequence=10,
        picked=True,
        scrapped=destination == ctx["scrap"],
        is_inventory=False,
        additional=False,
        propagate_cancel=False,
        price_unit=product["cost"],
        warehouse_id=ctx["warehouse"],
        to_refund=extra.get("to_refund", False),
        origin_returned_move_id=extra.get("returned_move"),
        purchase_line_id=extra.get("purchase_line"),
        sale_line_id=extra.get("sale_line"),
        scrap_id=extra.get("scrap_id"),
        group_id=extra.get("group_id"),
    )
    move = {
        "id": move_id,
        "picking": picking,
        "reference": reference,
        "partner": extra.get("partner"),
        "scrap": extra.get("scrap_id"),
    }
    for unit in units:
        unit.lines.append((move, source, destination, date, extra["event"]))
    add_valuation(ctx, rows, product, move_id, quantity, source, destination, reference)
    return move


def add_valuation(ctx, rows, product, move_id, quantity, source, destination, reference):
    held = {ctx["stock"], ctx["repair"]}
    if (source in held) == (destination in held):
        return
    sign = 1 if destination in held else -1
    rows.add(
        "stock_valuation_layer",
        company_id=ctx["company"],
        product_id=product["id"],
        categ_id=product["categ"],
        stock_move_id=move_id,
        description=f"{reference} - {product['name']}",
        quantity=sign * quantity,
        unit_cost=product["cost"],
        value=sign * quantity * product["cost"],
        remaining_qty=quantity if sign > 0 else 0,
        remaining_value=quantity * product["cost"] if sign > 0 else 0,
    )


def write_receipts(ctx, rows, receipts):
    """One confirmed, fully received purchase order per receipt."""
    for receipt in receipts:
        product, units, date = receipt["product"], receipt["units"], receipt["date"]
        quantity, amount = len(units), len(units) * product["cost"]
        order_name = ctx["names"]["purchase"].next()
        ordered = date - timedelta(days=10)
        order_id = rows.add(
            "purchase_order",
            name=order_name,
            partner_id=receipt["supplier"],
            currency_id=ctx["currency"],
            company_id=ctx["company"],
            picking_type_id=ctx["types"]["in"].id,
            user_id=ctx["user"],
            state="purchase",
            priority="0",
            invoice_status="to invoice",
            receipt_status="full",
            date_order=fmt(ordered),
            date_approve=fmt(ordered),
            date_planned=fmt(date),
            effective_date=fmt(date),
            amount_untaxed=amount,
            amount_tax=0,
            amount_total=amount,
            amount_total_cc=amount,
            currency_rate=1,
            invoice_count=0,
        )
        line_id = rows.add(
            "purchase_order_line",
            order_id=order_id,
            sequence=10,
            product_id=product["id"],
            product_uom=product["uom"],
            name=product["name"],
            product_qty=quantity,
            product_uom_qty=quantity,
            price_unit=product["cost"],
            discount=0,
            price_subtotal=amount,
            price_total=amount,
            price_tax=0,
            qty_received=quantity,
            qty_received_method="stock_moves",
            qty_invoiced=0,
            qty_to_invoice=quantity,
            date_planned=fmt(date),
            state="purchase",
            partner_id=receipt["supplier"],
            currency_id=ctx["currency"],
            company_id=ctx["company"],
        )
        picking = add_picking(
            ctx,
            rows,
            "in",
            ctx["types"]["in"],
            ctx["supplier_loc"],
            ctx["stock"],
            date,
            receipt["supplier"],
            order_name,
        )
        receipt["picking"], receipt["order"] = picking, order_id
        move = add_move(
            ctx,
            rows,
            picking,
            product,
            units,
            ctx["supplier_loc"],
            ctx["stock"],
            origin=order_name,
            partner=None,
            purchase_line=line_id,
            event="received",
        )
        receipt["move"] = move
        for unit in units:
            unit.receipt = receipt


def write_orders(ctx, rows, orders):
    """One confirmed, fully delivered sale order per order, its delivery and moves."""
    customer_loc, stock = ctx["customer_loc"], ctx["stock"]
    for order in orders:
        by_product = group_by_product(order["units"])
        amount = sum(unit.product["price"] for unit in order["units"])
        name = ctx["names"]["sale"].next()
        ordered = order["date"] - timedelta(days=1)
        customer = order["customer"]
        order_id = rows.add(
            "sale_order",
            name=name,
            partner_id=customer,
            partner_invoice_id=customer,
            partner_shipping_id=customer,
            company_id=ctx["company"],
            currency_id=ctx["currency"],
            user_id=ctx["user"],
            state="sale",
            invoice_status="to invoice",
            delivery_status="full",
            date_order=fmt(ordered),
            effective_date=fmt(order["date"]),
            picking_policy="direct",
            warehouse_id=ctx["warehouse"],
            amount_untaxed=amount,
            amount_tax=0,
            amount_total=amount,
            currency_rate=1,
            locked=False,
            require_signature=False,
            require_payment=False,
        )
        group_id = rows.add(
            "procurement_group", name=name, move_type="direct", partner_id=customer, sale_id=order_id
        )
        order.update(id=order_id, name=name, group=group_id, lines={})
        for sequence, (product, units) in enumerate(by_product):
            order["lines"][product["id"]] = add_sale_line(ctx, rows, order, product, units, sequence)
        picking = add_picking(
            ctx,
            rows,
            "out",
            ctx["types"]["out"],
            stock,
            customer_loc,
            order["date"],
            customer,
            name,
            group_id=group_id,
            sale_id=order_id,
        )
        order["picking"], order["moves"] = picking, {}
        for product, units in by_product:
            order["moves"][product["id"]] = add_move(
                ctx,
                rows,
                picking,
                product,
                units,
                stock,
                customer_loc,
                origin=name,
                partner=customer,
                sale_line=order["lines"][product["id"]],
                group_id=group_id,
                event="delivered",
            )
            for unit in units:
                unit.delivery, unit.order_line = order, order["lines"][product["id"]]


def add_sale_line(ctx, rows, order, product, units, sequence):
    """A sale order line of `units`, less those returned for a refund (Odoo's qty_delivered)."""
    quantity = len(units)
    kept = sum(1 for unit in units if not unit.returned)
    amount = quantity * product["price"]
    return rows.add(
        "sale_order_line",
        order_id=order["id"],
        sequence=10 + sequence,
        company_id=ctx["company"],
        currency_id=ctx["currency"],
        order_partner_id=order["customer"],
        salesman_id=ctx["user"],
        product_id=product["id"],
        product_uom=product["uom"],
        state="sale",
        qty_delivered_method="stock_move",
        invoice_status="to invoice" if kept else "no",
        name=product["name"],
        product_uom_qty=quantity,
        price_unit=product["price"],
        technical_price_unit=product["price"],
        discount=0,
        price_subtotal=amount,
        price_total=amount,
        price_tax=0,
        price_reduce_taxexcl=product["price"],
        price_reduce_taxinc=product["price"],
        qty_delivered=kept,
        qty_invoiced=0,
        qty_to_invoice=kept,
        untaxed_amount_invoiced=0,
        untaxed_amount_to_invoice=kept * product["price"],
        customer_lead=0,
        is_downpayment=False,
        is_expense=False,
        warehouse_id=ctx["warehouse"],
    )


def group_by_product(units):
    """[(product, its units)] in the order the products first appear."""
    groups = defaultdict(list)
    for unit in units:
        groups[unit.product["id"]].append(unit)
    return [(units[0].product, units) for units in groups.values()]


def write_returns(ctx, rows, returns):
    """Customer returns as `_return_units` makes them: a return transfer of the delivery, then
    each unit back to stock, to the repair location, or scrapped; a return record per unit."""
    for ret in returns:
        order = ret["order"]
        return_type = ctx["return_types"]["out"]
        picking = add_picking(
            ctx,
            rows,
            "in",
            return_type,
            ctx["customer_loc"],
            ctx["stock"],
            ret["date"],
            order["customer"],
            f"Return of {order['picking']['name']}",
            return_id=order["picking"]["id"],
            group_id=order["group"],
            sale_id=order["id"],
        )
        for product, units in group_by_product(ret["units"]):
            add_move(
                ctx,
                rows,
                picking,
                product,
                units,
                ctx["customer_loc"],
                ctx["stock"],
                origin=picking["name"],
                partner=order["customer"],
                sale_line=order["lines"][product["id"]],
                returned_move=order["moves"][product["id"]]["id"],
                to_refund=True,
                group_id=order["group"],
                event="returned",
            )
        routed = route_returned(ctx, rows, ret, picking)
        for unit in ret["units"]:
            add_return_record(ctx, rows, unit, ret, picking, routed.get(unit))


def route_returned(ctx, rows, ret, return_picking):
    """{unit: "model,id" of the document that routed it} for units going to repair or scrap."""
    routed = {}
    repair = [unit for unit in ret["units"] if unit.returned == "repair"]
    if repair:
        date = ret["date"] + timedelta(hours=1)
        picking = add_picking(
            ctx,
            rows,
            "int",
            ctx["types"]["int"],
            ctx["stock"],
            ctx["repair"],
            date,
            None,
            return_picking["name"],
        )
        for product, units in group_by_product(repair):
            add_move(
                ctx,
                rows,
                picking,
                product,
                units,
                ctx["stock"],
                ctx["repair"],
                origin=picking["name"],
                event="moved",
            )
        routed.update((unit, f"stock.picking,{picking['id']}") for unit in repair)
    for unit in ret["units"]:
        if unit.returned == "scrap":
            scrap_id = add_scrap(ctx, rows, unit, ret["date"] + timedelta(hours=2), return_picking["name"])
            routed[unit] = f"stock.scrap,{scrap_id}"
    return routed


def add_scrap(ctx, rows, unit, date, origin):
    """A done stock.scrap of one unit and its move."""
    name = ctx["names"]["scrap"].next()
    scrap_id = rows.add(
        "stock_scrap",
        name=name,
        origin=origin,
        company_id=ctx["company"],
        product_id=unit.product["id"],
        product_uom_id=unit.product["uom"],
        lot_id=unit.id,
        location_id=ctx["stock"],
        scrap_location_id=ctx["scrap"],
        state="done",
        scrap_qty=1,
        date_done=fmt(date),
        should_replenish=False,
    )
    add_move(
        ctx,
        rows,
        None,
        unit.product,
        [unit],
        ctx["stock"],
        ctx["scrap"],
        date=date,
        reference=name,
        origin=origin,
        scrap_id=scrap_id,
        event="scrapped",
    )
    return scrap_id


def add_return_record(ctx, rows, unit, ret, picking, routed):
    order = ret["order"]
    reason = next(name for key, _s, name in RETURN_DISPOSITIONS if key == unit.returned)
    rows.add(
        "storq_serial_return_record",
        lot_id=unit.id,
        product_id=unit.product["id"],
        partner_id=order["customer"],
        sale_id=order["id"],
        delivery_picking_id=order["picking"]["id"],
        delivered_date=fmt(unit.delivered),
        supplier_id=unit.receipt["supplier"],
        reason_id=ctx["reasons"][reason],
        disposition=unit.returned,
        date=fmt(ret["date"]),
        user_id=ctx["user"],
        return_picking_id=picking["id"],
        disposition_ref=routed,
        company_id=ctx["company"],
        note=None,
    )


def write_stock_exits(ctx, rows, scrapped, to_vendor):
    """Units scrapped from stock (one scrap each) and units sent back to their vendor (one
    transfer per receipt)."""
    rng, now = ctx["rng"], ctx["now"]
    for unit in scrapped:
        date = min(unit.received + timedelta(days=rng.uniform(5, 200)), now - timedelta(hours=3))
        add_scrap(ctx, rows, unit, date, None)
    by_receipt = defaultdict(list)
    for unit in to_vendor:
        by_receipt[id(unit.receipt)].append(unit)
    for units in by_receipt.values():
        receipt = units[0].receipt
        date = min(receipt["date"] + timedelta(days=rng.uniform(3, 30)), now - timedelta(hours=3))
        picking = add_picking(
            ctx,
            rows,
            "out",
            ctx["return_types"]["in"],
            ctx["stock"],
            ctx["supplier_loc"],
            date,
            receipt["supplier"],
            f"Return of {receipt['picking']['name']}",
            return_id=receipt["picking"]["id"],
        )
        add_move(
            ctx,
            rows,
            picking,
            receipt["product"],
            units,
            ctx["stock"],
            ctx["supplier_loc"],
            origin=picking["name"],
            returned_move=receipt["move"]["id"],
            to_refund=True,
            event="returned_to_vendor",
        )


# ----------------------------------------------------------------------
# Units: lots with their record, move lines, events
# ----------------------------------------------------------------------
STATE_BY_EVENT = {
    "received": "in_stock",
    "returned": "in_stock",
    "delivered": "delivered",
    "scrapped": "scrapped",
    "returned_to_vendor": "returned_to_vendor",
}


def settle_unit(ctx, unit):
    """The unit record after its life, as `_storq_record_moves` leaves it."""
    for _move, _source, destination, _date, event in unit.lines:
        if event == "moved":
            unit.state, unit.location = (
                ("in_repair" if destination == ctx["repair"] else "in_stock"),
                destination,
            )
        else:
            unit.state = STATE_BY_EVENT[event]
            unit.location = destination if unit.state == "in_stock" else None
        unit.partner = unit.delivery["customer"] if event == "delivered" else None


def allocate_lots(ctx, units):
    for unit in units:
        unit.id = new_id(ctx, "stock_lot")


def write_units(ctx, rows, units):
    """Each unit's lot (with its record), its done move lines and their events, its block."""
    rng, stock = ctx["rng"], ctx["stock"]
    expected = ctx["expected"]
    for unit in units:
        settle_unit(ctx, unit)
        if unit.state == "in_stock" and rng.random() < 0.01:
            unit.blocked = BLOCK_REASON.format(rng.randint(1, 40))
        add_lot(ctx, rows, unit)
        for move, source, destination, date, event in unit.lines:
            line_id = add_move_line(ctx, rows, unit, move, source, destination, date)
            add_event(ctx, rows, unit, event, date, move, source, destination, line_id)
        if unit.blocked:
            date = ctx["now"] - timedelta(days=rng.uniform(0, 30))
            add_event(ctx, rows, unit, "blocked", date, None, stock, None, None, note=unit.blocked)
        add_warranty_events(ctx, rows, unit)
        expected[("state", unit.state)] += 1
        expected[("warranty", unit.warranty[2])] += 1
        expected["blocked"] += bool(unit.blocked)
        expected["units"] += 1


def settle_warranty(ctx, unit):
    """The unit's coverage as the module leaves it: the vendor's from our receipt; the
    customer's from its delivery (`_storq_start_on_delivery`), kept when the unit comes back,
    and moved to expired the night after its end (`_storq_expire_warranty_batch`)."""
    unit.supplier_end = wty_add_months(unit.received.date(), VENDOR_WARRANTY_MONTHS)
    if not unit.delivery:
        unit.warranty = (None, None, "none")
        return
    start = unit.delivered.date()
    end = wty_add_months(start, WARRANTY_MONTHS)
    unit.warranty = (start, end, "active" if ctx["now"].date() <= end else "expired")


def add_warranty_events(ctx, rows, unit):
    """The warranty events of a delivered unit: started with its delivery, expired the night
    after its end (with the unit's customer and place of that night), as the module writes them."""
    start, end, state = unit.warranty
    if not start:
        return
    delivery = unit.delivery["picking"]
    note = f"Covered {start} to {end}. {ctx['warranty_note']}"
    add_event(
        ctx,
        rows,
        unit,
        "warranty_started",
        unit.delivered,
        None,
        None,
        None,
        None,
        note=note,
        document=f"stock.picking,{delivery['id']}",
        document_name=delivery["name"],
        partner=unit.delivery["customer"],
    )
    if state == "expired":
        date = min(
            datetime.combine(end + timedelta(days=1), datetime.min.time()) + timedelta(hours=2), ctx["now"]
        )
        partner, location = situation_at(ctx, unit, date)
        add_event(
            ctx,
            rows,
            unit,
            "warranty_expired",
            date,
            None,
            location,
            None,
            None,
            note=f"Warranty ended on {end}.",
            partner=partner,
        )


def situation_at(ctx, unit, date):
    """(customer, location) of the unit record at `date`, from its moves up to then."""
    partner = location = None
    for _move, _source, destination, when, event in unit.lines:
        if when > date:
            break
        partner = unit.delivery["customer"] if event == "delivered" else None
        location = destination if destination in (ctx["stock"], ctx["repair"]) else None
    return partner, location


def wty_add_months(start, months):
    from odoo.addons.storq_serials.tools.warranty import add_months

    return add_months(start, months)


def add_lot(ctx, rows, unit):
    receipt, delivery = unit.receipt, unit.delivery
    held = unit.state in ("in_stock", "in_repair")
    settle_warranty(ctx, unit)
    start, end, warranty_state = unit.warranty
    rows.add(
        "stock_lot",
        id=unit.id,
        name=unit.name,
        product_id=unit.product["id"],
        product_uom_id=unit.product["uom"],
        company_id=ctx["company"],
        # Odoo's single location: where its only positive quant is (a customer's, the scrap's).
        location_id=unit.lines[-1][2] if unit.lines[-1][2] != ctx["supplier_loc"] else None,
        storq_serial_control=True,
        storq_serial_unique_company_wide=False,
        storq_supplier_id=receipt["supplier"],
        storq_purchase_id=receipt["order"],
        storq_receipt_picking_id=receipt["picking"]["id"],
        storq_received_date=fmt(unit.received),
        storq_state=unit.state,
        storq_location_id=unit.location if held else None,
        storq_partner_id=unit.partner,
        storq_sale_line_id=unit.order_line,
        storq_sale_id=delivery and delivery["id"],
        storq_delivery_picking_id=delivery and delivery["picking"]["id"],
        storq_delivered_date=delivery and fmt(unit.delivered),
        storq_blocked=bool(unit.blocked),
        storq_block_reason=unit.blocked,
        storq_warranty_date_start=start,
        storq_warranty_date_end=end,
        storq_warranty_state=warranty_state,
        storq_supplier_warranty_date_end=unit.supplier_end,
        **ctx["lot_key"](unit.name),
    )


def lot_key_function(env):
    """The stored serial key columns of a unit (prefix, digits, width, suffix: the natural serial
    order recalls compare ranges with), when the module has them; else none."""
    if "storq_serial_prefix" not in env["stock.lot"]._fields:
        return lambda name: {}
    from odoo.addons.storq_serials.tools.serial_order import serial_key

    def key(name):
        values = serial_key(name)
        return {
            "storq_serial_prefix": values["prefix"],
            "storq_serial_digits": values["digits"],
            "storq_serial_width": values["width"],
            "storq_serial_suffix": values["suffix"],
        }

    return key


def add_move_line(ctx, rows, unit, move, source, destination, date):
    picking = move["picking"]
    return rows.add(
        "stock_move_line",
        move_id=move["id"],
        picking_id=picking and picking["id"],
        company_id=ctx["company"],
        product_id=unit.product["id"],
        product_uom_id=unit.product["uom"],
        lot_id=unit.id,
        location_id=source,
        location_dest_id=destination,
        state="done",
        reference=move["reference"],
        quantity=1,
        quantity_product_uom=1,
        picked=True,
        date=fmt(date),
    )


def add_event(
    ctx,
    rows,
    unit,
    event,
    date,
    move,
    source,
    destination,
    line_id,
    note=None,
    document=None,
    partner=None,
    document_name=None,
):
    """An event as the module writes it, with its document's name (a picking's or a scrap's)."""
    picking = move and move["picking"]
    if move:
        document = f"stock.picking,{picking['id']}" if picking else f"stock.scrap,{move['scrap']}"
        document_name = picking["name"] if picking else move["reference"]
        partner = move["partner"] or (picking and picking["partner"])
        note = move["reference"]
    rows.add(
        "storq_serial_event",
        lot_id=unit.id,
        product_id=unit.product["id"],
        company_id=ctx["company"],
        event_type=event,
        date=fmt(date),
        user_id=ctx["user"],
        partner_id=partner,
        location_id=source,
        location_dest_id=destination,
        move_line_id=line_id,
        document_ref=document,
        document_name=document_name,
        note=note,
    )
    ctx["expected"][("event", event)] += 1


# ----------------------------------------------------------------------
# Building
# ----------------------------------------------------------------------
def build_batch(ctx, count):
    """Plan and write `count` units with their documents."""
    rows = Rows(ctx)
    units, receipts = plan_receipts(ctx, count)
    allocate_lots(ctx, units)
    delivered, scrapped, to_vendor = plan_fates(ctx, units)
    orders = plan_orders(ctx, delivered)
    returns = plan_returns(ctx, orders)
    write_receipts(ctx, rows, receipts)
    write_orders(ctx, rows, orders)
    write_returns(ctx, rows, returns)
    write_stock_exits(ctx, rows, scrapped, to_vendor)
    write_units(ctx, rows, units)
    for table in TABLE_ORDER:
        rows.copy(table)
    ctx["expected"]["sale_orders"] += len(orders)
    ctx["expected"]["purchase_orders"] += len(receipts)
    ctx["expected"]["returns"] += sum(len(ret["units"]) for ret in returns)


def derive_quants(ctx):
    """The quants Odoo would hold: per lot and location, what the done move lines left there."""
    product_ids = [product["id"] for product in ctx["products"]]
    ctx["env"].cr.execute(
        """
        INSERT INTO stock_quant (product_id, company_id, location_id, lot_id, quantity,
                                 reserved_quantity, in_date, inventory_quantity_set,
                                 create_uid, create_date, write_uid, write_date)
        SELECT moved.product_id, location.company_id, moved.location_id, moved.lot_id, sum(moved.quantity), 0,
               max(moved.date), false, %(user)s, now() at time zone 'utc', %(user)s, now() at time zone 'utc'
          FROM (SELECT product_id, location_dest_id AS location_id, lot_id, quantity, date
                  FROM stock_move_line WHERE state = 'done' AND product_id = ANY(%(products)s)
                UNION ALL
                SELECT product_id, location_id, lot_id, -quantity, date
                  FROM stock_move_line WHERE state = 'done' AND product_id = ANY(%(products)s)) AS moved
          JOIN stock_location location ON location.id = moved.location_id
         GROUP BY moved.product_id, location.company_id, moved.location_id, moved.lot_id
        HAVING sum(moved.quantity) <> 0
        """,
        {"products": product_ids, "user": ctx["user"]},
    )


def link_order_groups(ctx):
    """Each sale order's procurement group (the two point at each other: set once both exist)."""
    ctx["env"].cr.execute(
        """
        UPDATE sale_order SET procurement_group_id = pg.id
          FROM procurement_group pg
         WHERE pg.sale_id = sale_order.id AND sale_order.procurement_group_id IS NULL
        """
    )


def save_sequences(ctx):
    for names in ctx["names"].values():
        names.save()


def build(env, units, seed=SEED, batch=BATCH, log=None):
    """Write `units` units with their history into env's database; the expected counts."""
    log = log or (lambda message: None)
    started = time.perf_counter()
    ctx = setup_master(env, units, random.Random(seed))
    log(f"master data in {time.perf_counter() - started:.1f} s")
    for offset in range(0, units, batch):
        build_batch(ctx, min(batch, units - offset))
        log(f"{offset + min(batch, units - offset)} units written, {time.perf_counter() - started:.1f} s")
    derive_quants(ctx)
    link_order_groups(ctx)
    save_sequences(ctx)
    env.invalidate_all()
    env.registry.clear_cache()
    log(f"quants derived, {time.perf_counter() - started:.1f} s")
    copies = ctx["copy_seconds"].most_common()
    log("COPY seconds: " + ", ".join(f"{table} {seconds:.1f}" for table, seconds in copies))
    return ctx


def set_warranty_terms(env, product_ids):
    """Warranty terms on the products: 24 months from delivery; the vendors' 12 months from our
    receipt. (The builder writes each unit's coverage with its lot, `settle_warranty`.)"""
    products = env["product.product"].browse(product_ids)
    products.product_tmpl_id.write(
        {
            "storq_warranty_duration": WARRANTY_MONTHS,
            "storq_warranty_unit": "months",
            "storq_warranty_trigger": "delivery",
        }
    )
    products.product_tmpl_id.seller_ids.write({"storq_warranty_duration": VENDOR_WARRANTY_MONTHS})
    env.flush_all()


def warranty_note(env):
    """The terms note the module writes on a warranty_started event of the builder's products."""
    from odoo.addons.storq_serials.models.stock_lot_warranty import Terms

    return env["stock.lot"]._storq_terms_note(Terms(WARRANTY_MONTHS, "months", "delivery", 0))


def fill_warranty(env, product_ids):
    """For a database built before the builder wrote coverage with the lots: the terms, then
    each unit's coverage as the delivery would have frozen it, in two statements (no events):
    delivered units get their start, end and state, received units their vendor warranty end."""
    set_warranty_terms(env, product_ids)
    env.cr.execute(
        """
        UPDATE stock_lot
           SET storq_warranty_date_start = storq_delivered_date::date,
               storq_warranty_date_end = (storq_delivered_date::date + %(months)s * interval '1 month')::date,
               storq_warranty_state = CASE
                   WHEN (storq_delivered_date::date + %(months)s * interval '1 month')::date >= current_date
                   THEN 'active' ELSE 'expired' END
         WHERE product_id = ANY(%(products)s) AND storq_delivered_date IS NOT NULL
           AND storq_state IN ('delivered', 'in_repair')
        """,
        {"months": WARRANTY_MONTHS, "products": product_ids},
    )
    env.cr.execute(
        """
        UPDATE stock_lot
           SET storq_supplier_warranty_date_end =
               (storq_received_date::date + %(months)s * interval '1 month')::date
         WHERE product_id = ANY(%(products)s) AND storq_received_date IS NOT NULL
        """,
        {"months": VENDOR_WARRANTY_MONTHS, "products": product_ids},
    )
    env["stock.lot"].invalidate_model()


# ----------------------------------------------------------------------
# Checking: what Odoo reads back
# ----------------------------------------------------------------------
def check(env, ctx):
    """Raise DataCheckError with every disagreement between the data, Odoo and the unit records."""
    products = env["product.product"].browse([product["id"] for product in ctx["products"]])
    problems = []
    for check_function in CHECKS:
        problems.extend(check_function(env, products, ctx))
    if problems:
        raise DataCheckError("The benchmark data does not hold together:\n- " + "\n- ".join(problems))


def check_counts(env, products, ctx):
    expected = ctx["expected"]
    Lot = env["stock.lot"]
    problems = []
    states = dict(Lot._read_group([("product_id", "in", products.ids)], ["storq_state"], ["__count"]))
    wanted = {
        key[1]: count for key, count in expected.items() if isinstance(key, tuple) and key[0] == "state"
    }
    if states != wanted:
        problems.append(f"units per state: Odoo counts {states}, the builder wrote {wanted}")
    blocked = Lot.search_count([("product_id", "in", products.ids), ("storq_blocked", "=", True)])
    if blocked != expected["blocked"]:
        problems.append(f"blocked units: {blocked}, expected {expected['blocked']}")
    events = dict(
        env["storq.serial.event"]._read_group(
            [("product_id", "in", products.ids)], ["event_type"], ["__count"]
        )
    )
    wanted = {
        key[1]: count for key, count in expected.items() if isinstance(key, tuple) and key[0] == "event"
    }
    if events != wanted:
        problems.append(f"events per type: Odoo counts {events}, the builder wrote {wanted}")
    warranty = dict(
        Lot._read_group([("product_id", "in", products.ids)], ["storq_warranty_state"], ["__count"])
    )
    wanted = {
        key[1]: count for key, count in expected.items() if isinstance(key, tuple) and key[0] == "warranty"
    }
    if warranty != wanted:
        problems.append(f"units per warranty state: Odoo counts {warranty}, the builder wrote {wanted}")
    records = env["storq.serial.return.record"].search_count([("product_id", "in", products.ids)])
    if records != expected["returns"]:
        problems.append(f"return records: {records}, expected {expected['returns']}")
    return problems


def check_quants(env, products, ctx):
    """Quants per product and internal location equal the units the record says are there."""
    quants = {
        (product.id, location.id): quantity
        for product, location, quantity in env["stock.quant"]._read_group(
            [("product_id", "in", products.ids), ("location_id.usage", "in", ("internal", "transit"))],
            ["product_id", "location_id"],
            ["quantity:sum"],
        )
        if quantity
    }
    units = {
        (product.id, location.id): count
        for product, location, count in env["stock.lot"]._read_group(
            [("product_id", "in", products.ids), ("storq_state", "in", ("in_stock", "in_repair"))],
            ["product_id", "storq_location_id"],
            ["__count"],
        )
    }
    problems = []
    if quants != units:
        problems.append(f"quants per product and location {quants} differ from the units held there {units}")
    for product in products:
        held = sum(count for (product_id, _l), count in units.items() if product_id == product.id)
        if product.qty_available != held:
            problems.append(f"{product.display_name}: on hand {product.qty_available}, units held {held}")
    return problems


def check_sql(env, products, ctx):
    """Row-level checks too large for the ORM at a million units: one query each."""
    checks = {
        "delivered units without a done move line to a customer on their delivery": """
            SELECT count(*) FROM stock_lot lot
             WHERE lot.product_id = ANY(%(p)s) AND lot.storq_state = 'delivered'
               AND NOT EXISTS (SELECT 1 FROM stock_move_line line
                                 JOIN stock_location dest ON dest.id = line.location_dest_id
                                WHERE line.lot_id = lot.id AND line.state = 'done' AND dest.usage = 'customer'
                                  AND line.picking_id = lot.storq_delivery_picking_id
                                  AND line.date = lot.storq_delivered_date)""",
        "units whose last done move line does not end where the record says": """
            SELECT count(*) FROM (SELECT DISTINCT ON (line.lot_id) line.lot_id, line.location_dest_id
                                    FROM stock_move_line line
                                   WHERE line.product_id = ANY(%(p)s) AND line.state = 'done'
                                   ORDER BY line.lot_id, line.date DESC, line.id DESC) last
              JOIN stock_lot lot ON lot.id = last.lot_id
             WHERE lot.storq_location_id IS DISTINCT FROM
                   CASE WHEN lot.storq_state IN ('in_stock', 'in_repair') THEN last.location_dest_id END""",
        "units whose quants do not add up to zero over all locations": """
            SELECT count(*) FROM (SELECT lot_id FROM stock_quant WHERE product_id = ANY(%(p)s)
                                   GROUP BY lot_id HAVING sum(quantity) <> 0) odd""",
        "units held in stock without exactly one quant of 1 where the record says": """
            SELECT count(*) FROM stock_lot lot WHERE lot.product_id = ANY(%(p)s)
               AND lot.storq_state IN ('in_stock', 'in_repair')
               AND (SELECT count(*) FROM stock_quant quant
                       JOIN stock_location loc ON loc.id = quant.location_id
                     WHERE quant.lot_id = lot.id AND loc.usage = 'internal' AND quant.quantity = 1
                       AND quant.location_id = lot.storq_location_id) <> 1""",
        "units whose events do not match their done move lines": """
            SELECT count(*) FROM stock_move_line line
             WHERE line.product_id = ANY(%(p)s) AND line.state = 'done'
               AND NOT EXISTS (SELECT 1 FROM storq_serial_event event WHERE event.move_line_id = line.id
                                  AND event.lot_id = line.lot_id AND event.date = line.date)""",
        "events whose document is not named as the module names it (the history shows that name)": """
            SELECT count(*) FROM storq_serial_event event
              LEFT JOIN stock_picking picking ON event.document_ref = 'stock.picking,' || picking.id
              LEFT JOIN stock_scrap scrap ON event.document_ref = 'stock.scrap,' || scrap.id
             WHERE event.product_id = ANY(%(p)s)
               AND (event.document_ref LIKE 'stock.picking,%%' OR event.document_ref LIKE 'stock.scrap,%%')
               AND event.document_name IS DISTINCT FROM COALESCE(picking.name, scrap.name)""",
        "units whose warranty is not 24 months from their first delivery, or its state not as of today": """
            SELECT count(*) FROM stock_lot lot
             WHERE lot.product_id = ANY(%(p)s)
               AND (lot.storq_warranty_date_start IS DISTINCT FROM lot.storq_delivered_date::date
                    OR lot.storq_warranty_date_end IS DISTINCT FROM
                       (lot.storq_delivered_date::date + interval '24 months')::date
                    OR lot.storq_warranty_state IS DISTINCT FROM
                       CASE WHEN lot.storq_delivered_date IS NULL THEN 'none'
                            WHEN lot.storq_warranty_date_end >= current_date THEN 'active'
                            ELSE 'expired' END
                    OR lot.storq_supplier_warranty_date_end IS DISTINCT FROM
                       (lot.storq_received_date::date + interval '12 months')::date)""",
        "units whose warranty started without its event, or expired without its event": """
            SELECT count(*) FROM stock_lot lot
              LEFT JOIN (SELECT lot_id, bool_or(event_type = 'warranty_started') AS started,
                                bool_or(event_type = 'warranty_expired') AS expired
                           FROM storq_serial_event
                          WHERE event_type IN ('warranty_started', 'warranty_expired')
                          GROUP BY lot_id) warranty ON warranty.lot_id = lot.id
             WHERE lot.product_id = ANY(%(p)s)
               AND ((lot.storq_warranty_state <> 'none') <> coalesce(warranty.started, false)
                    OR (lot.storq_warranty_state = 'expired') <> coalesce(warranty.expired, false))""",
        "delivered units whose customer is not their sale order's": """
            SELECT count(*) FROM stock_lot lot JOIN sale_order so ON so.id = lot.storq_sale_id
             WHERE lot.product_id = ANY(%(p)s) AND lot.storq_state = 'delivered'
               AND so.partner_id IS DISTINCT FROM lot.storq_partner_id""",
    }
    problems = []
    for label, query in checks.items():
        env.cr.execute(query, {"p": products.ids})
        count = env.cr.fetchone()[0]
        if count:
            problems.append(f"{count} {label}")
    return problems


def check_computed(env, products, ctx, sample=300):
    """Odoo's own computations on a sample agree with the stored values the builder wrote."""
    problems = []
    sale_lines = env["sale.order.line"].search(
        [("product_id", "in", products.ids)], limit=sample, order="id desc"
    )
    purchase_lines = env["purchase.order.line"].search(
        [("product_id", "in", products.ids)], limit=sample, order="id desc"
    )
    lots = env["stock.lot"].search([("product_id", "in", products.ids)], limit=sample, order="id desc")
    for records, field, method in (
        (sale_lines, "qty_delivered", "_compute_qty_delivered"),
        (purchase_lines, "qty_received", "_compute_qty_received"),
        (lots, "location_id", "_compute_single_location"),
        *serial_key_check(lots),
    ):
        stored = {record.id: record[field] for record in records}
        env.invalidate_all()
        with env.protecting([records._fields[field]], records):
            getattr(records, method)()
            computed = {record.id: record[field] for record in records}
        wrong = [key for key in stored if stored[key] != computed[key]]
        if wrong:
            problems.append(
                f"{len(wrong)} of {len(records)} {records._name}.{field} differ from Odoo's computation"
            )
        env.invalidate_all()
    return problems


def serial_key_check(lots):
    """The serial key (natural serial order) when the module stores it."""
    return (
        [(lots, "storq_serial_digits", "_compute_storq_serial_key")] if "storq_serial_digits" in lots else []
    )


CHECKS = (check_counts, check_quants, check_sql, check_computed)


# ----------------------------------------------------------------------
# Claims and recalls: a post-step, through the module's own flows
# ----------------------------------------------------------------------
# Warranty claims per delivered unit, and how far each got: (state, share, steps after opening).
CLAIMS_PER_DELIVERED = 0.004
CLAIM_PATHS = (
    ("new", 0.15, ()),
    ("review", 0.15, ("review",)),
    ("approved", 0.15, ("review", "approve")),
    ("rejected", 0.15, ("review", "reject")),
    ("resolved", 0.15, ("review", "approve", "resolve")),
    ("closed", 0.15, ("review", "approve", "resolve", "close")),
    ("closed", 0.1, ("review", "reject", "close")),
)
# The event each step writes on the unit (review writes none), and the days it takes.
CLAIM_STEP_EVENTS = {
    "approve": "claim_approved",
    "reject": "claim_rejected",
    "resolve": "claim_resolved",
    "close": "claim_closed",
}
CLAIM_PROBLEMS = (
    "Does not power on.",
    "Screen flickers after a few minutes.",
    "Battery drains within hours.",
    "Stopped charging.",
    "Dropped connection every few minutes.",
    "Buttons unresponsive.",
)
RECALL_TITLES = ("Bench recall: swelling batteries", "Bench recall: charger overheating (draft)")
QUIET = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
}


def bench_products(env):
    return env["product.product"].search([("name", "=like", "Bench %"), ("storq_serial_control", "=", True)])


def add_claims_and_recalls(env, products, seed=SEED, log=None):
    """Warranty claims on a few delivered units per thousand, in every state, and two recalls of
    the tablet (one confirmed with its lines, one draft), through the module's own methods (so
    they hold what the module writes: claim facts and coverage, events, recall lines, blocks),
    then the claims' dates spread over the units' lives by SQL. Works on an existing database;
    refused when it already has them. Returns the expected counts `check_claims` compares."""
    log = log or (lambda message: None)
    env = env(context=dict(env.context, **QUIET))
    if env["storq.warranty.claim"].search_count([("product_id", "in", products.ids)]) or env[
        "storq.recall"
    ].search_count([("title", "in", RECALL_TITLES)]):
        raise DataCheckError("This database already has the benchmark claims and recalls.")
    rng = random.Random(seed + 1)
    started = time.perf_counter()
    events_before, blocked_before = event_counts(env, products)
    expected = add_claims(env, products, rng)
    log(f"{expected['claims']} claims in {time.perf_counter() - started:.1f} s")
    expected.update(add_recalls(env, products))
    log(f"recalls in {time.perf_counter() - started:.1f} s")
    env.flush_all()
    env.invalidate_all()
    events_after, blocked_after = event_counts(env, products)
    expected["events_added"] = dict(events_after - events_before)
    expected["blocked_added"] = blocked_after - blocked_before
    return expected


def event_counts(env, products):
    """(Counter of events per type, blocked units) of the products' units."""
    env.flush_all()
    env.cr.execute(
        "SELECT event_type, count(*) FROM storq_serial_event WHERE product_id = ANY(%s) GROUP BY event_type",
        [products.ids],
    )
    events = Counter(dict(env.cr.fetchall()))
    env.cr.execute(
        "SELECT count(*) FROM stock_lot WHERE product_id = ANY(%s) AND storq_blocked", [products.ids]
    )
    return events, env.cr.fetchone()[0]


def merge_expected(ctx, claims_expected):
    """Add what the claims and recalls step wrote (events, blocks) to the build's expected counts,
    so that `check` holds after it too."""
    for event_type, count in claims_expected["events_added"].items():
        ctx["expected"][("event", event_type)] += count
    ctx["expected"]["blocked"] += claims_expected["blocked_added"]


def add_claims(env, products, rng):
    now = datetime.now().replace(microsecond=0)
    env.cr.execute(
        """SELECT id, storq_delivered_date FROM stock_lot
            WHERE product_id = ANY(%s) AND storq_state = 'delivered' AND NOT storq_blocked
              AND storq_delivered_date < %s ORDER BY id""",
        [products.ids, now - timedelta(days=10)],
    )
    delivered = env.cr.fetchall()
    count = min(len(delivered), max(14, round(len(delivered) * CLAIMS_PER_DELIVERED)))
    chosen = rng.sample(delivered, count)
    paths = [rng.choices(CLAIM_PATHS, [share for _s, share, _p in CLAIM_PATHS])[0] for _c in chosen]
    # The first claims take every path once, so that a small database has them all.
    paths[: len(CLAIM_PATHS)] = CLAIM_PATHS[: len(chosen)]
    vals_list, timeline = [], []
    for (lot_id, delivered_on), (_state, _share, steps) in zip(chosen, paths, strict=True):
        # Between the delivery and today (its last steps done by now), up to 28 months later:
        # most within the 24 months of warranty, some after it ran out.
        latest = min(30 * 28, (now - delivered_on).days - 2 * len(steps) - 1)
        opened = delivered_on + timedelta(days=rng.uniform(3, max(latest, 3)), hours=rng.uniform(0, 8))
        vals_list.append(
            {
                "lot_id": lot_id,
                "description": rng.choice(CLAIM_PROBLEMS),
                "claim_date": opened.date(),
                "resolution": "goodwill" if "resolve" in steps else "repair",
            }
        )
        timeline.append((opened, steps))
    Claim = env["storq.warranty.claim"]
    claims = Claim.create(vals_list)
    by_step = defaultdict(list)
    for claim, (_opened, steps) in zip(claims, timeline, strict=True):
        for step in steps:
            by_step[step].append(claim.id)
    Claim.browse(by_step["review"]).action_review()
    Claim.browse(by_step["approve"]).action_approve()
    rejected = Claim.browse(by_step["reject"])
    for claim in rejected:
        claim.reject_reason = "Damage from a fall: not covered by the warranty."
    rejected.action_reject()
    for claim in Claim.browse(by_step["resolve"]):
        claim.action_apply_resolution()  # goodwill: nothing moves
    Claim.browse(by_step["close"]).action_close()
    env.flush_all()
    backdate_claims(env, claims, timeline, rng)
    expected = Counter(claims=len(claims))
    for state, _share, _steps in paths:
        expected[("claim", state)] += 1
    for step, ids in by_step.items():
        if step in CLAIM_STEP_EVENTS:
            expected[("claim_event", CLAIM_STEP_EVENTS[step])] += len(ids)
    expected[("claim_event", "claim_opened")] += len(claims)
    return expected


def backdate_claims(env, claims, timeline, rng):
    """Each claim and its unit events at the claim's own dates: opened on the claim day, each
    later step one to three days after the previous one (the module dated them today)."""
    from psycopg2.extras import execute_values

    events, records = [], []
    for claim, (opened, steps) in zip(claims, timeline, strict=True):
        when = opened
        events.append((f"storq.warranty.claim,{claim.id}", "claim_opened", when))
        for step in steps:
            when += timedelta(days=rng.uniform(1, 2), hours=rng.uniform(0, 4))
            if step in CLAIM_STEP_EVENTS:
                events.append((f"storq.warranty.claim,{claim.id}", CLAIM_STEP_EVENTS[step], when))
        records.append((claim.id, opened, when))
    execute_values(
        env.cr._obj,
        """UPDATE storq_serial_event event SET date = dated.date, create_date = dated.date,
                  write_date = dated.date
             FROM (VALUES %s) AS dated (ref, type, date)
            WHERE event.document_ref = dated.ref AND event.event_type = dated.type
              AND event.event_type IN ('claim_opened', 'claim_approved', 'claim_rejected', 'claim_resolved',
                                       'claim_closed')""",
        events,
        template="(%s, %s, %s::timestamp)",
        page_size=5000,
    )
    execute_values(
        env.cr._obj,
        """UPDATE storq_warranty_claim claim SET create_date = dated.opened, write_date = dated.last
             FROM (VALUES %s) AS dated (id, opened, last) WHERE claim.id = dated.id""",
        records,
        template="(%s, %s::timestamp, %s::timestamp)",
        page_size=5000,
    )
    env.invalidate_all()


def recall_product(env, products):
    """(product, confirmed size, draft size): a confirmed recall of one tablet in 100 and a draft
    one of the next unit in 1,000, the tablet's last serials (the recall benchmark takes the
    phone's middle ones); on a small database, of the product with the most units."""
    env.cr.execute(
        "SELECT product_id, count(*) FROM stock_lot WHERE product_id = ANY(%s) GROUP BY product_id",
        [products.ids],
    )
    counts = dict(env.cr.fetchall())
    tablet = products.filtered(lambda product: product.name == "Bench tablet T8")
    product = tablet if counts.get(tablet.id, 0) >= 1000 else products.browse(max(counts, key=counts.get))
    total = counts[product.id]
    return product, max(10, total // 100), max(5, total // 1000)


def add_recalls(env, products):
    product, confirmed_size, draft_size = recall_product(env, products)
    env.cr.execute(
        "SELECT name FROM stock_lot WHERE product_id = %s ORDER BY name DESC LIMIT %s",
        [product.id, confirmed_size + draft_size],
    )
    serials = [name for (name,) in reversed(env.cr.fetchall())]
    Recall = env["storq.recall"]
    recalls = Recall.create(
        [
            {
                "title": title,
                "reason": "Benchmark data.",
                "product_ids": [(6, 0, product.ids)],
                "range_ids": [(0, 0, {"serial_from": first, "serial_to": last, "product_id": product.id})],
            }
            for title, (first, last) in zip(
                RECALL_TITLES,
                ((serials[0], serials[confirmed_size - 1]), (serials[confirmed_size], serials[-1])),
                strict=True,
            )
        ]
    )
    confirmed, draft = recalls
    for recall in recalls:
        recall.action_preview()
    confirmed.action_confirm()
    for _batch in range(10_000):
        if confirmed.state != "confirming":
            break
        Recall._cron_confirm_batches()
        env.flush_all()
    if confirmed.state != "confirmed":
        raise DataCheckError(f"{confirmed.name} is {confirmed.state} after its batches, not confirmed.")
    return {
        "recall_confirmed": confirmed.id,
        "recall_draft": draft.id,
        "recall_units": confirmed_size,
        "recall_draft_units": draft_size,
    }


def check_claims(env, products, expected):
    """The claims and recalls hold what the module writes: facts and coverage from the unit,
    one open claim per unit, the events of each step, a confirmed recall's lines, blocks and
    events. `expected` from `add_claims_and_recalls` (None: the shape only)."""
    problems = []
    Claim = env["storq.warranty.claim"]
    states = dict(Claim._read_group([("product_id", "in", products.ids)], ["state"], ["__count"]))
    if expected:
        wanted = {
            key[1]: count for key, count in expected.items() if isinstance(key, tuple) and key[0] == "claim"
        }
        if states != wanted:
            problems.append(f"claims per state: Odoo counts {states}, the builder made {wanted}")
        events = dict(
            env["storq.serial.event"]._read_group(
                [("product_id", "in", products.ids), ("event_type", "like", "claim_")],
                ["event_type"],
                ["__count"],
            )
        )
        wanted = {
            key[1]: count
            for key, count in expected.items()
            if isinstance(key, tuple) and key[0] == "claim_event"
        }
        if events != wanted:
            problems.append(f"claim events per type: Odoo counts {events}, the builder made {wanted}")
    elif len(states) < 4:
        problems.append(f"claims in too few states: {states}")
    checks = {
        "claims whose facts are not their unit's (product, order, delivery, vendor, delivery day)": """
            SELECT count(*) FROM storq_warranty_claim claim JOIN stock_lot lot ON lot.id = claim.lot_id
             WHERE claim.product_id = ANY(%(p)s)
               AND (claim.product_id <> lot.product_id OR claim.sale_id IS DISTINCT FROM lot.storq_sale_id
                    OR claim.delivery_picking_id IS DISTINCT FROM lot.storq_delivery_picking_id
                    OR claim.supplier_id IS DISTINCT FROM lot.storq_supplier_id
                    OR claim.partner_id IS DISTINCT FROM lot.storq_partner_id
                    OR claim.delivery_date IS DISTINCT FROM
                       (lot.storq_delivered_date AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date)""",
        "claims whose coverage is not the unit's warranty on the claim day": """
            SELECT count(*) FROM storq_warranty_claim claim JOIN stock_lot lot ON lot.id = claim.lot_id
             WHERE claim.product_id = ANY(%(p)s)
               AND (claim.warranty_date_end IS DISTINCT FROM lot.storq_warranty_date_end
                    OR claim.supplier_warranty_date_end IS DISTINCT FROM lot.storq_supplier_warranty_date_end
                    OR claim.coverage <> CASE WHEN claim.claim_date <= lot.storq_warranty_date_end
                                              THEN 'covered' ELSE 'expired' END)""",
        "claims without their opening event on the claim day, or with an event before the delivery": """
            WITH event AS (SELECT lot_id, document_ref, event_type, date FROM storq_serial_event
                            WHERE product_id = ANY(%(p)s) AND event_type IN %(types)s)
            SELECT count(*) FROM storq_warranty_claim claim
              JOIN stock_lot lot ON lot.id = claim.lot_id
              LEFT JOIN (SELECT document_ref, lot_id, min(date) AS first, max(date) AS last,
                                count(*) FILTER (WHERE event_type = 'claim_opened') AS opened,
                                min(date) FILTER (WHERE event_type = 'claim_opened') AS opened_on
                           FROM event GROUP BY document_ref, lot_id) event
                ON event.document_ref = 'storq.warranty.claim,' || claim.id AND event.lot_id = claim.lot_id
             WHERE claim.product_id = ANY(%(p)s)
               AND (event.opened IS DISTINCT FROM 1 OR event.opened_on::date <> claim.claim_date
                    OR event.first < lot.storq_delivered_date OR event.last > now() at time zone 'utc')""",
        "units with more than one open claim": """
            SELECT count(*) FROM (SELECT lot_id FROM storq_warranty_claim
                                   WHERE product_id = ANY(%(p)s) AND state NOT IN ('rejected', 'closed')
                                   GROUP BY lot_id HAVING count(*) > 1) twice""",
    }
    types = tuple(("claim_opened", *CLAIM_STEP_EVENTS.values()))
    for label, query in checks.items():
        # The claim's delivery day is in the user's time zone (`context_timestamp`).
        tz = env.context.get("tz") or env.user.tz or "UTC"
        env.cr.execute(query, {"p": products.ids, "types": types, "tz": tz})
        count = env.cr.fetchone()[0]
        if count:
            problems.append(f"{count} {label}")
    problems.extend(check_recalls(env, expected))
    return problems


def check_recalls(env, expected):
    problems = []
    Recall = env["storq.recall"]
    recalls = Recall.search([("title", "in", RECALL_TITLES)], order="id")
    if len(recalls) != 2 or recalls.mapped("state") != ["confirmed", "draft"]:
        return [f"the benchmark recalls are {recalls.mapped('state')}, not one confirmed and one draft"]
    confirmed, draft = recalls
    if expected and (confirmed.id, draft.id) != (expected["recall_confirmed"], expected["recall_draft"]):
        problems.append("the benchmark recalls are not the ones the builder made")
    units = env["stock.lot"].search_count(confirmed._get_units_domain())
    lines = confirmed.line_ids
    if not (len(lines) == units == confirmed.unit_total == confirmed.unit_done == confirmed.preview_count):
        problems.append(
            f"{confirmed.name}: {len(lines)} lines, {units} units in its range, "
            f"{confirmed.unit_done} of {confirmed.unit_total} confirmed, {confirmed.preview_count} previewed"
        )
    if expected and units != expected["recall_units"]:
        problems.append(
            f"{confirmed.name} holds {units} units, the builder recalled {expected['recall_units']}"
        )
    env.cr.execute(
        """SELECT count(*) FROM storq_recall_line line JOIN stock_lot lot ON lot.id = line.lot_id
            WHERE line.recall_id = %(recall)s
              AND (NOT lot.storq_blocked
                   OR NOT EXISTS (SELECT 1 FROM storq_serial_event event WHERE event.lot_id = lot.id
                                     AND event.event_type = 'recalled'
                                     AND event.document_ref = 'storq.recall,' || %(recall)s))""",
        {"recall": confirmed.id},
    )
    unblocked = env.cr.fetchone()[0]
    if unblocked:
        problems.append(f"{unblocked} units of {confirmed.name} not blocked, or without their recalled event")
    if draft.line_ids or not draft.preview_count:
        problems.append(
            f"{draft.name}: a draft with {len(draft.line_ids)} lines, {draft.preview_count} previewed"
        )
    return problems


# ----------------------------------------------------------------------
# Command line
# ----------------------------------------------------------------------
def drop_unique_constraints(env):
    """Lift the serial-uniqueness exclusion constraints for the load: one GiST index build at the
    end (`restore_unique_constraints`) is much faster than a million GiST inserts."""
    from odoo.addons.storq_serials.models.stock_lot_unique import UNIQUE_SERIAL_CONSTRAINTS

    for name in UNIQUE_SERIAL_CONSTRAINTS:
        env.cr.execute(f"ALTER TABLE stock_lot DROP CONSTRAINT IF EXISTS {name}")


def restore_unique_constraints(env):
    """The module's constraints again, as `_storq_ensure_unique_constraint` creates them; a
    duplicate serial makes this fail. (That method first looks for duplicates with a self-join
    on the serial, which without these constraints' indexes has no index to use: hours at a
    million units.)"""
    from odoo.addons.storq_serials.models.stock_lot_unique import UNIQUE_SERIAL_CONSTRAINTS

    env.cr.execute("ANALYZE stock_lot")
    for name, (columns, where) in UNIQUE_SERIAL_CONSTRAINTS.items():
        env.cr.execute(
            f"ALTER TABLE stock_lot ADD CONSTRAINT {name} EXCLUDE USING gist ({columns}) WHERE ({where})"
        )
    if not env["stock.lot"]._storq_unique_constraint_exists():
        raise DataCheckError("The serial-uniqueness constraints are missing after the load.")


def main():
    import odoo
    from odoo import api

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--batch", type=int, default=BATCH)
    parser.add_argument(
        "--warranty-only",
        action="store_true",
        help="fill the warranty terms and fields of an existing database",
    )
    parser.add_argument(
        "--claims-only",
        action="store_true",
        help="add the warranty claims and recalls to an existing benchmark database, and check them",
    )
    parser.add_argument("--no-claims", action="store_true", help="build without claims and recalls")
    parser.add_argument("odoo_args", nargs="*")
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-d", args.database, *args.odoo_args])
    registry = odoo.modules.registry.Registry(args.database)

    def log(message):
        print(message, file=sys.stderr, flush=True)

    if args.warranty_only:
        with registry.cursor() as cr:
            env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
            started = time.perf_counter()
            products = env["product.product"].search([("name", "=like", "Bench %")])
            fill_warranty(env, products.ids)
            log(
                f"warranty fields of {len(products)} products' units filled "
                f"in {time.perf_counter() - started:.1f} s"
            )
        return

    if args.claims_only:
        claims_step(registry, args.seed, log)
        return

    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True})
        drop_unique_constraints(env)
        ctx = build(env, args.units, args.seed, args.batch, log)
        restore_unique_constraints(env)
        log(f"uniqueness constraints re-created, {time.perf_counter() - started:.1f} s")
        cr.commit()
    with registry.cursor() as cr:
        cr.commit()
        cr._cnx.autocommit = True
        cr.execute("VACUUM ANALYZE")
        cr._cnx.autocommit = False
    log(f"vacuum analyze, {time.perf_counter() - started:.1f} s")
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        ctx["env"] = env
        check(env, ctx)
        log(f"check passed, {time.perf_counter() - started:.1f} s")
        print_summary(env, ctx)
    if not args.no_claims:
        claims_step(registry, args.seed, log)


def claims_step(registry, seed, log):
    """Add the claims and recalls, check them, commit; print their counts."""
    import odoo
    from odoo import api

    started = time.perf_counter()
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        products = bench_products(env)
        if not products:
            raise DataCheckError("No benchmark products (Bench ...) here: build the data first.")
        expected = add_claims_and_recalls(env, products, seed, log)
        problems = check_claims(env, products, expected)
        if problems:
            raise DataCheckError("The claims and recalls do not hold together:\n- " + "\n- ".join(problems))
        cr.commit()
        log(f"claims and recalls added and checked in {time.perf_counter() - started:.1f} s")
        for key, count in sorted(expected.items(), key=str):
            print(f"  {key}: {count}")


def print_summary(env, ctx):
    expected = ctx["expected"]
    env.cr.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
    size = env.cr.fetchone()[0]
    print(f"units: {expected['units']}, database size: {size}")
    for key, count in sorted(expected.items(), key=str):
        print(f"  {key}: {count}")


if __name__ == "__main__":
    main()
