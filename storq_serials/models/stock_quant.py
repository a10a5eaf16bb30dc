from odoo import api
from odoo import models
from odoo.addons.stock.models.stock_quant import StockQuant as StockQuantBase
from odoo.exceptions import UserError
from odoo.tools.float_utils import float_compare
from odoo.tools.float_utils import float_is_zero


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
    def _storq_create_quants(self, vals_list):
        """Create quants as `stock.quant.create` does for plain values, in one batch.

        Odoo's `create` creates quants one at a time (one INSERT each) to handle inventory
        mode; `vals_list` has no inventory fields, for which Odoo's `create` only adds each
        quant to the context's `quants_cache` (the caller does that) and, in inventory mode,
        checks its company. When another module overrides `create`, its override must run:
        then this is Odoo's `create`.
        """
        if not vals_list:
            return self.browse()
        if self._storq_create_is_extended():
            return self.create(vals_list)
        # Skip stock's `create` (its loop over the values, whose work for them is done here)
        # and give the whole list to the `create` below it. pylint expects super() to call
        # the method of the same name; this method is not an override of `create`.
        quants = super(StockQuantBase, self).create(  # pylint: disable=super-method-mismatch
            self._storq_add_computed_quant_vals(vals_list)
        )
        if self._is_inventory_mode():
            quants.filtered("company_id")._check_company()
        return quants

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
        """Whether a module other than stock overrides `stock.quant.create`."""
        return self._storq_is_extended("create")

    @api.model
    def _storq_update_is_extended(self):
        """Whether a module other than stock overrides how a quant's quantities are updated
        (`_update_available_quantity`, `_update_reserved_quantity`)."""
        return self._storq_is_extended("_update_available_quantity") or self._storq_is_extended(
            "_update_reserved_quantity"
        )

    @api.model
    def _storq_is_extended(self, method):
        """Whether a module other than stock overrides `stock.quant.<method>`."""
        for cls in type(self).__mro__:
            if cls is StockQuantBase:
                return False
            if method in vars(cls):
                return True
        return True
