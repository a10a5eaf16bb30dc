from collections import defaultdict

from odoo import models

from .stock_quant import DeferredReservations

# Transfers whose units can be picked by a list of serials.
PICK_PICKING_TYPES = ("internal", "outgoing")
# The quant fields a reservation update reads; read for all the quants at once, else Odoo reads
# them quant by quant (each cached recordset is its own prefetch set).
QUANT_FIELDS = [
    "product_id",
    "location_id",
    "lot_id",
    "package_id",
    "owner_id",
    "quantity",
    "reserved_quantity",
    "in_date",
]


class StockPicking(models.Model):
    """Picking a list of serials at once (a batch-mode scanner's upload, a pick list): the
    checks of a single scan, run for the whole list in a constant number of queries."""

    _inherit = "stock.picking"

    # ------------------------------------------------------------------
    # Business methods: picking a list of serials
    # ------------------------------------------------------------------
    def storq_pick_serials(self, serials=None, apply=False, keep_good=False):
        """Check the serial strings `serials` for this delivery or internal transfer, and with
        `apply` take the accepted units.

        Each serial gets the checks of a scan (`storq_scan`): format, a unit of a product of the
        transfer, in stock under the source location, not blocked when shipped, not scanned on
        this transfer yet, not reserved on another open transfer, not twice in the list.
        Returns one verdict per serial, in order: ``{"serial", "product_id", "product_name",
        "status": "ok" | "error", "message", "applied"}``. With `apply`, nothing is written when
        a serial is refused unless `keep_good`, which takes the accepted units all the same.
        """
        checks = self.env["storq.serial.input"]
        checks._check_one(self)
        serials = checks._check_serial_list(serials, "serials")
        apply, keep_good = checks._check_flag(apply, "apply"), checks._check_flag(keep_good, "keep_good")
        self.check_access("write")
        verdicts, accepted = self._storq_check_pick(serials)
        refused = any(verdict["status"] == "error" for verdict in verdicts)
        if apply and accepted and (keep_good or not refused):
            self._storq_apply_pick(accepted)
            for verdict in verdicts:
                verdict["applied"] = verdict["status"] == "ok"
        return verdicts

    def _storq_check_pick(self, serials):
        """(one verdict per serial, [(product, unit, source location, this transfer's line
        holding it already)] for the accepted ones), in a constant number of queries."""
        serials = [serial if isinstance(serial, str) else "" for serial in serials]
        if self.state in ("done", "cancel") or self.picking_type_code not in PICK_PICKING_TYPES:
            message = self.env._(
                "%(transfer)s does not take picked serials: only internal transfers and deliveries "
                "that are not done or cancelled do.",
                transfer=self.display_name,
            )
            return [self._storq_pick_verdict(serial, False, message) for serial in serials], []
        products = self._storq_pick_products()
        if not products:
            message = self.env._(
                "%(transfer)s has no product tracked by serial number left to pick.",
                transfer=self.display_name,
            )
            return [self._storq_pick_verdict(serial, False, message) for serial in serials], []
        checks = self.env["storq.serial.validation"]._check_serials(
            [(product, raw, self.company_id) for product, raw in self._storq_pick_guess(serials, products)],
            check_existing=False,
        )
        pairs = [(verdict.product, verdict.serial) for verdict in checks if not verdict.error]
        found = self.env["stock.lot"]._storq_find_units(pairs, self.company_id)
        units = self.env["stock.lot"].union(*(unit for unit, _other in found.values()))
        rulebook = self.env["storq.unit.rulebook"]
        held = rulebook._storq_held_locations(units.sudo())
        # The rulebook judges every known unit at once, from where this transfer takes it:
        # the same places give the same source, whichever unit is there.
        shipping = self._storq_ships()
        sources, moves, movements = {}, {}, {}
        for (product, serial), (unit, _other) in found.items():
            if not unit:
                continue
            places = tuple(held[unit].ids)
            if places not in sources:
                sources[places] = self._storq_take_source(unit, held[unit])
            if product not in moves:
                moves[product] = self._storq_scan_moves(product)
            movements[(product, serial)] = self._storq_rulebook_movement(
                product, unit, sources[places], shipping=shipping, moves=moves[product]
            )
        rules = dict(zip(movements, rulebook._storq_verdicts(movements.values()), strict=True))
        lines = (
            self.env["stock.move.line"]
            .sudo()
            .search_fetch(
                [("lot_id", "in", units.ids), ("state", "not in", ("done", "cancel"))],
                ["lot_id", "picking_id", "move_id", "picked", "quantity", "reference"],
            )
        )
        lines_of = defaultdict(lambda: self.env["stock.move.line"].sudo())
        for line in lines:
            lines_of[line.lot_id.id] |= line
        verdicts, accepted = [], []
        for raw, check in zip(serials, checks):
            product, serial = check.product, check.serial
            if check.error:
                verdicts.append(self._storq_pick_verdict(serial or raw, product, check.error))
                continue
            unit, other = found[(product, serial)]
            if not unit:
                message = self._storq_unknown_unit_message(product, serial, other)
                verdicts.append(self._storq_pick_verdict(serial, product, message))
                continue
            refusal = rules[(product, serial)]
            holding = lines_of[unit.id]
            mine = holding.filtered(lambda line: line.picking_id.id == self.id)
            elsewhere = (holding - mine).filtered(lambda line: line.quantity > 0)[:1]
            if not refusal and mine.filtered("picked"):
                refusal = self._storq_scanned_twice_message(serial)
            if not refusal and elsewhere:
                refusal = self._storq_reserved_elsewhere_message(serial, elsewhere)
            if refusal:
                verdicts.append(self._storq_pick_verdict(serial, product, refusal))
                continue
            source = movements[(product, serial)].source
            accepted.append((product, unit, source, mine.with_env(self.env)[:1]))
            verdicts.append(
                self._storq_pick_verdict(
                    serial,
                    product,
                    self.env._(
                        "%(serial)s taken from %(location)s (%(product)s).",
                        serial=serial,
                        location=source.display_name,
                        product=product.display_name,
                    ),
                    status="ok",
                )
            )
        return verdicts, accepted

    def _storq_pick_products(self):
        """The serial-tracked products still to move on this transfer."""
        return self.move_ids.filtered(
            lambda move: move.state not in ("done", "cancel") and move.product_id.tracking == "serial"
        ).product_id

    def _storq_pick_guess(self, serials, products):
        """[(product, serial)]: the product of each serial, when the transfer has several (1 query).

        A serial belongs to the product of which it is a unit once normalised by that product's
        format; else to the first product, whose checks then say what is wrong.
        """
        if len(products) == 1:
            return [(products, serial) for serial in serials]
        validation = self.env["storq.serial.validation"]
        names = {
            (product, raw): validation._normalize(product, raw).strip()
            for product in products
            for raw in serials
        }
        lots = (
            self.env["stock.lot"]
            .sudo()
            .search_fetch(
                [
                    ("name", "in", list(set(names.values()))),
                    ("product_id", "in", products.ids),
                    ("company_id", "in", [False, self.company_id.id]),
                ],
                ["name", "product_id"],
            )
        )
        known = {(lot.product_id.id, lot.name) for lot in lots}
        guessed = []
        for raw in serials:
            owner = next(
                (product for product in products if (product.id, names[(product, raw)]) in known),
                products[:1],
            )
            guessed.append((owner, raw))
        return guessed

    def _storq_pick_verdict(self, serial, product, message, status="error"):
        return {
            "serial": serial,
            "product_id": product.id if product else False,
            "product_name": product.display_name if product else False,
            "status": status,
            "message": message,
            "applied": False,
        }

    def _storq_apply_pick(self, accepted):
        """Take the accepted (product, unit, source, line) units: a unit this transfer reserves
        already has its line marked picked; the others replace lines not picked yet (those
        without a unit first), released in one unlink, and get their lines in one create.

        Odoo updates the reservation of each line on its quants with a search per line, whose
        cost grows with the quant table; all the quants concerned are read in one query
        beforehand and handed down as Odoo's own `quants_cache`, as `_action_done` does."""
        if self.state == "draft":
            self.action_confirm()
        MoveLine = self.env["stock.move.line"]
        kept = MoveLine.union(*(line for _product, _unit, _source, line in accepted if line))
        new_by_product = defaultdict(list)
        for product, unit, source, line in accepted:
            if not line:
                new_by_product[product].append((unit, source))
        released, targets = self._storq_pick_released_lines(new_by_product, kept)
        sources = self.env["stock.location"].union(*(source for _move, _unit, source in targets))
        units = self.env["stock.lot"].union(*(unit for _move, unit, _source in targets))
        lines = kept | released
        quants_cache = self.env["stock.quant"]._get_quants_by_products_locations(
            lines.product_id | self.env["product.product"].union(*new_by_product),
            lines.location_id | sources,
            extra_domain=["|", ("lot_id", "in", (lines.lot_id | units).ids), ("lot_id", "=", False)],
        )
        cached_quants = self.env["stock.quant"].union(*quants_cache.values())
        cached_quants.fetch(QUANT_FIELDS)
        # Each line's reservation update waits for one batch, applied before returning.
        deferred = DeferredReservations()
        context = {"quants_cache": quants_cache, "storq_deferred_reservations": deferred}
        MoveLine = MoveLine.with_context(**context)
        kept = kept.with_context(**context)
        # Writing the quantity re-reserves each line: only where it changes.
        kept.filtered(lambda line: line.quantity != 1).write({"quantity": 1})
        kept.write({"picked": True})
        released.with_context(**context).unlink()
        # Unlinking empties the whole cache: read the quants again, together.
        cached_quants.fetch(QUANT_FIELDS)
        MoveLine.create(
            [
                dict(
                    move._prepare_move_line_vals(),
                    lot_id=unit.id,
                    location_id=source.id,
                    quantity=1,
                    picked=True,
                )
                for move, unit, source in targets
            ]
        )
        self.env["stock.quant"]._storq_apply_reservations(deferred)

    def _storq_pick_released_lines(self, new_by_product, kept):
        """(the lines not picked yet that the new units replace, [(move, unit, source)])."""
        MoveLine = self.env["stock.move.line"]
        if not new_by_product:
            return MoveLine, []
        moves = self.move_ids.filtered(
            lambda move: move.product_id in new_by_product and move.state not in ("done", "cancel")
        )
        moves.move_line_ids.fetch(["move_id", "picked", "lot_id", "lot_name", "quantity"])
        released_ids = []
        targets = []  # (move, unit, source)
        for product, units in new_by_product.items():
            product_moves = moves.filtered(lambda move, product=product: move.product_id == product)
            free = (product_moves.move_line_ids - kept).filtered(lambda line: not line.picked)
            free = free.sorted(lambda line: (bool(line.lot_id or line.lot_name), line.id))
            for index, (unit, source) in enumerate(units):
                line = free[index] if index < len(free) else MoveLine
                released_ids.extend(line.ids)
                targets.append((line.move_id or product_moves[:1], unit, source))
        return MoveLine.browse(released_ids), targets
