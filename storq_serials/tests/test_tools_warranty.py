import calendar
from datetime import date
from datetime import timedelta

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.warranty import WARRANTY_UNITS
from ..tools.warranty import add_duration
from ..tools.warranty import add_months
from ..tools.warranty import days_left
from ..tools.warranty import later_end
from ..tools.warranty import manufacture_start
from ..tools.warranty import state_at
from ..tools.warranty import warranty_end

FUZZ = settings(max_examples=300, deadline=None, database=None)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2200, 12, 31))
durations = st.integers(min_value=0, max_value=120)


class TestToolsWarranty(BaseCase):
    def test_month_end_clamping_and_leap_years(self):
        self.assertEqual(add_months(date(2026, 1, 31), 1), date(2026, 2, 28))
        self.assertEqual(add_months(date(2028, 1, 31), 1), date(2028, 2, 29))
        self.assertEqual(add_months(date(2026, 3, 31), 1), date(2026, 4, 30))
        self.assertEqual(add_months(date(2026, 12, 15), 1), date(2027, 1, 15))
        self.assertEqual(add_months(date(2026, 1, 15), -1), date(2025, 12, 15))
        self.assertEqual(add_duration(date(2028, 2, 29), 1, "years"), date(2029, 2, 28))
        self.assertEqual(add_duration(date(2028, 2, 29), 4, "years"), date(2032, 2, 29))
        self.assertEqual(add_duration(date(2026, 12, 31), 1, "days"), date(2027, 1, 1))
        self.assertEqual(warranty_end(date(2026, 12, 2), 12, "months"), date(2027, 12, 2))
        with self.assertRaises(ValueError):
            add_duration(date(2026, 1, 1), 1, "weeks")

    def test_no_start_or_no_duration_is_no_warranty(self):
        self.assertIsNone(warranty_end(None, 12, "months"))
        self.assertIsNone(warranty_end(date(2026, 1, 1), 0, "months"))
        self.assertIsNone(warranty_end(date(2026, 1, 1), -3, "days"))
        self.assertEqual(state_at(None, date(2026, 1, 1)), "none")
        self.assertEqual(days_left(None, date(2026, 1, 1)), 0)
        self.assertIsNone(manufacture_start(None, 30))
        self.assertIsNone(later_end(None, False))

    def test_state_and_days_left_around_the_end(self):
        end = date(2027, 6, 30)
        self.assertEqual((state_at(end, end), days_left(end, end)), ("active", 0))
        self.assertEqual(
            (state_at(end, end - timedelta(days=10)), days_left(end, end - timedelta(days=10))),
            ("active", 10),
        )
        self.assertEqual(
            (state_at(end, end + timedelta(days=1)), days_left(end, end + timedelta(days=1))), ("expired", 0)
        )

    def test_manufacture_plus_grace(self):
        self.assertEqual(manufacture_start(date(2026, 1, 1), 90), date(2026, 4, 1))
        self.assertEqual(manufacture_start(date(2026, 1, 1), None), date(2026, 1, 1))
        self.assertEqual(
            manufacture_start(date(2026, 1, 1), -5), date(2026, 1, 1), "a negative grace is none"
        )

    @FUZZ
    @given(days, st.integers(-2400, 2400))
    def test_months_keep_the_day_or_clamp_to_the_month_end(self, start, months):
        result = add_months(start, months)
        self.assertEqual((result.year * 12 + result.month) - (start.year * 12 + start.month), months)
        last = calendar.monthrange(result.year, result.month)[1]
        self.assertEqual(result.day, min(start.day, last))

    @FUZZ
    @given(days, durations, st.sampled_from(WARRANTY_UNITS))
    def test_end_is_monotonic_and_after_the_start(self, start, duration, unit):
        end = warranty_end(start, duration, unit)
        if duration == 0:
            self.assertIsNone(end)
            return
        self.assertGreater(end, start)
        self.assertLessEqual(end, warranty_end(start, duration + 1, unit))
        self.assertLessEqual(end, warranty_end(start + timedelta(days=1), duration, unit))

    @FUZZ
    @given(days, durations)
    def test_years_are_twelve_months(self, start, years):
        self.assertEqual(add_duration(start, years, "years"), add_duration(start, 12 * years, "months"))

    @FUZZ
    @given(days, days)
    def test_state_and_days_left_agree(self, end, on_date):
        state = state_at(end, on_date)
        left = days_left(end, on_date)
        self.assertEqual(state, "active" if on_date <= end else "expired")
        self.assertGreaterEqual(left, 0)
        if state == "active":
            self.assertEqual(on_date + timedelta(days=left), end)
        else:
            self.assertEqual(left, 0)

    @FUZZ
    @given(st.lists(st.one_of(st.none(), days), max_size=5))
    def test_later_end_is_the_latest_known(self, ends):
        known = [end for end in ends if end]
        self.assertEqual(later_end(*ends), max(known) if known else None)
