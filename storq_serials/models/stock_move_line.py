from collections import Counter
from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.stock.models.stock_move_line import StockMoveLine as StockMoveLineBase
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare
from odoo.tools.float_utils import float_is_zero
from odoo.tools.float_utils import float_round
from odoo.tools.sql import SQL

from ..tools.overrides import is_overridden
from .company_check_batch import companies_consistent
from .stock_lot_create_defaults import MEMO_KEY as LOT_DEFAULTS_MEMO
from .stock_quant import PendingQuants
from .storq_serial_validation import CheckedSerials
from .storq_serial_validation import DeferredLotChecks

MAX_LISTED_LINES = 20
# Modules whose `stock.move.line.write` sets a new lot on a line that is not done and does not
# reserve without doing anything more (see `_storq_lot_assignable`).
WRITE_OVERRIDES_KNOWN = ("stock_account", "storq_serials")
# What Odoo's `_update_available_quantity` reads of the quants it updates.
QUANT_FIELDS_READ = [
    "product_id",
    "location_id",
    "lot_id",
    "package_id",
    "owner_id",
    "company_id",
    "quantity",
    "reserved_quantity",
    "in_date",
]


class TakenQuants:
    """Changes to the quants that one `stock.move.line._action_done` takes units from.

    Odoo's `_update_available_quantity` writes the one quant of a unit's lot twice per unit
    (its reservation released, then its quantity), each with `write`: a decimal precision
    lookup per value, then `modified` and `_validate_fields`, for each call.
    `stock.move.line._storq_take_from_held_quant` puts each new value in the ORM cache as
    `write` puts it there (dirty: the ORM's flush writes them, in grouped UPDATEs), and
    `_storq_settle_taken_quants` does the rest of `write` once for all the quants changed: the
    write date and user, `modified`, `_validate_fields`. That happens before Odoo's own path
    changes the quants of the same product and location, and before the lines' write that
    ends Odoo's loop. Carried in the context as `storq_taken_quants`, compared by identity.
    """

    __slots__ = (
        "compared",
        "facts",
        "last_line",
        "open",
        "product_locations",
        "quantity_ids",
        "reserved_ids",
    )

    def __init__(self):
        self.open = True  # False once its `_action_done` has returned
        self.quantity_ids = {}  # ids of the quants whose quantity changed (a dict: ordered)
        self.reserved_ids = {}  # ids of the quants whose reserved quantity changed
        self.product_locations = set()  # (product id, location id) of the changed quants
        self.facts = {}  # what does not change during the batch, read once (see its users)
        self.compared = {}  # (value, rounding) -> float_compare(value, 0, rounding)
        self.last_line = None  # (line id, product, lot, rounding of its unit) of the last call

    def compare(self, value, rounding):
        """`float_compare(value, 0, precision_rounding=rounding)`, memoised: the units of a batch
        compare the same few values."""
        key = (value, rounding)
        result = self.compared.get(key)
        if result is None:
            result = self.compared[key] = float_compare(value, 0, precision_rounding=rounding)
        return result

    def __bool__(self):
        return bool(self.quantity_ids or self.reserved_ids)

    def pop_all(self):
        """(ids of the quants whose quantity changed, ids of those whose reserved quantity
        changed), in the order they came; empties the batch."""
        quantity_ids, reserved_ids = list(self.quantity_ids), list(self.reserved_ids)
        self.quantity_ids, self.reserved_ids = {}, {}
        self.product_locations = set()
        return quantity_ids, reserved_ids


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


