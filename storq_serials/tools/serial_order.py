"""Natural order of serial numbers, and which serials a range such as SN-0099..SN-0101 holds.

A serial is read as (prefix, digits, suffix): its last run of ASCII digits (the one a range
increments, see `serial_range.generate_serial_range`), what comes before it and what follows.
Prefix and suffix are compared without scanner noise and with ASCII letters upper-cased, so
'sn-0100' is 'SN-0100'. The number's width (its count of digits, zeros included) is part of
its identity: 'SN-100' and 'SN-0100' are two different serials.

A range from..to holds the serials with the same prefix and the same suffix as its bounds
(a prefix stays a prefix: 'XSN-0100' and 'SN-0100-B' are not in SN-0099..SN-0101) whose
number lies between the bounds' numbers, and
- padded bounds (same width, at least one with a leading zero: SN-0099..SN-0101) hold only
  serials of that width: 'SN-0100' but not 'SN-100';
- unpadded bounds (no leading zero: A9..A12, SN-100..SN-250) hold only unpadded serials, of
  any width between theirs: A9, A10, A11, A12 but not A09 nor A010.
Bounds padded to different widths (SN-099..SN-1000) are ambiguous and refused.

Each range is turned into segments of one width (prefix, suffix, width, first digits, last
digits): inside one width, digit strings compare like their numbers, whatever their length.
This is what the database stores per unit and indexes, so a range is an index range scan.
"""

import re

from .errors import SerialValidationError
from .limits import HARD_MAX_LENGTH
from .normalize import strip_scanner_noise

# the last run of ASCII digits, and what comes before and after it
_SPLIT = re.compile(r"\A(.*?)([0-9]+)([^0-9]*)\Z", re.DOTALL)
_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# The same in SQL, for filling existing units (`stock.lot._storq_fill_serial_keys`).
SQL_ASCII_UPPER = "translate({0}, 'abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')"
SQL_SPLIT_PATTERN = r"^(.*?)([0-9]+)([^0-9]*)$"


def upper_ascii(value: str) -> str:
    """Upper-case ASCII letters only: the same in Python and in PostgreSQL's `translate`."""
    return value.translate(_ASCII_UPPER)


def split_serial(serial: str) -> tuple[str, str, str]:
    """(prefix, digits, suffix) of a stored serial: 'sn-0100-b' -> ('SN-', '0100', '-B').

    A serial without digits is all prefix: ('ABC', '', '').
    """
    match = _SPLIT.match(serial)
    if match is None:
        return upper_ascii(serial), "", ""
    prefix, digits, suffix = match.groups()
    return upper_ascii(prefix), digits, upper_ascii(suffix)


def serial_key(serial: str) -> dict:
    """The values stored on a unit for range comparisons (see `stock.lot` serial key fields)."""
    prefix, digits, suffix = split_serial(serial)
    return {"prefix": prefix, "digits": digits, "width": len(digits), "suffix": suffix}


def _clean_bound(value):
    value = strip_scanner_noise(value) if value else ""
    if not value:
        raise SerialValidationError("empty")
    if len(value) > HARD_MAX_LENGTH:
        raise SerialValidationError("too_long", length=len(value), max_length=HARD_MAX_LENGTH)
    return value


class RangeError(ValueError):
    """A range that cannot be read; `code` says why, `params` give the details."""

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(code, params)


def range_segments(serial_from: str, serial_to: str) -> list[tuple[str, str, int, str, str]]:
    """Segments (prefix, suffix, width, first digits, last digits) of the range, one per width.

    Raises RangeError: 'no_digits', 'different_prefix', 'different_suffix', 'reversed',
    'mixed_padding'.
    """
    low, high = _clean_bound(serial_from), _clean_bound(serial_to)
    low_prefix, low_digits, low_suffix = split_serial(low)
    high_prefix, high_digits, high_suffix = split_serial(high)
    if not low_digits or not high_digits:
        raise RangeError("no_digits", serial=low if not low_digits else high)
    if low_prefix != high_prefix:
        raise RangeError("different_prefix", first=low_prefix, last=high_prefix)
    if low_suffix != high_suffix:
        raise RangeError("different_suffix", first=low_suffix, last=high_suffix)
    low_number, high_number = int(low_digits), int(high_digits)
    if low_number > high_number:
        raise RangeError("reversed", first=low, last=high)
    padded = _is_padded(low_digits) or _is_padded(high_digits)
    if padded:
        if len(low_digits) != len(high_digits):
            raise RangeError("mixed_padding", first=low, last=high)
        return [(low_prefix, low_suffix, len(low_digits), low_digits, high_digits)]
    segments = []
    for width in range(len(low_digits), len(high_digits) + 1):
        first = max(low_number, 10 ** (width - 1) if width > 1 else 0)
        last = min(high_number, 10**width - 1)
        if first <= last:
            segments.append((low_prefix, low_suffix, width, str(first), str(last)))
    return segments


def _is_padded(digits):
    return len(digits) > 1 and digits[0] == "0"


def in_segments(serial: str, segments) -> bool:
    """Whether the stored `serial` lies in one of the `segments` (what the database query does)."""
    prefix, digits, suffix = split_serial(serial)
    width = len(digits)
    return any(
        prefix == s_prefix and suffix == s_suffix and width == s_width and first <= digits <= last
        for s_prefix, s_suffix, s_width, first, last in segments
    )


def in_range(serial: str, serial_from: str, serial_to: str) -> bool:
    """Whether `serial` is in the range serial_from..serial_to (see the module docstring)."""
    return in_segments(serial, range_segments(serial_from, serial_to))


def segments_size(segments) -> int:
    """How many serials the segments hold."""
    return sum(int(last) - int(first) + 1 for _p, _s, _w, first, last in segments)


def segment_serial(segment, number: int) -> str:
    """The serial of `number` inside `segment`, as the range writes it."""
    prefix, suffix, width, _first, _last = segment
    return f"{prefix}{number:0{width}d}{suffix}"


def serials_in_holes(segment, holes, limit):
    """The first `limit` serials of `segment` in the holes, (first, last) numbers in order."""
    result = []
    for start, end in holes:
        number = start
        while number <= end and len(result) < limit:
            result.append(segment_serial(segment, number))
            number += 1
        if len(result) >= limit:
            break
    return result
