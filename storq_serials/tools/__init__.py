"""Pure serial-number logic (no ORM): normalisation, format rules, check digits, similarity.

Nothing here imports Odoo, so it can be unit- and fuzz-tested fast; the models call it.
"""

from .check_digits import (
    CHECK_DIGIT_ALGORITHMS,
    compute_check_digit,
    is_gtin_shaped,
    is_valid_check_digit,
)
from .errors import SerialValidationError
from .format_rule import (
    CHARSETS,
    DEFAULT_RULE,
    HARD_MAX_LENGTH,
    SerialFormatRule,
    build_rule,
)
from .normalize import normalize_serial, strip_scanner_noise
from .serial_range import generate_serial_range
from .similarity import near_duplicates, normalisation_clashes, within_one_edit

__all__ = [
    "CHARSETS",
    "CHECK_DIGIT_ALGORITHMS",
    "DEFAULT_RULE",
    "HARD_MAX_LENGTH",
    "SerialFormatRule",
    "SerialValidationError",
    "build_rule",
    "compute_check_digit",
    "generate_serial_range",
    "is_gtin_shaped",
    "is_valid_check_digit",
    "near_duplicates",
    "normalisation_clashes",
    "normalize_serial",
    "strip_scanner_noise",
    "within_one_edit",
]
