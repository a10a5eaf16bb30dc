from collections import Counter
from collections import defaultdict

from odoo import api
from odoo import fields
from odoo import models
from odoo.addons.stock.models.stock_move_line import StockMoveLine as StockMoveLineBase
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare
from odoo.tools.float_utils import float_is_zero
from odoo.tools.sql import SQL

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
        lines = super().create(vals_list)
        lines.filtered("lot_name")._storq_check_lot_names()
        return lines

    def write(self, vals):
        # Odoo writes the done lines right after moving their quants: quants still pending
        # are created first, so that nothing can read the stock without them.
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
        then Odoo's done, with the units' quants created in batches (`PendingQuants`), and
        last the unit records and their events (`stock.lot._storq_record_moves`).
        """
        self._storq_check_one_serial_per_unit()
        self.env["storq.unit.rulebook"]._storq_check_move_lines(self)
        pending = PendingQuants()
        try:
            result = super(StockMoveLine, self.with_context(storq_pending_quants=pending))._action_done()
            self.with_context(storq_pending_quants=pending)._storq_create_pending_quants()
        finally:
            pending.open = False
        # Lines of zero quantity were deleted by Odoo; lots were created from lot names.
        done = self.exists().filtered(lambda line: line.lot_id and line.product_id.storq_serial_control)
        if done:
            self.env["stock.lot"]._storq_record_moves(done)
        return result

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
            if (self.product_id.id, location.id) in pending.product_locations and (
                action == "available" or not self.move_id._should_bypass_reservation(location)
            ):
                # Odoo's own path is about to read or change these quants.
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
        for cls in type(self).__mro__:
            if cls is StockMoveLineBase:
                return False
            if "write" in vars(cls) and getattr(cls, "_module", None) not in WRITE_OVERRIDES_KNOWN:
                return True
        return True

    def _storq_create_and_assign_lots(self):
        """Odoo's `_create_and_assign_production_lot` for `_storq_lot_assignable` lines: the lots
        created in one `create`, as Odoo does, then each line's `lot_id` set as `write` sets it
        (access check, cache and dependencies, constraints, companies, write date), once for
        the batch rather than once per line."""
        lots = self.env["stock.lot"].create([line._storq_new_lot_vals() for line in self])
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
        batch (`_storq_lock_cached_quants`, same lock and same skip), and each call writes the
        quant as Odoo does and returns what Odoo returns. Only the plain case: the lot's one
        quant in an internal location, no package, owner or untracked quant, taking a quantity
        that leaves the lot's quants non-negative; anything else returns None (Odoo's path).
        """
        quants_cache = self.env.context.get("quants_cache")
        product = self.product_id
        if (
            not pending.open
            or quants_cache is None
            or quantity >= 0
            or action not in ("available", "reserved")
        ):
            return None
        if not product.storq_serial_control or not product.is_storable:
            return None
        lot = quants_value.get("lot", self.lot_id)
        package = quants_value.get("package", self.package_id)
        owner = quants_value.get("owner", self.owner_id)
        if not lot or package or owner:
            return None
        if location.should_bypass_reservation() or float_is_zero(
            quantity, precision_rounding=self.product_uom_id.rounding
        ):
            return None
        if action == "reserved" and self.move_id._should_bypass_reservation(location):
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
        strategies = pending.removal_strategies
        if key[:2] not in strategies:
            strategies[key[:2]] = self.env["stock.quant"]._get_removal_strategy(product, location)
        if strategies[key[:2]] == "least_packages":
            return None
        rounding = quant.product_uom_id.rounding
        if (
            action == "available"
            and float_compare(
                quant.quantity + quantity - quant.reserved_quantity, 0, precision_rounding=rounding
            )
            < 0
        ):
            return None  # Odoo then frees reservations or takes from untracked quants
        if quant.id not in self._storq_lock_cached_quants(pending, quants_cache):
            return None  # locked by another transaction: Odoo skips it too
        # `_update_available_quantity`, for this one quant:
        incoming_dates = []
        if quant.in_date and float_compare(quant.quantity, 0, precision_rounding=rounding) > 0:
            incoming_dates.append(quant.in_date)
        if action == "available" and in_date:
            incoming_dates.append(in_date)
        new_in_date = min(incoming_dates) if incoming_dates else fields.Datetime.now()
        vals = {"in_date": new_in_date}
        if action == "available":
            vals["quantity"] = quant.quantity + quantity
        else:
            vals["reserved_quantity"] = max(0, quant.reserved_quantity + quantity)
        quant.sudo().write(vals)
        if action == "reserved":
            return 0, in_date
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
        return available, new_in_date

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
        for line in self:
            if not line.product_id.storq_serial_control:
                continue
            rounding = line.product_uom_id.rounding
            if float_is_zero(line.quantity, precision_rounding=rounding):
                continue
            if float_compare(
                line.quantity_product_uom, 1.0, precision_rounding=line.product_id.uom_id.rounding
            ):
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
