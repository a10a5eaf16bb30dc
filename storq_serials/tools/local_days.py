"""A user's calendar day as a UTC interval: date filters typed by a user in Brussels or
Honolulu must select the moments that fell on that day there, not on that day in UTC.

Datetimes are stored naive in UTC by Odoo; the bounds returned are naive UTC too.
"""

import datetime

import pytz


def day_start_utc(day, tz_name):
    """The UTC moment the local `day` begins in `tz_name` (UTC when unknown or empty).

    Where midnight does not exist (a DST jump at 00:00) the day begins at the first local
    moment that does."""
    try:
        zone = pytz.timezone(tz_name or "UTC")
    except pytz.UnknownTimeZoneError:
        zone = pytz.utc
    midnight = datetime.datetime.combine(day, datetime.time.min)
    try:
        local = zone.localize(midnight, is_dst=None)
    except pytz.NonExistentTimeError:
        # The clock jumped over midnight: the day starts at the jump, which the standard-time
        # reading of midnight lands on.
        local = zone.normalize(zone.localize(midnight, is_dst=False))
    except pytz.AmbiguousTimeError:
        # Midnight happened twice (clocks set back to 00:00): the day starts at the first one.
        local = zone.localize(midnight, is_dst=True)
    return local.astimezone(pytz.utc).replace(tzinfo=None)


def day_bounds_utc(date_from, date_to, tz_name):
    """(start, end) UTC bounds of the local days from `date_from` to `date_to` included, for
    `start <= moment < end`; either side is None when its date is empty."""
    start = day_start_utc(date_from, tz_name) if date_from else None
    end = day_start_utc(date_to + datetime.timedelta(days=1), tz_name) if date_to else None
    return start, end
