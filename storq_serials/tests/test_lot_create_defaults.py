import itertools
from unittest.mock import patch

from odoo.addons.stock.models.stock_lot import StockLot as StockLotBase
from odoo.tests import tagged

from ..models.stock_lot_create_defaults import MEMO_KEY
from ..models.stock_lot_create_defaults import is_constant_default
from ..tools.overrides import forget
from .common import StorqSerialsCase


@tagged("post_install", "-at_install")
class TestLotCreateDefaults(StorqSerialsCase):
    """A receipt's new units get their defaults from one `default_get` per batch when those
    defaults are constant, and from one per unit otherwise, with the same values."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.phone.is_storable = True

    imei_prefix = "35209922"

    def _receive(self, serials):
        """Validate a receipt of `serials`; the number of `stock.lot.default_get` calls."""
        original = StockLotBase.default_get
        calls = []

        def counting(lots, fields_list):
            calls.append(len(fields_list))
            return original(lots, fields_list)

        picking = self._receipt(self.phone, serials)
        picking.move_ids.picked = True
        with patch.object(StockLotBase, "default_get", counting):
            picking.button_validate()
        self.assertEqual(picking.state, "done")
        return picking.move_line_ids.lot_id, len(calls)

    def test_constant_defaults_told_apart(self):
        fields = self.Lot._fields
        self.assertTrue(is_constant_default(fields["storq_warranty_state"].default))
        self.assertFalse(is_constant_default(fields["name"].default), "a sequence is not constant")
        self.assertFalse(is_constant_default(None))
        self.assertFalse(is_constant_default(lambda model: "x"))

    def test_receipt_asks_defaults_once(self):
        lots, calls = self._receive(self._imeis(5, 100))
        self.assertEqual(calls, 1, "the batch asked Odoo for its lots' defaults more than once")
        self.assertEqual(len(lots), 5)
        self.assertEqual(set(lots.mapped("storq_warranty_state")), {"none"})
        self.assertEqual(set(lots.mapped("storq_state")), {"in_stock"})

    def test_callable_default_asked_per_unit(self):
        """A missing field whose default is not a constant gets Odoo's call for each unit."""
        counter = itertools.count(1)
        field = self.Lot._fields["ref"]
        with patch.object(field, "default", lambda model: f"REF-{next(counter)}"):
            lots, calls = self._receive(self._imeis(4, 200))
        self.assertEqual(calls, 4)
        self.assertEqual(sorted(lots.mapped("ref")), ["REF-1", "REF-2", "REF-3", "REF-4"])

    def test_other_default_get_asked_per_unit(self):
        """Another module's `default_get` may answer differently per unit: no memo then."""
        Lot = self.Lot.with_context(**{MEMO_KEY: {}})
        self.assertTrue(Lot._storq_defaults_shareable(frozenset({"name", "product_id"}), {}))
        self.assertFalse(
            Lot._storq_defaults_shareable(frozenset({"name", "product_id"}), {"note": ["shared list"]})
        )
        registry_class = type(self.Lot)
        with patch.object(registry_class, "default_get", StockLotBase.default_get, create=True):
            forget(registry_class)  # the answer kept for the class before the patch
            try:
                self.assertFalse(Lot._storq_defaults_shareable(frozenset({"name", "product_id"}), {}))
            finally:
                forget(registry_class)

    def test_memo_matches_odoo_values(self):
        """The memo's answer for a unit is Odoo's own answer for it, properties included."""
        vals = [
            {"product_id": self.phone.id, "name": name, "company_id": self.env.company.id}
            for name in self._imeis(3, 300)
        ]
        memo = {}
        Lot = self.Lot.with_context(**{MEMO_KEY: memo})
        with_memo = [Lot._add_missing_default_values(dict(v)) for v in vals]
        plain = [self.Lot._add_missing_default_values(dict(v)) for v in vals]
        self.assertEqual(with_memo, plain)
        self.assertEqual(len(memo), 1)
        self.assertIn("storq_warranty_state", next(iter(memo.values())))
