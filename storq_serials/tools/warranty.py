"""Warranty dates: pure date arithmetic, no ORM.

Conventions used throughout the module:
- a warranty of N days, months or years started on `start` covers every day up to and
  including `end = add_duration(start, N, unit)`;
- months and years keep the day of the month, clamped to the last day of a shorter month
  (31 January + 1 month = 28 or 29 February; 29 February + 1 year = 28 February);
- `days_left` on the last covered day is 0: the unit is still covered that day.
"""

import calendar
from datetime import date
from datetime import timedelta

WARRANTY_UNITS = ("days", "months", "years")
STATE_NONE = "none"
STATE_ACTIVE = "active"
STATE_EXPIRED = "expired"


def add_months(start, months):
    """`start` moved by `months` calendar months (negative allowed), day clamped to the month's end."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_duration(start, duration, unit):
    """`start` + `duration` `unit` ("days", "months" or "years")."""
    if unit not in WARRANTY_UNITS:
        raise ValueError(f"unknown warranty unit {unit!r}")
    if unit == "days":
        return start + timedelta(days=duration)
    if unit == "years":
        return add_months(start, 12 * duration)
    return add_months(start, duration)


def warranty_end(start, duration, unit):
    """The last covered day of a warranty of `duration` `unit` started on `start`, or None
    when there is no warranty (no start, or no positive duration)."""
    if not start or not duration or duration <= 0:
        return None
    return add_duration(start, duration, unit)


def manufacture_start(manufacture_date, grace_days):
    """Start of a warranty counted from manufacture: the manufacture date plus the grace period."""
    if not manufacture_date:
        return None
    return manufacture_date + timedelta(days=max(grace_days or 0, 0))


def state_at(date_end, on_date):
    """ "none" without an end date, "active" up to and including `date_end`, "expired" after."""
    if not date_end:
        return STATE_NONE
    return STATE_ACTIVE if on_date <= date_end else STATE_EXPIRED


def days_left(date_end, on_date):
    """Whole days of coverage after `on_date` (0 on the last covered day, when expired, or
    without a warranty)."""
    if not date_end:
        return 0
    return max((date_end - on_date).days, 0)


def later_end(*ends):
    """The latest of the given end dates, ignoring empty ones (None when all are empty)."""
    known = [end for end in ends if end]
    return max(known) if known else None
