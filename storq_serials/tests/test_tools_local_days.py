import datetime

import pytz
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.local_days import day_bounds_utc
from ..tools.local_days import day_start_utc

FUZZ = settings(max_examples=400, deadline=None, database=None)
ZONES = [
    "UTC",
    "Europe/Brussels",
    "Pacific/Honolulu",
    "Pacific/Kiritimati",
    "America/Santiago",
    "America/Havana",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
]
moments = st.datetimes(min_value=datetime.datetime(1995, 1, 1), max_value=datetime.datetime(2040, 12, 31))


class TestToolsLocalDays(BaseCase):
    def test_brussels_day_starts_the_evening_before_in_utc(self):
        self.assertEqual(
            day_start_utc(datetime.date(2026, 7, 1), "Europe/Brussels"), datetime.datetime(2026, 6, 30, 22, 0)
        )
        self.assertEqual(
            day_start_utc(datetime.date(2026, 12, 3), "Europe/Brussels"),
            datetime.datetime(2026, 12, 2, 23, 0),
        )
        self.assertEqual(
            day_start_utc(datetime.date(2026, 7, 1), "Pacific/Honolulu"), datetime.datetime(2026, 7, 1, 10, 0)
        )

    def test_no_or_unknown_zone_is_utc(self):
        for name in (False, None, "", "Mars/Olympus_Mons"):
            self.assertEqual(day_start_utc(datetime.date(2026, 7, 1), name), datetime.datetime(2026, 7, 1))

    def test_empty_sides_stay_open(self):
        self.assertEqual(day_bounds_utc(None, None, "Europe/Brussels"), (None, None))
        start, end = day_bounds_utc(None, datetime.date(2026, 7, 1), "Europe/Brussels")
        self.assertIsNone(start)
        self.assertEqual(end, datetime.datetime(2026, 7, 1, 22, 0))

    def test_midnight_skipped_by_dst_starts_the_day_at_the_jump(self):
        # Santiago moved its clocks from 00:00 to 01:00 on 2022-09-11.
        start = day_start_utc(datetime.date(2022, 9, 11), "America/Santiago")
        local = pytz.utc.localize(start).astimezone(pytz.timezone("America/Santiago"))
        self.assertEqual(local.date(), datetime.date(2022, 9, 11))
        self.assertEqual(local.hour, 1)

    @FUZZ
    @given(moment=moments, zone=st.sampled_from(ZONES))
    def test_a_moment_is_within_the_bounds_of_exactly_its_local_day(self, moment, zone):
        local_day = pytz.utc.localize(moment).astimezone(pytz.timezone(zone)).date()
        start, end = day_bounds_utc(local_day, local_day, zone)
        self.assertLessEqual(start, moment)
        self.assertLess(moment, end)
        _open, day_before_end = day_bounds_utc(None, local_day - datetime.timedelta(days=1), zone)
        self.assertEqual(day_before_end, start, "consecutive days leave no gap and do not overlap")
