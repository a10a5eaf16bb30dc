from collections import defaultdict

from odoo import api
from odoo import models
from odoo.addons.stock.models.stock_quant import StockQuant as StockQuantBase
from odoo.exceptions import UserError
from odoo.models import LOG_ACCESS_COLUMNS
from odoo.tools.float_utils import float_compare
from odoo.tools.float_utils import float_is_zero
from odoo.tools.sql import SQL

from ..tools.overrides import is_overridden

# The field types `stock.quant._storq_insert_quants` writes itself: one plain SQL value each.
INSERT_FIELD_TYPES = frozenset(
    ("boolean", "char", "date", "datetime", "float", "integer", "many2one", "selection")
)
# Quants per INSERT of `_storq_insert_quants`.
INSERT_CHUNK_SIZE = 5000
# Overrides of this module that step aside outside their batches.
OWN_MODULE = ("storq_serials",)


class PendingQuants:
    """Quants of serial-controlled units that one `stock.move.line._action_done` will create.

    `stock.move.line._synchronize_quant` gathers here the quants Odoo would create one by one
    for units whose lot has no quant yet where they leave or arrive; they are created in one
    batch before anything can read them (`stock.move.line._storq_create_pending_quants`).
    Carried in the context as `storq_pending_quants`, compared by identity.
    """

    __slots__ = (
        "locked",
        "locked_cache",
        "open",
        "prefetched",
        "product_locations",
        "quants_cache",
        "removal_strategies",
        "vals_by_key",
    )

    def __init__(self):
        self.open = True  # False once its `_action_done` has returned: nothing more is deferred
        self.vals_by_key = {}  # Odoo's quants_cache key -> values of the quant to create
        self.product_locations = set()  # (product id, location id) of the pending quants
        self.quants_cache = None  # the `quants_cache` of Odoo's `_action_done`
        self.removal_strategies = {}  # (product id, location id) -> removal method
        self.prefetched = None  # the `quants_cache` whose quants were read in one query
        self.locked = set()  # ids of the quants of `locked_cache` this transaction locked
        self.locked_cache = None

    def __len__(self):
        return len(self.vals_by_key)

    def __contains__(self, key):
        return key in self.vals_by_key

    def add(self, key, vals):
        self.vals_by_key[key] = vals
        self.product_locations.add(key[:2])

    def pop_all(self):
        """The pending (key, vals) pairs, in the order they came; empties the batch."""
        items = list(self.vals_by_key.items())
        self.vals_by_key = {}
        self.product_locations = set()
        return items


class DeferredReservations:
    """Reservation updates of serial-controlled units, applied in one batch.

    Odoo updates a quant's reserved quantity one call at a time
    (`stock.quant._update_reserved_quantity`): a quant search or cache lookup, a
    `SELECT ... FOR NO KEY UPDATE SKIP LOCKED` of the quant and a `write`, for each line
    reserved or released; picking N units replaces N reservations: 2N round trips. Code that
    reserves and releases many units at once (`stock.picking._storq_apply_pick`) puts one of
    these in the context as `storq_deferred_reservations`; the plain updates (a unit's own
    quant, quantity 1 in stock where reservations count, no package or owner) are gathered
    here and applied by `stock.quant._storq_apply_reservations` with one lock and one write per
    resulting value. Only server code can make one (a context from a client holds JSON values
    only), like `PendingQuants`; compared by identity.
    """

    __slots__ = ("plain_places", "updates")

    def __init__(self):
        # quant id -> [(product, location, quantity, lot)] in the order Odoo would apply them
        self.updates = defaultdict(list)
        # (product id, location id) -> the product's unit of measure rounding when its units'
        # updates may wait (serial control, reservations counted there, a removal strategy
        # that orders quants by lot only), else None
        self.plain_places = {}

    @classmethod
    def from_context(cls, context):
        deferred = context.get("storq_deferred_reservations")
        return deferred if isinstance(deferred, cls) else None


