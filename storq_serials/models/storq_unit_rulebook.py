from collections import defaultdict
from typing import NamedTuple

from odoo import api
from odoo import models

from .stock_lot_unit import STOCK_USAGES
from .stock_lot_unit import UNIT_FIELDS

# Where units new to our stock come from: a vendor (receipts, dropships), production
# (manufacturing, parts a repair or an unbuild gives back) and inventory counts.
ARRIVAL_USAGES = ("supplier", "production", "inventory")
# States in which a unit is held at its recorded location (a unit in repair sits in the
# repair location, and may leave it).
HELD_STATES = ("in_stock", "in_repair")


class UnitMovement(NamedTuple):
    """One unit movement submitted to the rulebook.

    `unit` is the unit (stock.lot) when it is known; else `serial` is the serial typed for it,
    looked up among the known units of `product`. `source` and `destination` are locations;
    `move` and `line` the stock.move and stock.move.line when there are some (a scan checks
    before any line exists). `shipping` says whether the unit is on its way to a customer;
    None: from the destination and the move's final location. `exact` says whether the unit
    must be at `source` itself (a move line takes it from one location) or may be under it.
    """

    product: object
    source: object
    destination: object
    unit: object = None
    serial: str = False
    move: object = None
    line: object = None
    shipping: object = None
    exact: bool = True


class Refusal(str):
    """A refusal sentence, with the rule that refused (to group a validation error) and, for a
    refused customer return, the suspicious-return event to log."""

    rule = None
    suspicious = None

    def __new__(cls, text, rule, suspicious=None):
        refusal = super().__new__(cls, text)
        refusal.rule = rule
        refusal.suspicious = suspicious
        return refusal


class _BatchFacts:
    """What a batch's locations and moves tell, read once per location or move, not once per
    unit: whether a location is our stock, whether a move ships, whether a line's product is its
    move's (a unit's own product is checked by Odoo's `stock.move.line._check_lot_product` on
    lines, and here for movements without a line)."""

    def __init__(self, rulebook):
        self.rulebook = rulebook
        self.usages = {}
        self.shipping_of = {}
        self.move_products = {}

    def in_stock(self, location):
        usage = self.usages.get(location.id)
        if usage is None:
            usage = self.usages[location.id] = location.usage
        return usage in STOCK_USAGES

    def shipping(self, movement):
        if movement.shipping is not None:
            return movement.shipping
        key = (movement.destination.id, movement.move.id if movement.move else None)
        if key not in self.shipping_of:
            self.shipping_of[key] = self.rulebook._storq_is_shipping(movement)
        return self.shipping_of[key]

    def product_refusal(self, movement, unit):
        move = movement.move
        if move:
            key = (move.id, movement.product.id)
            if key not in self.move_products:
                self.move_products[key] = move.product_id == movement.product
            if not self.move_products[key]:
                return self.rulebook._storq_product_refusal(movement, unit)
        if unit and not movement.line:
            return self.rulebook._storq_product_refusal(movement, unit)
        return False


