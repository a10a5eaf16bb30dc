"""Generate a run of consecutive serial numbers from the first one."""

import re

from .check_digits import compute_check_digit
from .errors import SerialValidationError
from .format_rule import DEFAULT_RULE
from .format_rule import SerialFormatRule

MAX_RANGE_COUNT = 100_000

# the last run of ASCII digits ([0-9], not \d: '٣' is no digit to increment)
_LAST_DIGITS = re.compile(r"([0-9]+)(?=[^0-9]*\Z)")


def generate_serial_range(first: str, count: int, rule: SerialFormatRule = DEFAULT_RULE) -> list[str]:
    """Return `count` serials starting at `first`, incrementing its last run of digits.

    Prefix, suffix and zero padding are kept: 'SN-0098', 3 -> 'SN-0098', 'SN-0099', 'SN-0100'.
    With a check-digit rule the last character of `first` is its check digit: the body before
    it is incremented and each serial gets a freshly computed check digit. `first` is
    normalised by the rule first, and every serial returned passes `rule.validate` unchanged.
    """
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_RANGE_COUNT:
        raise SerialValidationError("invalid_rule", reason=f"count must be between 1 and {MAX_RANGE_COUNT}")
    first = rule.validate(first)
    body = first[:-1] if rule.check_digit else first
    match = _LAST_DIGITS.search(body)
    if match is None:
        raise SerialValidationError("range_no_digits", first=first)
    head, digits, tail = body[: match.start()], match.group(), body[match.end() :]
    start, width = int(digits), len(digits)
    if start + count - 1 >= 10**width:
        raise SerialValidationError("range_overflow", first=first, count=count)

    serials = []
    for number in range(start, start + count):
        serial = f"{head}{number:0{width}d}{tail}"
        if rule.check_digit:
            serial += compute_check_digit(rule.check_digit, serial)
        if rule.validate(serial) != serial:
            # e.g. a strip prefix '01' would turn a generated '0100' into '00'
            raise SerialValidationError(
                "invalid_rule",
                reason=f"the format's normalisation changes the generated serial {serial!r}",
            )
        serials.append(serial)
    return serials