class StockQuant(models.Model):
    _inherit = "stock.quant"

    def action_apply_inventory(self):
        # Odoo offers to apply counts of tracked products without lots; serial control refuses
        # before that offer, and names the lines to fix.
        self._storq_check_counted_serials()
        return super().action_apply_inventory()

    def _storq_check_counted_serials(self):
        bad = []
        for quant in self.filtered(lambda q: q.product_id.storq_serial_control):
            rounding = quant.product_uom_id.rounding
            counted = quant.inventory_quantity
            if float_is_zero(quant.inventory_diff_quantity, precision_rounding=rounding):
                continue
            if not quant.lot_id and not float_is_zero(counted, precision_rounding=rounding):
                bad.append(
                    self.env._(
                        "- %(product)s in %(location)s: %(quantity)s counted without a serial number",
                        product=quant.product_id.display_name,
                        location=quant.location_id.display_name,
                        quantity=counted,
                    )
                )
            elif quant.lot_id and float_compare(counted, 1, precision_rounding=rounding) > 0:
                bad.append(
                    self.env._(
                        "- %(product)s in %(location)s: serial %(serial)s counted %(quantity)s times",
                        product=quant.product_id.display_name,
                        location=quant.location_id.display_name,
                        serial=quant.lot_id.name,
                        quantity=counted,
                    )
                )
        if bad:
            raise UserError(
                self.env._(
                    "These products are under serial control: count each unit on its own line "
                    "with its serial number (quantity 1).\n%(lines)s",
                    lines=self.env["storq.serial.input"]._capped_lines(bad),
                )
            )

    @api.model
    def _update_reserved_quantity(
        self, product_id, location_id, quantity, lot_id=None, package_id=None, owner_id=None, strict=True
    ):
        """Gather the plain updates of serial-controlled units when the caller batches them
        (`DeferredReservations`); anything else takes Odoo's path at once."""
        deferred = DeferredReservations.from_context(self.env.context)
        if deferred is not None:
            quant = self._storq_reservation_quant(
                deferred, product_id, location_id, quantity, lot_id, package_id, owner_id
            )
            if quant:
                deferred.updates[quant.id].append((product_id, location_id, quantity, lot_id))
                return None
        return super()._update_reserved_quantity(
            product_id,
            location_id,
            quantity,
            lot_id=lot_id,
            package_id=package_id,
            owner_id=owner_id,
            strict=strict,
        )

    @api.model
    def _storq_reservation_quant(
        self, deferred, product_id, location_id, quantity, lot_id, package_id, owner_id
    ):
        """The quant whose reserved quantity Odoo's `_update_available_quantity` would change by
        `quantity`, when that change can wait for a batch: the unit's one quant, in stock
        (quantity above zero, so Odoo keeps its incoming date) where reservations count, no
        untracked quant beside it, no package or owner, one unit reserved or released.
        Else an empty recordset."""
        quants = self.browse()
        if not lot_id or package_id or owner_id or abs(quantity) != 1:
            return quants
        key = (product_id.id, location_id.id)
        if key not in deferred.plain_places:
            plain = (
                product_id.storq_serial_control
                and product_id.is_storable
                and not location_id.should_bypass_reservation()
                and self.sudo()._get_removal_strategy(product_id, location_id)
                not in ("least_packages", "closest")
            )
            # The quant's own unit is its product's (a related field computed quant by quant).
            deferred.plain_places[key] = product_id.uom_id.rounding if plain else None
        rounding = deferred.plain_places[key]
        if rounding is None:
            return quants
        quants_cache = self.env.context.get("quants_cache")
        if quants_cache is not None and not self._storq_gather_is_extended():
            # What Odoo's `_gather` returns from its quants cache (strict, no package or owner):
            # the unit's quants and the untracked ones; any untracked one makes it two or more.
            if quants_cache.get((*key, False, False, False)):
                return quants
            gathered = quants_cache.get((*key, lot_id.id, False, False), quants)
        else:
            gathered = self.sudo()._gather(
                product_id, location_id, lot_id=lot_id, package_id=package_id, owner_id=owner_id, strict=True
            )
        if len(gathered) != 1 or gathered.lot_id != lot_id or not gathered.in_date:
            return quants
        if float_compare(gathered.quantity, 0, precision_rounding=rounding) <= 0:
            return quants
        if gathered.reserved_quantity != int(gathered.reserved_quantity):
            return quants
        return gathered

    @api.model
    def _storq_gather_is_extended(self):
        """Whether `_gather` is changed by another module, or by this one in this context (the
        filter of blocked units while Odoo reserves): then it is called, not read from the cache."""
        if self.env.context.get("storq_skip_blocked"):
            return True
        return is_overridden(type(self), StockQuantBase, "_gather", OWN_MODULE)

    @api.model
    def _storq_apply_reservations(self, deferred):
        """Apply the reservation updates gathered in `deferred` as Odoo would have, one by one.

        Odoo locks each quant with `FOR NO KEY UPDATE SKIP LOCKED` before changing it, and
        reserves on a new quant when another transaction holds it: the quants are locked in one
        query, those this transaction got have their reserved quantity set in one write per
        resulting value (Odoo's `max(0, reserved + quantity)`, update after update), and those
        held elsewhere take Odoo's path, update by update."""
        updates = dict(deferred.updates)
        deferred.updates.clear()
        if not updates:
            return
        quants = self.sudo().browse(list(updates))
        quants.flush_recordset(["reserved_quantity"])
        locked = self._storq_lock_quants(list(updates))
        quants.fetch(["reserved_quantity"])
        by_value = defaultdict(list)
        held_elsewhere = []
        for quant in quants:
            if quant.id not in locked:
                held_elsewhere.append(quant.id)
                continue
            reserved = quant.reserved_quantity
            for _product, _location, quantity, _lot in updates[quant.id]:
                reserved = max(0, reserved + quantity)
            by_value[reserved].append(quant.id)
        for reserved, quant_ids in by_value.items():
            self.sudo().browse(quant_ids)._storq_write_reserved(reserved)
        plain = self.with_context(storq_deferred_reservations=None)
        for quant_id in held_elsewhere:
            for product, location, quantity, lot in updates[quant_id]:
                plain._update_reserved_quantity(product, location, quantity, lot_id=lot, strict=True)

    def _storq_write_reserved(self, reserved):
        """`write({"reserved_quantity": reserved})` on these quants as one UPDATE.

        The ORM's write converts the value of each record at the flush (a decimal precision
        lookup per quant); the value is written once here, with the write date and user the
        ORM would set, and the cache and the fields that depend on it are told, as `write` does.
        When another module overrides `stock.quant.write`, its override runs: then this is
        `write`."""
        if self._storq_write_is_extended() or self._is_inventory_mode():
            self.write({"reserved_quantity": reserved})
            return
        fnames = ["reserved_quantity", "write_uid", "write_date"]
        self.flush_recordset(fnames)
        self.env.cr.execute(
            """
            UPDATE stock_quant SET reserved_quantity = %s, write_uid = %s, write_date = %s
             WHERE id = ANY(%s)
            """,
            [reserved, self.env.uid, self.env.cr.now(), self.ids],
        )
        self.invalidate_recordset(fnames)
        self.modified(["reserved_quantity"])

    @api.model
    def _storq_write_is_extended(self):
        """Whether a module other than stock overrides `stock.quant.write`."""
        return is_overridden(type(self), StockQuantBase, "write")

    @api.model
    def _storq_lock_quants(self, quant_ids):
        """The ids of `quant_ids` this transaction could lock as Odoo does before changing a
        quant (`FOR NO KEY UPDATE SKIP LOCKED`: those another transaction holds are left out)."""
        self.env.cr.execute(
            "SELECT id FROM stock_quant WHERE id = ANY(%s) FOR NO KEY UPDATE SKIP LOCKED", [quant_ids]
        )
        return {row[0] for row in self.env.cr.fetchall()}

    @api.model
    def _storq_create_quants(self, vals_list):
        """Create quants as `stock.quant.create` does for plain values, in one batch.

        Odoo's `create` creates quants one at a time to handle inventory mode; `vals_list` has no
        inventory fields, for which Odoo's `create` only adds each quant to the context's
        `quants_cache` (the caller does that) and, in inventory mode, checks its company. The
        quants are written by `_storq_insert_quants`; values it does not write, and every call
        when another module overrides `create`, take Odoo's `create`.
        """
        if not vals_list:
            return self.browse()
        if self._storq_create_is_extended():
            return self.create(vals_list)
        computed = self._storq_precomputed_fields(vals_list)
        vals_list = self._storq_add_computed_quant_vals(vals_list)
        quants = self._storq_insert_quants(vals_list, computed)
        if quants is None:
            # Skip stock's `create` (its loop over the values, whose work for them is done here)
            # and give the whole list to the `create` below it. pylint expects super() to call
            # the method of the same name; this method is not an override of `create`.
            quants = super(StockQuantBase, self).create(vals_list)  # pylint: disable=super-method-mismatch
        if self._is_inventory_mode():
            quants.filtered("company_id")._check_company()
        return quants

    @api.model
    def _storq_insert_quants(self, vals_list, computed=()):
        """The quants the ORM's `create(vals_list)` makes, inserted with one
        `INSERT ... SELECT ... FROM unnest(...)` per `INSERT_CHUNK_SIZE` quants; None (nothing
        done) when `_storq_insert_plan` finds values it cannot write as the ORM would.

        The ORM's `create` works record by record, field by field: defaults looked up,
        precomputed fields computed on a new record, each value converted and put in cache,
        100 rows per INSERT. The values of a batch have the same fields, most of them with a
        handful of distinct values: the defaults are read once, each distinct value converted
        once, the cache filled field by field. Then the ORM's bookkeeping of a creation, in its
        order: inverse one2many fields in cache, `modified(create=True)` with the fields it
        protects, constraints, access rights.

        `computed`: fields whose values in `vals_list` are what their computation gives
        (`_storq_precomputed_fields`). The ORM computes such a field again after the INSERT
        when it is read-only, to write the same value; it is protected from that here, unless
        a default (from the context) sets a field it depends on.
        """
        plan = self._storq_insert_plan(vals_list)
        if plan is None:
            return None
        fnames, defaults, protected = plan
        for field in computed:
            if not any(path.split(".")[0] in defaults for path in self.pool.field_depends[field]):
                protected.add(field)
        self.check_access("create")
        now = self.env.cr.now()
        magic = {"create_uid": self.env.uid, "create_date": now, "write_uid": self.env.uid, "write_date": now}
        rows = [{**defaults, **vals, **magic} for vals in vals_list]
        ids = []
        for start in range(0, len(rows), INSERT_CHUNK_SIZE):
            ids.extend(self._storq_insert_rows(fnames, rows[start : start + INSERT_CHUNK_SIZE]))
        quants = self.browse(ids)
        quants._storq_cache_created(fnames, rows)
        quants._parent_store_create()
        with self.env.protecting(protected, quants):
            quants.modified(self._fields, create=True)
        quants._validate_fields(fnames)
        quants.check_access("create")
        if self._check_company_auto:
            quants._check_company()
        return quants

    @api.model
    def _storq_insert_plan(self, vals_list):
        """(stored fields to write, the defaults the ORM adds to the values, the fields it
        protects from recomputation) for the quants of `vals_list`; None when
        `_storq_insert_quants` cannot write them as the ORM would: values with different fields,
        an id, a field to write that is not a plain column (relational lists, translations,
        company-dependent, monetary, properties), a field with an inverse to call, a stored
        precomputed field, a parent path or an `_inherits` parent.

        The ORM ignores the values of fields neither stored nor inverted (it computes the
        precomputed `lot_properties` on a new record for each value, then drops the result) and
        replaces those of the log fields (create and write user and date).
        """
        keys = vals_list[0].keys()
        if "id" in keys or any(vals.keys() != keys for vals in vals_list):
            return None
        if self._inherits or self._parent_store or not self._log_access:
            return None
        if any(field.precompute and field.store for field in self._fields.values()):
            return None
        full = self._add_missing_default_values(dict(vals_list[0]))
        defaults = {fname: value for fname, value in full.items() if fname not in keys}
        fnames = set(LOG_ACCESS_COLUMNS)
        protected = set()
        for fname in full:
            field = self._fields.get(fname)
            if field is None or field.inverse or field.inherited:
                return None
            if fname in LOG_ACCESS_COLUMNS:
                defaults.pop(fname, None)
                continue
            if field.store:
                if (
                    field.type not in INSERT_FIELD_TYPES
                    or not field.column_type
                    or field.translate
                    or field.company_dependent
                ):
                    return None
                fnames.add(fname)
            else:
                defaults.pop(fname, None)
            if field.compute and (not field.readonly or field.precompute):
                protected.update(self.pool.field_computed.get(field, [field]))
        return sorted(fnames), defaults, protected

    @api.model
    def _storq_insert_rows(self, fnames, rows):
        """Insert `rows` (values of `fnames` in the ORM's write format) with one query; their ids
        in the order of `rows`. A column with one value for all the rows is sent once."""
        constant = {}
        arrays = {}
        for fname in fnames:
            field = self._fields[fname]
            converted = {}
            column = []
            for row in rows:
                value = row[fname]
                if value not in converted:
                    converted[value] = field.convert_to_column_insert(value, self, row)
                column.append(converted[value])
            if len(converted) == 1:
                constant[fname] = column[0]
            else:
                arrays[fname] = column
        if not arrays:
            fname = next(iter(constant))
            arrays[fname] = [constant.pop(fname)] * len(rows)

        def typed(value, fname, array=""):
            return SQL(f"%s::%s{array}", value, SQL(self._fields[fname].column_type[1]))

        # The ids are drawn from the table's sequence row after row, in the order of
        # `storq_row`: sorted, they are in the order of `rows`.
        self.env.cr.execute(
            SQL(
                "INSERT INTO %s (%s) SELECT %s FROM unnest(%s) WITH ORDINALITY AS storq_new(%s, storq_row)"
                " ORDER BY storq_row RETURNING id",
                SQL.identifier(self._table),
                SQL(", ").join(SQL.identifier(fname) for fname in [*arrays, *constant]),
                SQL(", ").join(
                    [SQL.identifier("storq_new", fname) for fname in arrays]
                    + [typed(value, fname) for fname, value in constant.items()]
                ),
                SQL(", ").join(typed(values, fname, "[]") for fname, values in arrays.items()),
                SQL(", ").join(SQL.identifier(fname) for fname in arrays),
            )
        )
        return sorted(row[0] for row in self.env.cr.fetchall())

    def _storq_cache_created(self, fnames, rows):
        """Put these new quants in cache as the ORM's `_create` does: the values written, the
        empty value of the other stored fields that are not computed, no relational lists; then
        add them to the cached one2many fields that are inverses of their many2one fields (a
        lot's `quant_ids`, a location's, a product's)."""
        cache = self.env.cache
        count = len(self)
        written = set(fnames)
        for field in self._fields.values():
            if field.type in ("one2many", "many2many"):
                cache.update(self, field, [()] * count)
            elif field.store and not field.compute and field.name not in written and field.name != "id":
                cache.update(self, field, [field.convert_to_cache(None, self)] * count)
        inverses = []
        for fname in fnames:
            field = self._fields[fname]
            converted = {}
            values = []
            for row in rows:
                value = row[fname]
                if value not in converted:
                    converted[value] = field.convert_to_cache(value, self)
                values.append(converted[value])
            cache.update(self, field, values)
            if field.type == "many2one" and self.pool.field_inverses[field]:
                inverses.append((field, values))
        for field, values in inverses:
            ids_by_value = defaultdict(list)
            for record_id, value in zip(self._ids, values):
                ids_by_value[value].append(record_id)
            for value, record_ids in ids_by_value.items():
                field._update_inverses(self.browse(record_ids), value)

    @api.model
    def _storq_precomputed_fields(self, vals_list):
        """The computed fields `_storq_add_computed_quant_vals` adds to `vals_list` as their own
        computation would: those the values do not set, defined as in Odoo (the location's
        company and storage category) and, for the difference to the counted quantity, with
        Odoo's computation, not overridden, and no counted quantity in the values."""
        given = set().union(*vals_list)
        fields = self._fields
        precomputed = [
            fields[fname]
            for fname in ("company_id", "storage_category_id")
            if fname not in given and fields[fname].related == f"location_id.{fname}"
        ]
        diff = fields["inventory_diff_quantity"]
        if (
            given.isdisjoint(("inventory_diff_quantity", "inventory_quantity"))
            and diff.compute == "_compute_inventory_diff_quantity"
            and not self._storq_is_extended("_compute_inventory_diff_quantity")
        ):
            precomputed.append(diff)
        return precomputed

    @api.model
    def _storq_add_computed_quant_vals(self, vals_list):
        """`vals_list` with the stored fields Odoo computes on a new quant, computed here for
        the batch, so that they are written with the quants' INSERT rather than by an UPDATE
        of every quant after it: the location's company and storage category (related
        fields), the next inventory date of an internal or transit location
        (`_compute_inventory_date`), and the difference to the counted quantity, unset on a
        new quant (`_compute_inventory_diff_quantity`: counted 0 minus the quantity)."""
        locations = self.env["stock.location"].browse({vals["location_id"] for vals in vals_list})
        computed = {
            location.id: {
                "company_id": location.company_id.id,
                "storage_category_id": location.storage_category_id.id,
                "inventory_date": location._get_next_inventory_date(),
            }
            for location in locations
        }
        return [
            {
                **computed[vals["location_id"]],
                "inventory_diff_quantity": -vals["quantity"],
                **vals,
            }
            for vals in vals_list
        ]

    @api.model
    def _storq_create_is_extended(self):
        """Whether a module other than stock overrides how quants are created (`create`, or the
        ORM's `_prepare_create_values` and `_create` that `_storq_insert_quants` stands for)."""
        methods = ("create", "_prepare_create_values", "_create")
        return any(self._storq_is_extended(method) for method in methods)

    @api.model
    def _storq_update_is_extended(self):
        """Whether a module other than stock overrides how a quant's quantities are updated
        (`_update_available_quantity`, `_update_reserved_quantity`)."""
        return self._storq_is_extended("_update_available_quantity") or self._storq_is_extended(
            "_update_reserved_quantity"
        )

    @api.model
    def _storq_is_extended(self, method):
        """Whether a module other than stock and this one overrides `stock.quant.<method>`
        (this module's own overrides step aside outside their batches)."""
        return is_overridden(type(self), StockQuantBase, method, OWN_MODULE)
