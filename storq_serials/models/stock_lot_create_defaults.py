"""Defaults of a batch of new units, asked of Odoo once per batch instead of once per unit.

Odoo's `create` calls `default_get` for every record it creates (`_add_missing_default_values`):
10,000 calls for a receipt of 10,000 serials, all with the same fields given and, most of the
time, the same answer. The batch path of receiving (`_storq_create_and_assign_lots`) opens a
memo in its context; the defaults are then computed once per set of given fields and reused,
but only when every one of them is known to be the same for each unit:

- every missing field with a default has a constant one, which Odoo wraps in one lambda of its
  own (`fields.py`, ``self.default = lambda model: value``); context and user defaults
  (`ir.default`) are the same for the whole call anyway;
- no module after `stock` overrides `stock.lot.default_get`;
- and no value can be shared by mistake (no list, dict or recordset).

Otherwise (a sequence, today's date, the user as a default, another module's `default_get`)
the memo steps aside: each unit gets Odoo's own call. Properties are always filled per unit, as
Odoo does, because their defaults follow each unit's product.
"""

from datetime import date
from datetime import datetime

from odoo import api
from odoo import fields as odoo_fields
from odoo import models
from odoo.addons.stock.models.stock_lot import StockLot as StockLotBase

from ..tools.overrides import is_overridden

MEMO_KEY = "storq_lot_defaults"
SHAREABLE = (str, int, float, bool, type(None), date, datetime)


def is_constant_default(default):
    """Whether a field's default is Odoo's wrapper around a constant value."""
    code = getattr(default, "__code__", None)
    return (
        code is not None
        and code.co_filename == odoo_fields.__file__
        and code.co_name == "<lambda>"
        and code.co_freevars == ("value",)
    )


class StockLot(models.Model):
    _inherit = "stock.lot"

    @api.model
    def _add_missing_default_values(self, values):
        memo = self.env.context.get(MEMO_KEY)
        if memo is None or self._inherits:
            return super()._add_missing_default_values(values)
        given = frozenset(values)
        defaults = memo.get(given)
        if defaults is None:
            full = super()._add_missing_default_values(values)
            defaults = {
                name: value
                for name, value in full.items()
                if name not in values and self._fields[name].type != "properties"
            }
            memo[given] = defaults if self._storq_defaults_shareable(given, defaults) else False
            return full
        if defaults is False:
            return super()._add_missing_default_values(values)
        result = {**defaults, **values}
        for field in self._fields.values():
            if field.type == "properties":
                result[field.name] = field._add_default_values(self.env, result)
        return result

    @api.model
    def _storq_defaults_shareable(self, given, defaults):
        """Whether `defaults`, computed for one unit given the fields `given`, hold for every
        unit given the same fields."""
        if not all(isinstance(value, SHAREABLE) for value in defaults.values()):
            return False
        if is_overridden(type(self), StockLotBase, "default_get"):
            return False  # another module's defaults may differ from one unit to the next
        return all(
            is_constant_default(field.default)
            for name, field in self._fields.items()
            if name not in given and field.default
        )