class StockMoveLine(models.Model):
    _inherit = "stock.move.line"

    # ------------------------------------------------------------------
    # Compute
    # ------------------------------------------------------------------
    @api.depends("quantity", "product_uom_id")
    def _compute_quantity_product_uom(self):
        """Odoo's conversion, once per distinct (quantity, unit, product's unit) for the lines of
        serial-controlled products: saving N lines of one unit each converted and stored the
        same value line by line (a decimal precision lookup each); now once per group."""
        groups = defaultdict(list)
        others = []
        for line in self:
            product = line.product_id
            if product.storq_serial_control:
                groups[(line.quantity, line.product_uom_id, product.uom_id)].append(line.id)
            else:
                others.append(line.id)
        result = super(StockMoveLine, self.browse(others))._compute_quantity_product_uom()
        for (quantity, uom, product_uom), line_ids in groups.items():
            self.browse(line_ids).quantity_product_uom = uom._compute_quantity(
                quantity, product_uom, rounding_method="HALF-UP"
            )
        return result

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(self._storq_with_computed_values(vals_list))
        lines.filtered("lot_name")._storq_check_lot_names()
        return lines

    @api.model
    def _storq_with_computed_values(self, vals_list):
        """The values of the lines of serial-controlled products, with what Odoo computes right
        after their INSERT: the quantity in the product's unit, and the move's reference and
        state. Computed after the INSERT, each took an UPDATE of every new line (a capture of N
        serials wrote its N lines twice). The computes still run (but the reference's, which a
        given value protects); finding their value stored, they write nothing."""
        # records of one recordset each, so that their fields are read in one query for all lines
        products = {
            product.id: product
            for product in self.env["product.product"].browse(
                {vals["product_id"] for vals in vals_list if _is_id(vals.get("product_id"))}
            )
            if product.storq_serial_control
        }
        moves = {
            move.id: move
            for move in self.env["stock.move"].browse(
                {vals["move_id"] for vals in vals_list if _is_id(vals.get("move_id"))}
            )
        }
        converted = {}
        result = []
        for vals in vals_list:
            key = (vals.get("product_id"), vals.get("product_uom_id"), vals.get("quantity"))
            if key[0] not in products:
                result.append(vals)
                continue
            vals = dict(vals)
            if "quantity_product_uom" not in vals and _is_id(key[1]) and _is_number(key[2]):
                if key not in converted:
                    product, uom = products[key[0]], self.env["uom.uom"].browse(key[1])
                    converted[key] = (
                        uom._compute_quantity(key[2], product.uom_id, rounding_method="HALF-UP")
                        if uom.category_id == product.uom_id.category_id
                        else None
                    )
                if converted[key] is not None:
                    vals["quantity_product_uom"] = converted[key]
            if _is_id(vals.get("move_id")):
                move = moves[vals["move_id"]]
                vals.setdefault("reference", move.reference)
                vals.setdefault("state", move.state)
            result.append(vals)
        return result

    def write(self, vals):
        # Odoo writes the done lines right after moving their quants: the quants taken from
        # are settled and the quants still pending created first, so that nothing can read
        # the stock without them.
        self._storq_settle_taken_quants()
        self._storq_create_pending_quants()
        result = super().write(vals)
        if vals.get("lot_name") or "product_id" in vals:
            self.filtered("lot_name")._storq_check_lot_names()
        return result

    def _action_done(self):
        """The one `_action_done` override of the module, for every move of every document.

        Its checks run in this order, each on the whole batch, before anything moves:
        1. every unit that moves carries its own serial (`_storq_check_one_serial_per_unit`);
        2. the rulebook (`storq.unit.rulebook`): the unit may make this move (product, source,
           destination, block, status, customer returns);
        then Odoo's done, with the units' quants created in batches (`PendingQuants`) and the
        quants they are taken from written in batches (`TakenQuants`), and last the unit
        records and their events (`stock.lot._storq_record_moves`).
        """
        self._storq_check_one_serial_per_unit()
        self.env["storq.unit.rulebook"]._storq_check_move_lines(self)
        pending, taken = PendingQuants(), TakenQuants()
        batch = self.with_context(storq_pending_quants=pending, storq_taken_quants=taken)
        try:
            result = super(StockMoveLine, batch)._action_done()
            batch._storq_settle_taken_quants()
            batch._storq_create_pending_quants()
        finally:
            pending.open = taken.open = False
        # Lines of zero quantity were deleted by Odoo; lots were created from lot names.
        done = self.exists().filtered(lambda line: line.lot_id and line.product_id.storq_serial_control)
        if done:
            self.env["stock.lot"]._storq_record_moves(done)
        return result

    def _check_company(self, fnames=None):
        # Odoo's `_action_done` checks every line's fields one line at a time: a batch that
        # passes is checked at once; one that fails gets Odoo's check and its message.
        if len(self) > 1 and companies_consistent(self, fnames):
            return
        super()._check_company(fnames)

    def _create_and_assign_production_lot(self):
        # A unit's history starts with its "received" event: the chatter's per-lot
        # creation message would only repeat it, at a cost that grows with the receipt.
        controlled = self.filtered(lambda line: line.product_id.storq_serial_control)
        batched = controlled._storq_lot_assignable()
        if batched:
            batched.with_context(mail_create_nolog=True)._storq_create_and_assign_lots()
        if controlled - batched:
            super(
                StockMoveLine, (controlled - batched).with_context(mail_create_nolog=True)
            )._create_and_assign_production_lot()
        others = self - controlled
        if others:
            super(StockMoveLine, others)._create_and_assign_production_lot()
        return None

    def _synchronize_quant(self, quantity, location, action="available", in_date=False, **quants_value):
        pending = self.env.context.get("storq_pending_quants")
        if pending is not None:
            self._storq_prefetch_cached_quants(pending)
            deferred = self._storq_defer_quant(pending, quantity, location, action, in_date, quants_value)
            if deferred is not None:
                return deferred
            taken = self._storq_take_from_held_quant(
                pending, quantity, location, action, in_date, quants_value
            )
            if taken is not None:
                return taken
            place = (self.product_id.id, location.id)
            taken_quants = self.env.context.get("storq_taken_quants")
            if (
                place in pending.product_locations
                or (taken_quants and place in taken_quants.product_locations)
            ) and (action == "available" or not self.move_id._should_bypass_reservation(location)):
                # Odoo's own path is about to read or change these quants.
                self._storq_settle_taken_quants()
                self._storq_create_pending_quants()
        return super()._synchronize_quant(quantity, location, action=action, in_date=in_date, **quants_value)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _storq_defer_quant(self, pending, quantity, location, action, in_date, quants_value):
        """Odoo's `_synchronize_quant` for a unit whose lot has no quant where it goes.

        When `_action_done` moves a unit of a serial-controlled product, Odoo creates the quant
        of its lot at the destination (and, from a supplier, the negative one at the source) one
        by one. In the plain case — a lot without quant there, no package, no owner — the quant
        Odoo would create is added to `pending` instead, to be created in one batch, and this
        returns what Odoo returns: (available quantity, in date). Anything else (an existing
        quant, untracked quants to take from, a negative quantity where reservations must be
        freed, packages, owners, the least-packages removal strategy) returns None: Odoo's path.
        """
        product = self.product_id
        quants_cache = self.env.context.get("quants_cache")
        if not pending.open or action != "available" or quants_cache is None:
            return None
        if not product.storq_serial_control:
            return None
        lot = quants_value.get("lot", self.lot_id)
        package = quants_value.get("package", self.package_id)
        owner = quants_value.get("owner", self.owner_id)
        if not lot or package or owner or not product.is_storable:
            return None
        if float_is_zero(quantity, precision_rounding=self.product_uom_id.rounding):
            return None
        if quantity < 0 and not location.should_bypass_reservation():
            return None
        if pending.quants_cache is not quants_cache:
            self._storq_create_pending_quants()
            pending.quants_cache = quants_cache
        key = (product.id, location.id, lot.id, False, False)
        untracked_key = (product.id, location.id, False, False, False)
        if key in pending or quants_cache.get(key):
            return None
        if quantity < 0 and quants_cache.get(untracked_key):
            return None  # Odoo takes the unit from the untracked quants
        strategies = pending.removal_strategies
        if key[:2] not in strategies:
            strategies[key[:2]] = self.env["stock.quant"]._get_removal_strategy(product, location)
        if strategies[key[:2]] == "least_packages":
            return None  # Odoo then reads the quants from the database, not from the cache
        in_date = in_date or fields.Datetime.now()
        pending.add(
            key,
            {
                "product_id": product.id,
                "location_id": location.id,
                "lot_id": lot.id,
                "package_id": False,
                "owner_id": False,
                "in_date": in_date,
                "quantity": quantity,
            },
        )
        return quantity, in_date

    def _storq_lot_assignable(self):
        """The lines whose new lot `_storq_create_and_assign_lots` may assign in one batch.

        Odoo writes each line's new lot with its own `write` (one per unit). For a line that is
        not done, whose move does not reserve at its source (a receipt from a vendor), and
        whose product and serial no other line of the batch carries, that write only sets the
        field: it releases and reserves nothing and corrects no valuation. Any other line, or
        every line when another module overrides `stock.move.line.write`, takes Odoo's path.
        """
        if self._storq_write_is_extended():
            return self.browse()
        keys = Counter((line.product_id.id, line.lot_name) for line in self)
        repeated = {key for key, count in keys.items() if count > 1}
        return self.filtered(
            lambda line: line.state != "done"
            and line.lot_name
            and (line.product_id.id, line.lot_name) not in repeated
            and line.move_id._should_bypass_reservation(line.location_id)
        )

    @api.model
    def _storq_write_is_extended(self):
        """Whether a module other than stock, stock_account and this one overrides
        `stock.move.line.write` (its override must then run for each line)."""
        return is_overridden(type(self), StockMoveLineBase, "write", WRITE_OVERRIDES_KNOWN)

    def _storq_create_and_assign_lots(self):
        """Odoo's `_create_and_assign_production_lot` for `_storq_lot_assignable` lines: the lots
        created in one `create`, as Odoo does, then each line's `lot_id` set as `write` sets it
        (access check, cache and dependencies, constraints, companies, write date), once for
        the batch rather than once per line. The lots' defaults are asked of Odoo once for the
        batch when they are the same for each lot (stock_lot_create_defaults.py)."""
        Lot = self.env["stock.lot"].with_context(**{LOT_DEFAULTS_MEMO: {}})
        lots = Lot.create([line._storq_new_lot_vals() for line in self])
        lots = lots.with_env(self.env)
        self.check_access("write")
        field = self._fields["lot_id"]
        if self.pool.is_modifying_relations(field):
            self.modified(["lot_id"], before=True)
        for line, lot in zip(self, lots):
            field.write(line, lot.id)
        self._fields["write_uid"].write(self, self.env.uid)
        self._fields["write_date"].write(self, self.env.cr.now())
        self.modified(["lot_id", "write_uid", "write_date"])
        self._validate_fields(["lot_id", "write_uid", "write_date"])
        self._check_company(["lot_id"])

    def _storq_new_lot_vals(self):
        """Odoo's `_prepare_new_lot_vals`, with the company the lot would compute after its
        INSERT (`stock.lot._compute_company_id`) written with it instead of by an UPDATE."""
        vals = self._prepare_new_lot_vals()
        if "company_id" not in vals:
            env, company = self.env, self.product_id.company_id
            if env.company in company.all_child_ids and company not in env.companies:
                vals["company_id"] = env.company.id
            else:
                vals["company_id"] = company.id
        return vals

    def _storq_take_from_held_quant(self, pending, quantity, location, action, in_date, quants_value):
        """Odoo's `_synchronize_quant` for a unit taken from the one quant of its lot where it
        is (a delivery, an internal move): its reservation released, then its quantity.

        Odoo's `_update_available_quantity` finds the quant (`_gather`, from the quants cache),
        locks it with one `SELECT ... FOR NO KEY UPDATE SKIP LOCKED` per call (two calls per
        unit), then writes it. Here the quants of the cache are locked in one query for the
        batch (`_storq_lock_cached_quants`, same lock and same skip), each call puts the values
        Odoo writes in the cache as `write` does, the rest of `write` waits for the batch
        (`TakenQuants`), and this returns what Odoo returns. Only the plain case: the lot's one
        quant in an internal location, no package, owner or untracked quant, taking a quantity
        that leaves the lot's quants non-negative, nothing else overriding how quants are
        gathered, written or counted; anything else returns None (Odoo's path).
        """
        taken = self.env.context.get("storq_taken_quants")
        quants_cache = self.env.context.get("quants_cache")
        if (
            taken is None
            or not taken.open
            or not pending.open
            or quants_cache is None
            or quantity >= 0
            or action not in ("available", "reserved")
        ):
            return None
        # Odoo's loop calls this twice per line in a row (release, then take): the line's
        # fields are read once for both.
        if not quants_value and taken.last_line and taken.last_line[0] == self.id:
            product, lot, uom_rounding = taken.last_line[1:]
        else:
            product = self.product_id
            lot = quants_value.get("lot", self.lot_id)
            package = quants_value.get("package", self.package_id)
            owner = quants_value.get("owner", self.owner_id)
            if not lot or package or owner:
                return None
            uom_rounding = self.product_uom_id.rounding
            if not quants_value:
                taken.last_line = (self.id, product, lot, uom_rounding)
        rounding = self._storq_taken_place_rounding(pending, taken, product, location)
        if rounding is None:
            return None
        if not taken.compare(quantity, uom_rounding):  # float_is_zero
            return None
        if action == "reserved" and self._storq_move_bypasses_reservation(taken, location):
            return None
        key = (product.id, location.id, lot.id, False, False)
        quant = quants_cache.get(key)
        if (
            key in pending
            or quant is None
            or len(quant) != 1
            or quants_cache.get(key[:2] + (False, False, False))
        ):
            return None
        on_hand, reserved, quant_in_date = quant.quantity, quant.reserved_quantity, quant.in_date
        if action == "available" and taken.compare(on_hand + quantity - reserved, rounding) < 0:
            return None  # Odoo then frees reservations or takes from untracked quants
        if quant.id not in self._storq_lock_cached_quants(pending, quants_cache):
            return None  # locked by another transaction: Odoo skips it too
        # `_update_available_quantity`, for this one quant:
        incoming_dates = []
        if quant_in_date and taken.compare(on_hand, rounding) > 0:
            incoming_dates.append(quant_in_date)
        if action == "available" and in_date:
            incoming_dates.append(in_date)
        new_in_date = min(incoming_dates) if incoming_dates else fields.Datetime.now()
        digits = taken.facts["digits"]
        if action == "available":
            on_hand = self._storq_put_in_cache(quant, "quantity", on_hand, on_hand + quantity, digits)
            taken.quantity_ids[quant.id] = None
        else:
            reserved = self._storq_put_in_cache(
                quant, "reserved_quantity", reserved, max(0, reserved + quantity), digits
            )
            taken.reserved_ids[quant.id] = None
        self._storq_put_in_cache(quant, "in_date", quant_in_date, new_in_date, digits)
        taken.product_locations.add(key[:2])
        if action == "reserved":
            return 0, in_date
        if taken.facts["available_extended"]:
            available = (
                self.env["stock.quant"]
                .sudo()
                ._get_available_quantity(
                    product,
                    location,
                    lot_id=lot,
                    package_id=package,
                    owner_id=owner,
                    strict=True,
                    allow_negative=True,
                )
            )
        else:
            # Odoo's `_get_available_quantity` (strict, negative allowed) of the lot's one quant.
            available = on_hand - reserved
        return available, new_in_date

    def _storq_taken_place_rounding(self, pending, taken, product, location):
        """The rounding of `product`'s unit when its units may be taken from `location` in the
        batch (`_storq_take_from_held_quant`): serial control, stock where reservations count,
        a removal strategy that reads the quants cache, and no other module overriding how
        quants are gathered, written or counted (nor inventory mode); else None."""
        facts = taken.facts
        if "places" not in facts:
            quants = self.env["stock.quant"].sudo()
            facts["places"] = {}
            facts["plain"] = not (
                quants._storq_write_is_extended()
                or quants._is_inventory_mode()
                or quants._storq_gather_is_extended()
            )
            facts["available_extended"] = quants._storq_is_extended("_get_available_quantity")
            facts["digits"] = {
                fname: quants._fields[fname].get_digits(self.env)
                for fname in ("quantity", "reserved_quantity")
            }
            facts["bypass"] = {}
        place = (product.id, location.id)
        if place not in facts["places"]:
            plain = (
                facts["plain"]
                and product.storq_serial_control
                and product.is_storable
                and not location.should_bypass_reservation()
            )
            if plain:
                strategies = pending.removal_strategies
                if place not in strategies:
                    strategies[place] = self.env["stock.quant"]._get_removal_strategy(product, location)
                plain = strategies[place] != "least_packages"
            facts["places"][place] = product.uom_id.rounding if plain else None
        return facts["places"][place]

    def _storq_move_bypasses_reservation(self, taken, location):
        """`self.move_id._should_bypass_reservation(location)`, once per move and location of
        the batch."""
        move = self.move_id
        bypass = taken.facts["bypass"]
        if (move.id, location.id) not in bypass:
            bypass[move.id, location.id] = move._should_bypass_reservation(location)
        return bypass[move.id, location.id]

    @api.model
    def _storq_put_in_cache(self, quant, fname, current, value, digits):
        """Put `value` in the cache of `quant` as `write` does (converted, dirty when it differs
        from `current`, for the ORM's flush); returns the value as cached. `digits`: the digits
        of the float fields, read once per batch rather than once per value."""
        field = quant._fields[fname]
        if fname in digits:
            value = float(value or 0.0)
            if digits[fname]:
                value = float_round(value, precision_digits=digits[fname][1])
        else:
            value = field.convert_to_cache(value, quant)
        if current != value:
            self.env.cache.set(quant, field, value, dirty=True)
        return value

    def _storq_settle_taken_quants(self):
        """The rest of `write` for the quants `_storq_take_from_held_quant` changed (see
        `TakenQuants`): the write date and user, what depends on the values, constraints."""
        taken = self.env.context.get("storq_taken_quants")
        if not taken:
            return
        quantity_ids, reserved_ids = taken.pop_all()
        quants = self.env["stock.quant"].sudo()
        changed = quants.browse(dict.fromkeys(quantity_ids + reserved_ids))
        log_fnames = ["write_uid", "write_date"]
        changed._fields["write_uid"].write(changed, self.env.uid)
        changed._fields["write_date"].write(changed, self.env.cr.now())
        for ids, fname in ((reserved_ids, "reserved_quantity"), (quantity_ids, "quantity")):
            if ids:
                written = quants.browse(ids)
                written.modified(["in_date", fname, *log_fnames])
                written._validate_fields(["in_date", fname, *log_fnames])

    def _storq_lock_cached_quants(self, pending, quants_cache):
        """Ids of the quants of `quants_cache` this transaction holds locked: all of them locked
        in one query (Odoo's lock, skipping rows another transaction holds), once per cache;
        none when another module overrides how quants are updated."""
        if pending.locked_cache is not quants_cache and self.env["stock.quant"]._storq_update_is_extended():
            # Another module's override must run for each unit: Odoo's path, nothing locked.
            pending.locked, pending.locked_cache = set(), quants_cache
        if pending.locked_cache is not quants_cache:
            quants = self.env["stock.quant"].union(*quants_cache.values())
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM stock_quant WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE SKIP LOCKED",
                    list(quants.ids),
                )
            )
            pending.locked = {row[0] for row in self.env.cr.fetchall()}
            pending.locked_cache = quants_cache
        return pending.locked

    def _storq_prefetch_cached_quants(self, pending):
        """Read the quants of Odoo's `quants_cache` in one query, once per `_action_done`.

        Odoo groups them by product, location, lot, package and owner, each group its own
        recordset: the first field read of each quant (`_gather` sorts them by lot) is one
        query per quant, 10,000 for a delivery of 10,000 units taken from stock.
        """
        quants_cache = self.env.context.get("quants_cache")
        if quants_cache is None or quants_cache is pending.prefetched or not pending.open:
            return
        if not self.product_id.storq_serial_control:
            return
        pending.prefetched = quants_cache
        quants = self.env["stock.quant"].union(*quants_cache.values())
        quants.fetch(QUANT_FIELDS_READ)

    def _storq_create_pending_quants(self):
        """Create the quants `_storq_defer_quant` gathered, and add them to Odoo's quants cache."""
        pending = self.env.context.get("storq_pending_quants")
        if not pending:
            return
        items = pending.pop_all()
        quants = self.env["stock.quant"].sudo()._storq_create_quants([vals for _key, vals in items])
        for (key, _vals), quant in zip(items, quants):
            pending.quants_cache[key] |= quant

    def _storq_check_lot_names(self):
        """Normalise and check serial names typed, pasted, generated or imported on move lines."""
        deferred = DeferredLotChecks.from_context(self.env.context)
        if deferred is not None:
            # checked in one batch when the move's write ends
            deferred.line_ids.extend(self.filtered(lambda line: line.product_id.storq_serial_control).ids)
            return
        checked = CheckedSerials.from_context(self.env.context)
        entries = []  # (line, product, lot name, company): each field read once per line
        for line in self:
            product = line.product_id
            if not product.storq_serial_control:
                continue
            company, name = line.company_id, line.lot_name
            if (product.id, company.id, name) not in checked:
                entries.append((line, product, name, company))
        if not entries:
            return
        validation = self.env["storq.serial.validation"]
        # Known units are not refused here: receiving a unit again reuses its record.
        verdicts = validation._check_serials(
            [(product, name, company) for _line, product, name, company in entries],
            check_existing=False,
        )
        validation._raise_for_errors(
            verdicts,
            line_label=lambda verdict: self.env._(
                "%(product)s, serial %(serial)s",
                product=verdict.product.display_name,
                serial=verdict.serial or "-",
            ),
        )
        fixes = [
            (line, verdict.serial)
            for (line, _product, name, _company), verdict in zip(entries, verdicts, strict=True)
            if name != verdict.serial
        ]
        if fixes:
            # The normalised names were just checked: their writes need not check them again.
            normalised = CheckedSerials(
                (line.product_id.id, line.company_id.id, serial) for line, serial in fixes
            )
            for line, serial in fixes:
                line.with_context(storq_checked_serials=normalised).lot_name = serial

    def _storq_check_one_serial_per_unit(self):
        """Every unit of a serial-controlled product that moves carries its own serial.

        Odoo lets inventory adjustments and operation types without lot options move tracked
        products without a lot; serial control closes those gaps.
        """
        missing = self.env["stock.move.line"]
        not_unit = self.env["stock.move.line"]
        # product id -> rounding of its unit when under serial control, else None; unit id ->
        # rounding: read once per product and unit rather than once per line.
        controlled, roundings = {}, {}
        for line in self:
            product = line.product_id
            if product.id not in controlled:
                controlled[product.id] = product.uom_id.rounding if product.storq_serial_control else None
            product_rounding = controlled[product.id]
            if product_rounding is None:
                continue
            uom = line.product_uom_id
            if uom.id not in roundings:
                roundings[uom.id] = uom.rounding
            if float_is_zero(line.quantity, precision_rounding=roundings[uom.id]):
                continue
            if float_compare(line.quantity_product_uom, 1.0, precision_rounding=product_rounding):
                not_unit |= line
            elif not line.lot_id and not (line.lot_name and line.move_id.picking_type_id.use_create_lots):
                missing |= line
        if not missing and not not_unit:
            return
        lines = []
        for line in (missing | not_unit)[:MAX_LISTED_LINES]:
            document = line.reference or line.move_id.display_name or line.product_id.display_name
            if line in missing:
                lines.append(
                    self.env._(
                        "- %(document)s: %(product)s, from %(location)s, has no serial number",
                        document=document,
                        product=line.product_id.display_name,
                        location=line.location_id.display_name,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "- %(document)s: %(product)s, serial %(serial)s, moves %(quantity)s units",
                        document=document,
                        product=line.product_id.display_name,
                        serial=line.lot_id.name or line.lot_name or "-",
                        quantity=line.quantity_product_uom,
                    )
                )
        raise UserError(
            self.env._(
                "These products are under serial control: every unit that moves needs its own "
                "serial number, one line per unit.\n%(lines)s\nEnter the serial of each unit "
                "(one line of quantity 1 per serial), then validate again.",
                lines=self.env["storq.serial.input"]._capped_lines(
                    lines, limit=MAX_LISTED_LINES, more=len(missing | not_unit) - len(lines)
                ),
            )
        )
