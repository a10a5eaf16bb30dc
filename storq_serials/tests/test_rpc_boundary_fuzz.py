"""Fuzz the RPC boundary: the module's public methods called as the RPC layer calls them
(`odoo.api.call_kw`, as a stock user) with arbitrary JSON-like values.

The only outcomes allowed are a normal answer or a UserError / ValidationError / AccessError
(MissingError is a UserError): never another exception, which a client would get as a
traceback. Each call runs in a savepoint, so that an example leaves nothing behind.
"""

import base64

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.api import call_kw
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_scan_delivery import DeliveryCase

FUZZ = settings(max_examples=50, deadline=None, database=None)
CLEAR_ERRORS = (UserError, ValidationError, AccessError)

# Text as a client may send it: anything, with NUL characters and scanner noise, and huge.
texts = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="SN-/: 0123456789\x00\x1d\r\n\t,;", max_size=60),
    st.sampled_from(["S" * 100_000, "SN-" * 400_000, "\x00" * 2_000, "1\n" * 20_000, "490154203237518"]),
)
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-3, max_value=10**6),
    st.floats(),
    texts,
    st.binary(max_size=20),
)
json_values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(max_size=12), children, max_size=5),
    ),
    max_leaves=12,
)
list_of_texts = st.lists(st.one_of(texts, leaves), max_size=8)


@tagged("post_install", "-at_install")
class TestRpcBoundaryFuzz(DeliveryCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        user = cls._make_user("fuzz_user", "stock.group_stock_user,storq_serials.group_storq_user")
        cls.uenv = cls.env(user=user)
        manager = cls._make_user(
            "fuzz_manager", "stock.group_stock_manager,storq_serials.group_storq_manager"
        )
        cls.menv = cls.env(user=manager)
        cls.receipt_move = cls._receipt(cls, cls.laptop, [], quantity=2).move_ids
        cls.delivery = cls._sale(cls.acme, cls.phone, 2).picking_ids
        cls.move_context = cls._serial_dialog_context(cls.laptop)

    def _rpc(self, model, method, args, kwargs=None, env=None):
        """Call `method` as the RPC layer does; return its answer, or None for a clear refusal."""
        try:
            with self.env.cr.savepoint():
                return call_kw((env or self.uenv)[model], method, args, kwargs or {})
        except CLEAR_ERRORS:
            return None

    def _assert_verdicts(self, answer):
        if answer is not None:
            verdicts = answer if isinstance(answer, list) else [answer]
            for verdict in verdicts:
                self.assertIn(verdict["status"], ("ok", "error", "product"))
                self.assertIsInstance(verdict["message"], str)
                self.assertLess(len(verdict["message"]), 2_000)

    @FUZZ
    @given(json_values, json_values, st.integers(0, 2))
    def test_scan(self, barcode, product_id, arity):
        args = [barcode, product_id][:arity]  # arguments left out, as a client may
        self._assert_verdicts(self._rpc("stock.picking", "storq_scan", [self.delivery.ids, *args]))
        answer = self._rpc(
            "stock.picking", "storq_scan", [self.delivery.ids, barcode], {"context_product_id": product_id}
        )
        self._assert_verdicts(answer)

    @FUZZ
    @given(
        st.one_of(list_of_texts, json_values),
        json_values,
        st.one_of(st.booleans(), json_values),
        st.integers(0, 3),
    )
    def test_pick_serials(self, serials, apply, keep_good, arity):
        args = [serials, apply, keep_good][:arity]
        self._assert_verdicts(self._rpc("stock.picking", "storq_pick_serials", [self.delivery.ids, *args]))
        answer = self._rpc(
            "stock.picking",
            "storq_pick_serials",
            [self.delivery.ids, serials],
            {"apply": apply, "keep_good": keep_good},
        )
        self._assert_verdicts(answer)

    @FUZZ
    @given(json_values, json_values, st.sampled_from([False, "phone", "laptop", "plain"]), st.integers(0, 2))
    def test_range_generator(self, first, count, product, arity):
        products = {"phone": self.phone, "laptop": self.laptop, "plain": self.plain_serial_product}
        product_id = products[product].id if product else False
        self._rpc(
            "stock.lot",
            "generate_lot_names",
            [first, count][:arity],
            {"context": {"storq_serial_product_id": product_id}},
        )

    @FUZZ
    @given(
        json_values,
        st.dictionaries(
            st.sampled_from(
                [
                    "default_product_id",
                    "default_tracking",
                    "default_location_dest_id",
                    "default_quantity",
                    "default_lot_id",
                    "default_company_id",
                ]
            ),
            json_values,
            max_size=3,
        ),
        st.one_of(st.sampled_from(["generate", "import"]), json_values),
        json_values,
        st.one_of(st.integers(-2, 50), json_values),
        st.one_of(texts, json_values),
        st.integers(0, 5),
    )
    def test_generate_serials_dialog(self, context, changes, mode, first_lot, count, lot_text, arity):
        args = [context, mode, first_lot, count, lot_text]
        self._rpc("stock.move", "action_generate_lot_line_vals", args[:arity])
        context = dict(self.move_context, **changes)
        self._rpc("stock.move", "action_generate_lot_line_vals", [context, mode, first_lot, count, lot_text])

    @FUZZ
    @given(texts, st.sampled_from(["paste", "range", "csv"]), texts, st.one_of(st.integers(), st.just(3)))
    def test_bulk_entry_wizard(self, text, mode, first, count):
        move = self.receipt_move
        values = {
            "picking_id": move.picking_id.id,
            "move_id": move.id,
            "mode": mode,
            "serial_text": text,
            "first_serial": first,
            "range_count": count if -(2**31) < count < 2**31 else 3,
            "csv_file": base64.b64encode(text.encode("utf-8", "surrogatepass")).decode(),
        }
        wizard_ids = self._rpc("storq.serial.bulk.entry", "create", [values])
        if wizard_ids:
            self._rpc("storq.serial.bulk.entry", "action_check", [[wizard_ids]])
            self._rpc("storq.serial.bulk.entry", "action_apply", [[wizard_ids]])

    @FUZZ
    @given(texts, st.sampled_from(["all", "good_only"]))
    def test_pick_wizard(self, text, policy):
        values = {"picking_id": self.delivery.id, "serial_text": text, "apply_policy": policy}
        wizard_id = self._rpc("storq.serial.pick", "create", [values])
        if wizard_id:
            self._rpc("storq.serial.pick", "action_check", [[wizard_id]])
            self._rpc("storq.serial.pick", "action_apply", [[wizard_id]])

    @FUZZ
    @given(texts, texts, st.one_of(st.integers(), st.just(0)))
    def test_format_rule(self, pattern, example, max_length):
        values = {
            "name": "Fuzzed",
            "pattern": pattern,
            "example": example or "1",
            "max_length": max_length if -(2**31) < max_length < 2**31 else 0,
        }
        rule_id = self._rpc("storq.serial.format", "create", [values], env=self.menv)
        if rule_id:
            self._rpc("storq.serial.format", "write", [[rule_id], {"try_serial": example}], env=self.menv)
