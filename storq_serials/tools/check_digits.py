"""Check-digit algorithms, wrapped around python-stdnum so that bad input never raises.

stdnum's own functions accept things we must refuse (``int()`` takes Unicode digits such as
'٣', ``ean.validate`` drops spaces and dashes), so every value is first checked against the
algorithm's ASCII alphabet here, and only then handed to stdnum for the arithmetic.
"""

from stdnum import ean
from stdnum import luhn
from stdnum.iso7064 import mod_11_2
from stdnum.iso7064 import mod_37_36

from .errors import SerialValidationError

CHECK_DIGIT_ALGORITHMS = {
    "luhn": "Luhn (IMEI, ICCID)",
    "gs1_mod10": "GS1 mod 10 (GTIN, SSCC)",
    "iso7064_mod37_36": "ISO 7064 mod 37,36 (alphanumeric)",
    "iso7064_mod11_2": "ISO 7064 mod 11,2 (digits, X)",
}

GTIN_LENGTHS = (8, 12, 13, 14)

_DIGITS = frozenset("0123456789")
_UPPER_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")

# algorithm: (characters the body may hold, characters the check digit may be, stdnum function)
_ALGORITHMS = {
    "luhn": (_DIGITS, _DIGITS, luhn.calc_check_digit),
    "gs1_mod10": (_DIGITS, _DIGITS, ean.calc_check_digit),
    "iso7064_mod37_36": (_UPPER_ALNUM, _UPPER_ALNUM, mod_37_36.calc_check_digit),
    "iso7064_mod11_2": (_DIGITS, _DIGITS | {"X"}, mod_11_2.calc_check_digit),
}


def _compute(algorithm, body):
    """The check character for `body`, or None when the algorithm cannot take it."""
    spec = _ALGORITHMS.get(algorithm)
    if spec is None or not isinstance(body, str) or not body:
        return None
    body_chars, _check_chars, calc = spec
    if not body_chars.issuperset(body):
        return None
    try:
        return calc(body)
    except Exception:  # defensive: stdnum is outside our control
        return None


def is_valid_body(algorithm: str, body: str) -> bool:
    """Whether `algorithm` can compute a check digit for `body` (non-empty, right characters)."""
    return _compute(algorithm, body) is not None


def compute_check_digit(algorithm: str, body: str) -> str:
    """Return the check character to append to `body`.

    Raises SerialValidationError('check_digit') for an unknown algorithm, an empty body or
    characters the algorithm cannot take (letters are upper-case only).
    """
    digit = _compute(algorithm, body)
    if digit is None:
        raise SerialValidationError("check_digit", algorithm=algorithm)
    return digit


def is_valid_check_digit(algorithm: str, value: str) -> bool:
    """Whether the last character of `value` is the right check digit for the rest. Never raises."""
    if not isinstance(value, str) or len(value) < 2 or algorithm not in _ALGORITHMS:
        return False
    if value[-1] not in _ALGORITHMS[algorithm][1]:
        return False
    return _compute(algorithm, value[:-1]) == value[-1]


def is_gtin_shaped(value: str) -> bool:
    """Whether `value` reads as a GTIN (EAN-8, UPC-A, EAN-13, GTIN-14): a product barcode
    scanned by mistake where a serial number was expected."""
    return (
        isinstance(value, str)
        and len(value) in GTIN_LENGTHS
        and _DIGITS.issuperset(value)
        and is_valid_check_digit("gs1_mod10", value)
    )