class StorqUnitRulebook(models.AbstractModel):
    """Whether a unit of a serial-controlled product may make a move, decided in one place.

    Validation (`stock.move.line._action_done`), the scan, Pick Serials, Bulk Serial Entry and
    Return Units all ask `_storq_verdicts`, so that a refusal reads the same wherever it
    happens. The rules, in the order they are asked for each movement:

    1. product: the line's product is its move's and its unit's;
    2. from a customer: only the unit sold comes back (delivered, to this customer, on this
       order or delivery, not returned since), through a customer return;
    3. block: a blocked unit does not go to a customer (to its vendor, an internal or
       quarantine location or scrap it may);
    4. from our stock (internal, transit): the unit is held exactly there (or under the
       scanned location), and moves on one line only;
    5. from outside our stock (vendor, production, inventory): the unit is not held in our
       stock already, unless it leaves it in the same batch (a count finding it elsewhere);
       a delivered unit comes back only through a customer return; a scrapped or written-off
       unit moves no more (an inventory count may find a written-off or missing unit again).

    Locations are told apart by their usage only, so receipts, dropships, multi-step
    transfers, deliveries, returns, scrap, inventory counts, repairs and manufacturing are
    covered alike. The unit record is read, never the product's quants.

    API: `_storq_verdicts(movements)` (this file); `_storq_return_verdicts(claims)` and the
    customer-return rule (`storq_unit_rulebook_return.py`); `_storq_check_move_lines(lines)`,
    what validation calls (`storq_unit_rulebook_validation.py`).
    """

    _name = "storq.unit.rulebook"
    _description = "Serial unit movement rules"

    # ------------------------------------------------------------------
    # Business methods: the block rule, also asked by reservation
    # ------------------------------------------------------------------
    @api.model
    def _storq_unshippable(self, units):
        """Rule 3 (block): the `units` that may not go to a customer (blocked: a recall, a
        quarantine). A move on its way to a customer asks it too before it reserves units
        (`stock.quant._gather`), so that it never reserves one the validation would refuse."""
        return units.filtered("storq_blocked")

    # ------------------------------------------------------------------
    # Business methods: verdicts
    # ------------------------------------------------------------------
    @api.model
    def _storq_verdicts(self, movements):
        """One verdict per `UnitMovement`, in order: False, or a `Refusal` (a str).

        A constant number of queries whatever the number of movements: the typed units (1),
        the quants of units without a record (0-1), for customer returns their last return
        and their companies (2-3); refusals read what they name.
        """
        movements = list(movements)
        units = self._storq_movement_units(movements)
        Lot = self.env["stock.lot"]
        known = Lot.sudo().union(*(unit for unit in units if unit))
        known.fetch(UNIT_FIELDS)
        held = self._storq_held_locations(known)
        # A delivery or a receipt of 10,000 units has a handful of locations and moves: what
        # each tells is read once, not once per unit.
        facts = _BatchFacts(self)
        # What the batch itself does: units that leave our stock, units brought somewhere.
        leaving, brought = set(), defaultdict(set)
        for index, (movement, unit) in enumerate(zip(movements, units)):
            if not unit:
                continue
            if facts.in_stock(movement.source) and not facts.in_stock(movement.destination):
                leaving.add((unit.id, movement.source.id))
            brought[(unit.id, movement.destination.id)].add(index)
        returns = self._storq_return_movement_verdicts(movements, units)
        verdicts, taken = [], set()
        for index, (movement, unit) in enumerate(zip(movements, units)):
            if index in returns:
                verdicts.append(returns[index])
                continue
            # Another movement of the batch may bring the unit where this one takes it.
            brought_here = bool(unit) and bool(brought[(unit.id, movement.source.id)] - {index})
            verdict = self._storq_verdict(movement, unit, held, leaving, brought_here, taken, facts)
            verdicts.append(verdict)
        return verdicts

    def _storq_verdict(self, movement, unit, held, leaving, brought_here, taken, facts):
        """The verdict of one movement that does not come from a customer (rules 1, 3, 4, 5)."""
        product, source = movement.product, movement.source
        refusal = facts.product_refusal(movement, unit)
        if refusal:
            return Refusal(refusal, "product")
        shipping = facts.shipping(movement)
        if not unit:
            if facts.in_stock(source):
                # Taken from our stock, the unit must be one we hold.
                return Refusal(self._storq_unknown_unit_refusal(product, movement.serial), "leave")
            return False  # a new unit arrives
        locations = held[unit]
        if facts.in_stock(source):
            if brought_here:
                locations = locations | source
            if movement.exact:
                here = source.id in locations._ids
            else:
                here = any(location._child_of(source) for location in locations)
            if not here or (shipping and self._storq_unshippable(unit)):
                refusal = unit.sudo()._storq_leave_refusal(
                    source, shipping=shipping, exact=movement.exact, stock_locations=locations
                )
                return Refusal(refusal, "ship" if shipping else "leave")
            key = (unit.id, source.id)
            if key in taken:
                return Refusal(
                    self.env._(
                        "%(serial)s is taken from %(location)s by two lines: a unit moves once.",
                        serial=unit.name,
                        location=source.display_name,
                    ),
                    "leave",
                )
            taken.add(key)
            return False
        unit = unit.sudo()
        if shipping and self._storq_unshippable(unit):
            return Refusal(unit._storq_leave_refusal(source, shipping=True), "ship")
        if source.usage == "customer":
            return False  # from a customer to a customer: not ours to judge
        # From outside our stock: the unit must not be in our stock already.
        elsewhere = (
            locations.filtered(lambda loc: (unit.id, loc.id) not in leaving) if locations else locations
        )
        if elsewhere:
            return Refusal(unit._storq_in_stock_refusal(elsewhere), "arrive")
        state = unit.storq_state
        if state == "delivered" and not locations:
            return Refusal(
                self.env._(
                    "%(situation)s: a delivered unit comes back only from its customer, through a "
                    "customer return. Check the label.",
                    situation=unit._storq_situation(locations),
                ),
                "status",
            )
        # An inventory count may find a written-off or missing unit again.
        recounted = state in ("written_off", "missing") and movement.line and movement.line.is_inventory
        if state in ("scrapped", "written_off", "missing") and not recounted:
            return Refusal(
                self.env._(
                    "%(situation)s: the unit moves no more. Check the label.",
                    situation=unit._storq_situation(locations),
                ),
                "status",
            )
        return False

    def _storq_product_refusal(self, movement, unit):
        """Why the movement's product is not its move's or its unit's, or False."""
        product, move = movement.product, movement.move
        serial = unit.name if unit else movement.serial or "-"
        if move and move.product_id != product:
            return self.env._(
                "%(serial)s of %(product)s is on a line of %(move_product)s: a unit moves on the "
                "line of its own product. Remove the line, or add %(product)s to the transfer.",
                serial=serial,
                product=product.display_name,
                move_product=move.product_id.display_name,
            )
        if unit and unit.product_id != product:
            return self.env._(
                "%(serial)s is a unit of %(other)s, not of %(product)s: put it on a line of its "
                "own product.",
                serial=serial,
                other=unit.product_id.display_name,
                product=product.display_name,
            )
        return False

    @api.model
    def _storq_unknown_unit_refusal(self, product, serial, other=None):
        """The refusal of `serial`, which is no unit of `product` (`other`: a unit of another
        product with that serial, possibly empty)."""
        if other:
            return self.env._(
                "%(serial)s is a unit of %(other)s, not of %(product)s: scan a unit of "
                "%(product)s, or scan the right product first.",
                serial=serial,
                other=other.product_id.display_name,
                product=product.display_name,
            )
        return self.env._(
            "%(serial)s is not a known unit of %(product)s: check the label, or receive the unit first.",
            serial=serial,
            product=product.display_name,
        )

    @api.model
    def _storq_is_shipping(self, movement):
        """Whether the unit is on its way to a customer (a delivery, or a pick or pack step)."""
        if movement.shipping is not None:
            return movement.shipping
        if movement.destination.usage == "customer":
            return True
        return bool(movement.move) and movement.move.location_final_id.usage == "customer"

    @api.model
    def _storq_held_locations(self, units):
        """{unit: the locations of our stock that hold it}, from the unit record: its location
        while in stock or in repair. Units without a record are looked up in their quants (1
        query for all of them)."""
        result = {}
        without_record = units.browse()
        for unit in units:
            if unit.storq_state:
                in_hand = unit.storq_state in HELD_STATES
                result[unit] = unit.storq_location_id if in_hand else unit.storq_location_id.browse()
            else:
                without_record |= unit
        if without_record:
            result.update(without_record._storq_stock_locations())
        return result

    @api.model
    def _storq_movement_units(self, movements):
        """The unit of each movement: its own, or the known unit of its typed serial (the lot
        of that name of the product, in the movement's company or shared; for a customer
        return, under the serial normalised by the product's format, and in any company so
        that a unit of another company is told apart). 1 query for all the typed serials."""
        Lot = self.env["stock.lot"]
        typed = [m for m in movements if not m.unit and m.serial]
        names = {}
        if typed:
            validation = self.env["storq.serial.validation"]
            for movement in typed:
                name = movement.serial
                if movement.source.usage == "customer":
                    name = validation._normalize(movement.product, name)
                names[movement] = name
            lots = Lot.sudo().search_fetch(
                [
                    ("name", "in", list(set(names.values()))),
                    ("product_id", "in", list({m.product.id for m in typed})),
                ],
                UNIT_FIELDS,
            )
            by_key = defaultdict(list)
            for lot in lots:
                by_key[(lot.product_id.id, lot.name)].append(lot)
        units = []
        for movement in movements:
            if movement.unit or not movement.serial:
                units.append(movement.unit or Lot)
                continue
            company = self._storq_movement_company(movement)
            candidates = by_key.get((movement.product.id, names[movement]), [])
            ranked = sorted(
                candidates, key=lambda lot, company=company: (lot.company_id != company, bool(lot.company_id))
            )
            if movement.source.usage != "customer":
                ranked = [lot for lot in ranked if lot.company_id in (company, company.browse())]
            units.append(ranked[0].with_env(self.env) if ranked else Lot)
        return units

    @api.model
    def _storq_movement_company(self, movement):
        company = (
            movement.line.company_id if movement.line else movement.move.company_id if movement.move else None
        )
        return company or self.env.company
