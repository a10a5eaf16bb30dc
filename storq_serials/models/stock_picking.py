from collections import defaultdict

from odoo import models
from odoo.exceptions import ValidationError
from odoo.tools.sql import SQL

from .stock_picking_pick import QUANT_FIELDS
from .storq_unit_rulebook import UnitMovement

# Picking types whose form listens to the scanner ("dropship": Odoo's Dropship app, not a
# dependency; its units come from the vendor and go straight to the customer).
SCAN_PICKING_TYPES = ("incoming", "internal", "outgoing", "dropship")
STOCK_USAGES = ("internal", "transit")


class StockPicking(models.Model):
    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Business methods: scanning serials into a transfer
    # ------------------------------------------------------------------
    def storq_scan(self, barcode=None, context_product_id=False):
        """Handle one scan from a hardware scanner on this receipt, internal transfer, delivery
        or dropship.

        A product barcode selects the product whose serials come next; a serial (of that
        product, or carried with its GTIN by a GS1 code) is checked and added at once.
        Returns what the form shows: ``{"status": "product" | "ok" | "error", "message",
        "product_id", "product_name", "serial", "scanned", "expected"}`` (the last two count
        the product's units scanned and expected). A refused scan writes nothing.
        """
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        barcode = checks._check_text(barcode, "barcode").strip()
        context_product_id = checks._check_id(context_product_id, "context_product_id")
        self.check_access("write")
        if self.state in ("done", "cancel") or self.picking_type_code not in SCAN_PICKING_TYPES:
            return self._storq_scan_error(
                self.env._(
                    "%(transfer)s does not take scans: only receipts, internal transfers, "
                    "deliveries and dropships that are not done or cancelled do.",
                    transfer=self.display_name,
                )
            )
        product, serial, gtin = self._storq_parse_scan(barcode)
        if gtin and not product:
            return self._storq_scan_error(
                self.env._(
                    "No product has the GTIN %(gtin)s: add it as the product's barcode, or scan the "
                    "product's own barcode.",
                    gtin=gtin,
                )
            )
        if product and not serial:
            return self._storq_check_scanned_product(product) or self._storq_scan_answer(
                "product",
                self.env._("%(product)s: now scan its serials.", product=product.display_name),
                product,
            )
        if not product:
            product = self._storq_scan_context_product(context_product_id)
            serial = barcode
            if not product:
                return self._storq_scan_error(
                    self.env._(
                        "%(barcode)s is not the barcode of a product: scan the product first, then "
                        "its serials.",
                        barcode=barcode,
                    )
                )
        refusal = self._storq_check_scanned_product(product)
        if refusal:
            return refusal
        verdict = self.env["storq.serial.validation"]._check_serials(
            [(product, serial, self.company_id)], check_existing=False
        )[0]
        if verdict.error:
            return self._storq_scan_error(verdict.error)
        if self.location_id.usage in STOCK_USAGES:
            return self._storq_scan_take(product, verdict.serial)
        return self._storq_scan_receive(product, verdict.serial)

    def _storq_parse_scan(self, barcode):
        """(product, serial, GTIN) read with the company's barcode nomenclature.

        A GS1 code carrying a GTIN (01) gives the product and, with (21) or (10), the serial.
        Any other code is a product barcode when a product has it, else a serial.
        """
        nomenclature = self.company_id.nomenclature_id
        self._storq_prefetch_lines(nomenclature, "rule_ids")
        try:
            parsed = nomenclature.parse_barcode(barcode) if nomenclature and barcode else None
        except (ValidationError, ValueError):
            parsed = None
        if isinstance(parsed, list):
            gtins = [item["value"] for item in parsed if item["type"] == "product"]
            if gtins:
                # Serial number (21) first, then batch/lot (10).
                lots = sorted(
                    (item for item in parsed if item["type"] == "lot"), key=lambda i: i["ai"] != "21"
                )
                # A GTIN-14 is the product barcode (EAN-13, UPC-A, EAN-8) left-padded with zeros.
                padding = len(gtins[0]) - len(gtins[0].lstrip("0"))
                codes = {gtins[0][index:] for index in range(padding + 1)}
                return self._storq_find_product(codes), lots[0]["value"] if lots else False, gtins[0]
        codes = {barcode}
        if isinstance(parsed, dict) and parsed.get("type") == "product":
            codes |= {parsed["code"], parsed["base_code"]}
        return self._storq_find_product(codes), False, False

    def _storq_find_product(self, codes):
        return self.env["product.product"].search(
            [("barcode", "in", list(codes)), ("company_id", "in", [False, self.company_id.id])], limit=1
        )

    def _storq_check_scanned_product(self, product):
        """A refusal when `product` cannot take serials on this transfer, else False."""
        if product.tracking != "serial":
            return self._storq_scan_error(
                self.env._(
                    "%(product)s is not tracked by serial number: enter its quantity on the transfer.",
                    product=product.display_name,
                )
            )
        if not self._storq_scan_moves(product):
            return self._storq_scan_error(
                self.env._(
                    "%(product)s is not expected on %(transfer)s: check the product, or add it to "
                    "the transfer first.",
                    product=product.display_name,
                    transfer=self.display_name,
                )
            )
        return False

    def _storq_scan_moves(self, product):
        self._storq_prefetch_lines(self, "move_ids")
        return self.move_ids.filtered(
            lambda move: move.product_id == product and move.state not in ("done", "cancel")
        )

    def _storq_scan_receive(self, product, serial):
        """`storq_scan`'s receipt of `serial`, where a unit Odoo already put on a line of this
        transfer that is not scanned yet (a customer return proposes the units delivered) is
        confirmed by its scan, as a reserved unit is on a delivery, rather than refused as
        scanned twice. The same queries as before: this line's search replaces the check
        for a unit scanned twice."""
        line = self.env["stock.move.line"].search(
            [
                ("picking_id", "=", self.id),
                ("product_id", "=", product.id),
                "|",
                ("lot_name", "=", serial),
                ("lot_id.name", "=", serial),
            ],
            order="picked desc, id",
            limit=1,
        )
        if line.picked:
            return self._storq_scan_error(self._storq_scanned_twice_message(serial))
        unit, _other = self.env["stock.lot"]._storq_find_unit(product, serial, self.company_id)
        if unit:
            refusal = self._storq_rulebook_verdict(product, unit, self.location_id)
            if refusal:
                return self._storq_scan_error(refusal)
        self._storq_confirm_for_scan()
        if line:
            line.write({"quantity": 1, "picked": True})
        else:
            moves = self._storq_scan_moves(product)
            vals = {"lot_name": serial, "quantity": 1, "picked": True}
            self._storq_scan_write_line(moves[:1], self._storq_line_to_fill(moves, empty_only=True), vals)
        return self._storq_scan_ok(
            product,
            serial,
            self.env._("%(serial)s received (%(product)s).", serial=serial, product=product.display_name),
        )

    def _storq_scan_take(self, product, serial):
        """Take the unit `serial` of `product` from the source location (internal moves, deliveries).

        When Odoo reserved other units, the scanned one takes the place of one of them.
        """
        refusal, unit, source, line = self._storq_check_take(product, serial)
        if refusal:
            return self._storq_scan_error(refusal)
        self._storq_confirm_for_scan()
        moves = self._storq_scan_moves(product)
        # The line that already reserves this unit, else one not scanned yet (it gives up its unit).
        line = line or self._storq_line_to_fill(moves)
        vals = {"lot_id": unit.id, "location_id": source.id, "quantity": 1, "picked": True}
        if line:
            # Rewriting a reserved line's unit or location makes Odoo release and reserve again.
            vals = {
                name: value
                for name, value in vals.items()
                if (line[name].id if name in ("lot_id", "location_id") else line[name]) != value
            }
            if "lot_id" in vals or "location_id" in vals:
                line = line.with_context(quants_cache=self._storq_scan_quants(product, line, unit, source))
        self._storq_scan_write_line(line.move_id or moves[:1], line, vals)
        return self._storq_scan_ok(
            product,
            serial,
            self.env._(
                "%(serial)s taken from %(location)s (%(product)s).",
                serial=serial,
                location=source.display_name,
                product=product.display_name,
            ),
        )

    def _storq_scan_quants(self, product, line, unit, source):
        """Odoo's `quants_cache` for moving `line`'s reservation to `unit` at `source`: Odoo
        releases the old unit's quant and reserves the new one's with a quant search each, in
        two calls (4 searches and their reads); here one query reads them all, as
        `_storq_apply_pick` does for a batch."""
        Quant = self.env["stock.quant"].sudo()
        # `_get_quants_by_products_locations`' grouping, from 1 search_fetch where its read_group
        # and the read of the quants take 2.
        quants = Quant.search_fetch(
            [
                ("product_id", "=", product.id),
                ("location_id", "child_of", (line.location_id | source).ids),
                "|",
                ("lot_id", "in", (line.lot_id | unit).ids),
                ("lot_id", "=", False),
            ],
            QUANT_FIELDS,
            order="id",
        )
        quants_cache = defaultdict(lambda: Quant.browse())
        for quant in quants:
            key = (quant.product_id, quant.location_id, quant.lot_id, quant.package_id, quant.owner_id)
            quants_cache[tuple(record.id for record in key)] |= quant
        return quants_cache

    def _storq_check_take(self, product, serial):
        """Whether the unit `serial` of `product` may be taken by this transfer.

        It must exist, be a unit of `product`, be in stock under the source location, not be
        blocked when it is to be shipped, and not be reserved for another open transfer. Reads
        the unit record, not the quants: 3 queries whatever the stock (the unit, the locations,
        the unit's lock with the open lines that hold it), and the read of those lines if any.
        Returns (refusal or False, unit, the location it is taken from, this transfer's line
        that holds it already).
        """
        no_line = self.env["stock.move.line"]
        unit, other = self.env["stock.lot"]._storq_find_unit(product, serial, self.company_id)
        if not unit:
            return self._storq_unknown_unit_message(product, serial, other), unit, False, no_line
        self._storq_prefetch_scan_locations(unit)
        source = self._storq_take_source(unit)
        refusal = self._storq_rulebook_verdict(product, unit, source)
        if refusal:
            return refusal, unit, False, no_line
        lines = self._storq_lock_unit(unit, self._storq_scan_moves(product)[:1], source)
        mine = lines.filtered(lambda line: line.picking_id.id == self.id)
        if mine.filtered("picked"):
            return self._storq_scanned_twice_message(serial), unit, False, no_line
        elsewhere = (lines - mine).filtered(lambda line: line.quantity > 0)[:1]
        if elsewhere:
            return self._storq_reserved_elsewhere_message(serial, elsewhere), unit, False, no_line
        return False, unit, source, mine.with_env(self.env)[:1]

    def _storq_lock_unit(self, unit, move, source):
        """Lock `unit` for this transaction and return the open move lines that hold it (sudo),
        in 1 query: two scanners taking the same unit at once must never both hear "ok"
        (scripts/load_test.sh, benchmarks/race_scan.py).

        The lock makes a concurrent scan of the unit wait for this transaction, then fail to
        serialize (Odoo retries its request, which then sees this transaction's line and refuses
        the unit): taking the unit reserves its quant, whose row this transaction rewrites, and
        the other transaction, let through once this one commits, fails to serialize when Odoo
        locks that quant to reserve it (without this lock, Odoo's SKIP LOCKED would pass the quant
        over and make another one). The lock rewrites nothing, where an UPDATE of the unit's row
        writes a new version with an entry in each of its indexes. A move that reserves nothing
        (a transit location of no company) rewrites the unit's row instead, the one row both
        transactions then write.
        """
        MoveLine = self.env["stock.move.line"].sudo()
        MoveLine.flush_model(["lot_id", "state"])
        rewrite = bool(move) and move._should_bypass_reservation(source)
        if rewrite:
            self.env.cr.execute(SQL("UPDATE stock_lot SET write_date = write_date WHERE id = %s", unit.id))
        self.env.cr.execute(
            SQL(
                """SELECT line.id FROM stock_lot lot
                     LEFT JOIN stock_move_line line
                            ON line.lot_id = lot.id AND line.state NOT IN ('done', 'cancel')
                    WHERE lot.id = %s ORDER BY line.id %s""",
                unit.id,
                SQL("") if rewrite else SQL("FOR NO KEY UPDATE OF lot"),
            )
        )
        lines = MoveLine.browse([row[0] for row in self.env.cr.fetchall() if row[0]])
        lines.fetch(["picking_id", "move_id", "picked", "quantity", "reference"])
        return lines

    def _storq_unknown_unit_message(self, product, serial, other):
        """The refusal of `serial`, which is no unit of `product` (`other`: a unit of another
        product with that serial, possibly empty)."""
        return self.env["storq.unit.rulebook"]._storq_unknown_unit_refusal(product, serial, other)

    def _storq_take_source(self, unit, held=None):
        """Where this transfer takes `unit` from: the location under its source that holds it,
        else its source location (where the rulebook then says the unit is not)."""
        if held is None:
            held = self.env["storq.unit.rulebook"]._storq_held_locations(unit.sudo())[unit]
        return (
            held.filtered(lambda loc: loc._child_of(self.location_id))[:1].with_env(self.env)
            or self.location_id
        )

    def _storq_rulebook_movement(self, product, unit, source, shipping=None, moves=None):
        """The `UnitMovement` of `unit` of `product` from `source` on this transfer (`shipping`:
        `_storq_ships()`, `moves`: `_storq_scan_moves(product)`, when the caller has them)."""
        if moves is None:
            moves = self._storq_scan_moves(product)
        return UnitMovement(
            product=product,
            source=source,
            destination=self.location_dest_id,
            unit=unit,
            move=moves[:1],
            shipping=self._storq_ships() if shipping is None else shipping,
        )

    def _storq_rulebook_verdict(self, product, unit, source):
        """The rulebook's verdict on moving `unit` of `product` from `source` on this transfer:
        False or the refusal, the very sentence validation would give."""
        return self.env["storq.unit.rulebook"]._storq_verdicts(
            [self._storq_rulebook_movement(product, unit, source)]
        )[0]

    def _storq_scanned_twice_message(self, serial):
        return self.env._(
            "%(serial)s was already scanned on %(transfer)s: each unit is scanned once.",
            serial=serial,
            transfer=self.display_name,
        )

    def _storq_reserved_elsewhere_message(self, serial, line):
        """The refusal of `serial`, reserved by `line` of another open transfer."""
        return self.env._(
            "%(serial)s is reserved for %(transfer)s: unreserve it there first, or take another unit.",
            serial=serial,
            transfer=line.reference or line.move_id.display_name,
        )

    def _storq_ships(self):
        """Whether this transfer's units are on their way to a customer (delivery, or a pick or
        pack step of one): blocked units may then not be taken. A return to the vendor may take
        them."""
        self.ensure_one()
        if self.location_dest_id.usage == "customer":
            return True
        return any(move.location_final_id.usage == "customer" for move in self.move_ids)

    def _storq_line_to_fill(self, moves, empty_only=False):
        """A line of `moves` not scanned yet, those without a unit first (1 query).

        Reads one line, not all of them, so a scan costs the same on a transfer of 10,000 units.
        """
        if not moves:
            return self.env["stock.move.line"]
        self.env["stock.move.line"].flush_model(["move_id", "picked", "lot_id", "lot_name"])
        empty = "lot_id IS NULL AND lot_name IS NULL"
        self.env.cr.execute(
            SQL(
                "SELECT id FROM stock_move_line WHERE move_id = ANY(%s) AND picked IS NOT TRUE %s "
                "ORDER BY (%s) DESC, id LIMIT 1",
                moves.ids,
                SQL(f"AND {empty}") if empty_only else SQL(""),
                SQL(empty),
            )
        )
        return self.env["stock.move.line"].browse([row[0] for row in self.env.cr.fetchall()])

    def _storq_confirm_for_scan(self):
        if self.state == "draft":
            self.action_confirm()

    def _storq_scan_write_line(self, move, line, vals):
        """Update `line` with `vals`, or add a line to `move` when there is none to reuse."""
        if line:
            line.write(vals)
        else:
            self.env["stock.move.line"].create(dict(move._prepare_move_line_vals(), **vals))

    def _storq_scan_ok(self, product, serial, message):
        return self._storq_scan_answer("ok", message, product, serial)

    def _storq_scan_answer(self, status, message, product, serial=False):
        moves = self._storq_scan_moves(product)
        scanned = self.env["stock.move.line"].search_count(
            [
                ("move_id", "in", moves.ids),
                ("picked", "=", True),
                "|",
                ("lot_id", "!=", False),
                ("lot_name", "!=", False),
            ]
        )
        return {
            "status": status,
            "message": message,
            "product_id": product.id,
            "product_name": product.display_name,
            "serial": serial,
            "scanned": scanned,
            "expected": sum(moves.mapped("product_uom_qty")),
        }

    def _storq_scan_error(self, message):
        return {
            "status": "error",
            "message": message,
            "product_id": False,
            "product_name": False,
            "serial": False,
            "scanned": 0,
            "expected": 0,
        }
