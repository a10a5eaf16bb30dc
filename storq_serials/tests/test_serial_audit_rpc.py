"""The audit's scan methods called as the scanning screen calls them (`call_kw`, as a serial
user) with arbitrary JSON-like values: a normal answer or a clear refusal, never a traceback."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.api import call_kw
from odoo.exceptions import AccessError
from odoo.exceptions import UserError
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .test_rpc_boundary_fuzz import json_values
from .test_serial_audit import GS
from .test_serial_audit import StorqAuditCase

FUZZ = settings(max_examples=50, deadline=None, database=None)
CLEAR_ERRORS = (UserError, ValidationError, AccessError)
scans = st.one_of(
    json_values,
    st.text(alphabet="GA-0123BIN\x1d\x00 ", max_size=30),
    st.sampled_from(["GA-001", "GB-001", f"{GS}0108765432109876217XK2M93", "S" * 5_000]),
)
STATUSES = ("present", "unexpected", "unknown", "duplicate", "wrong_product", "blocked", "error", "undone")


@tagged("post_install", "-at_install")
class TestSerialAuditRpc(StorqAuditCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.audit = cls.env["storq.serial.audit"].with_user(cls.user).create({"location_id": cls.shelf_a.id})
        cls.audit.action_start()
        cls.uenv = cls.env(user=cls.user)

    def _rpc(self, method, args, kwargs=None):
        try:
            with self.env.cr.savepoint():
                return call_kw(self.uenv["storq.serial.audit"], method, args, kwargs or {})
        except CLEAR_ERRORS:
            return None

    def _assert_answer(self, answer):
        if answer is not None:
            self.assertIn(answer["status"], STATUSES)
            self.assertIsInstance(answer["message"], str)
            self.assertLess(len(answer["message"]), 2_000)
            self.assertIsInstance(answer["counts"], dict)

    @FUZZ
    @given(scans, json_values, st.integers(0, 2))
    def test_scan(self, barcode, location_id, arity):
        args = [barcode, location_id][:arity]
        self._assert_answer(self._rpc("storq_audit_scan", [self.audit.ids, *args]))
        self._assert_answer(self._rpc("action_scan", [self.audit.ids, barcode]))
        self._assert_answer(self._rpc("storq_audit_scan", [[self.audit.id, self.audit.id], barcode]))

    @FUZZ
    @given(json_values)
    def test_undo_and_info(self, limit):
        self._assert_answer(self._rpc("storq_audit_undo", [self.audit.ids]))
        info = self._rpc("storq_audit_info", [self.audit.ids, limit])
        if info is not None:
            self.assertLessEqual(len(info["last_scans"]), 200)
