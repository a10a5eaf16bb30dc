"""The single exception type the serial tools raise for bad input."""

import functools

# English fallbacks only: the models translate by `code`, with `params` as named placeholders.
_MESSAGES = {
    "empty": "The serial number is empty.",
    "too_short": "The serial number has {length} characters; at least {min_length} are required.",
    "too_long": "The serial number has {length} characters; at most {max_length} are allowed.",
    "prefix": "The serial number must start with {prefix!r}.",
    "charset": "The serial number contains characters not allowed by the {charset} charset: {chars!r}.",
    "pattern": "The serial number does not match the pattern {pattern!r}.",
    "check_digit": "The serial number's check digit is wrong ({algorithm}).",
    "gtin_shape": "The value looks like a product barcode (a {length}-digit GTIN), not a serial number.",
    "invalid_pattern": "The pattern {pattern!r} is not a valid regular expression: {reason}.",
    "invalid_rule": "Invalid serial format: {reason}.",
    "range_overflow": (
        "Cannot generate {count} serial numbers from {first!r}: the number would need more digits."
    ),
    "range_no_digits": "{first!r} contains no digits to increment.",
    "csv_unreadable": "The CSV file cannot be read at line {line}: {reason}.",
    "too_large": "The input has {size} bytes; at most {max_size} are taken at once.",
    "too_many": "The input holds {count} serial numbers; at most {max_count} are taken at once.",
    "not_text": "A serial number must be text, not {type}.",
}


class _Placeholders(dict):
    """Shows a missing parameter as '?' instead of failing to build the message."""

    def __missing__(self, key):
        return "?"


class SerialValidationError(ValueError):
    """The only exception the tools raise for bad input.

    `code` is a stable identifier (see `_MESSAGES`), `params` a dict for the message.
    """

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self):
        template = _MESSAGES.get(self.code, "Invalid serial number ({code}).")
        try:
            return template.format_map(_Placeholders(self.params, code=self.code))
        except Exception:  # a str() must never fail, whatever the params hold
            return f"Invalid serial number ({self.code}): {self.params!r}"

    def __reduce__(self):
        # keep `params` through pickle/copy (the default only replays `args`)
        return functools.partial(type(self), self.code, **self.params), ()
