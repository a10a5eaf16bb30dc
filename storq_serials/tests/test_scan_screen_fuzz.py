from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import tagged

from . import test_rpc_boundary_fuzz as fuzz
from .test_scan_delivery import DeliveryCase

STATUSES = ("ok", "error", "product", "location", "command", "undone")


@tagged("post_install", "-at_install")
class TestScanScreenFuzz(DeliveryCase):
    """The scanning screen's RPC methods with arbitrary JSON-like values, as a stock user: a
    normal answer or a clear refusal, never a traceback (see test_rpc_boundary_fuzz)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls._make_user("screen_fuzz_user", "stock.group_stock_user,storq_serials.group_storq_user")
        cls.uenv = cls.env(user=user)
        cls.delivery = cls._sale(cls.acme, cls.phone, 2).picking_ids

    _rpc = fuzz.TestRpcBoundaryFuzz._rpc

    def _assert_answer(self, answer):
        if answer is not None:
            self.assertIn(answer["status"], STATUSES)
            self.assertIsInstance(answer["message"], str)

    @fuzz.FUZZ
    @given(fuzz.json_values, fuzz.json_values, fuzz.json_values)
    def test_screen_scan(self, barcode, product_id, location_id):
        answer = self._rpc(
            "stock.picking",
            "storq_scan_screen_scan",
            [self.delivery.ids, barcode],
            {"context_product_id": product_id, "location_dest_id": location_id},
        )
        self._assert_answer(answer)

    @fuzz.FUZZ
    @given(fuzz.json_values, fuzz.json_values)
    def test_undo(self, serial, product_id):
        self._assert_answer(
            self._rpc(
                "stock.picking", "storq_scan_undo", [self.delivery.ids, serial], {"product_id": product_id}
            )
        )

    @fuzz.FUZZ
    @given(fuzz.json_values)
    def test_find(self, reference):
        answer = self._rpc("stock.picking", "storq_scan_screen_find", [reference])
        if answer is not None:
            self.assertTrue(set(answer) <= {"picking_id", "error"})

    @fuzz.FUZZ
    @given(st.lists(st.integers(-3, 10**6), max_size=3))
    def test_load_and_operations(self, ids):
        answer = self._rpc("stock.picking", "storq_scan_screen_load", [ids])
        if answer is not None:
            self.assertEqual(answer["picking"]["id"], ids[0])
        self.assertIsInstance(self._rpc("stock.picking", "storq_scan_screen_operations", []), list)
