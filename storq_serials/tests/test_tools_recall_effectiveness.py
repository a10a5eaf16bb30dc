from hypothesis import given
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.recall_effectiveness import FIXED_SHARES
from ..tools.recall_effectiveness import check_share
from ..tools.recall_effectiveness import customers_to_check
from ..tools.recall_effectiveness import recovery_rate


class TestRecallEffectivenessTools(BaseCase):
    def test_levels(self):
        self.assertEqual([check_share(level) for level in "ACDE"], [100.0, 10.0, 2.0, 0.0])
        self.assertEqual(check_share("B", 35.0), 35.0)
        for share in (10.0, 100.0, 5.0):
            with self.assertRaises(ValueError):
                check_share("B", share)
        self.assertEqual(customers_to_check(10.0, 11), 2)
        self.assertEqual(customers_to_check(10.0, 10), 1)
        self.assertEqual(customers_to_check(2.0, 1), 1)
        self.assertEqual(customers_to_check(0.0, 500), 0)
        self.assertEqual(recovery_rate(0, 0), 100.0)
        self.assertEqual(recovery_rate(1, 4), 25.0)

    @given(st.sampled_from(sorted(FIXED_SHARES)), st.integers(min_value=0, max_value=10**6))
    def test_fixed_levels_bounds(self, level, customers):
        count = customers_to_check(check_share(level), customers)
        self.assertTrue(0 <= count <= customers)
        self.assertGreaterEqual(count * 100.0, check_share(level) * customers - 1e-6)
        if level == "A":
            self.assertEqual(count, customers)
        if level == "E":
            self.assertEqual(count, 0)

    @given(st.floats(min_value=10.001, max_value=99.999), st.integers(min_value=1, max_value=10**6))
    def test_level_b_between_c_and_a(self, share, customers):
        count = customers_to_check(check_share("B", share), customers)
        self.assertGreaterEqual(count, customers_to_check(10.0, customers))
        self.assertLessEqual(count, customers)

    @given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
    def test_recovery_rate_is_a_percentage(self, recovered, total):
        self.assertTrue(0.0 <= recovery_rate(recovered, total) <= 100.0)
