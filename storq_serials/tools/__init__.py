"""Pure logic (no ORM): normalisation, format rules, check digits, similarity, reading pasted
and CSV input, and whether another module overrides an Odoo method (`overrides`).

Nothing here imports Odoo, so it can be unit- and fuzz-tested fast; the models call it.
"""

from .check_digits import CHECK_DIGIT_ALGORITHMS
from .check_digits import compute_check_digit
from .check_digits import is_gtin_shaped
from .check_digits import is_valid_check_digit
from .errors import SerialValidationError
from .format_rule import CHARSETS
from .format_rule import DEFAULT_RULE
from .format_rule import HARD_MAX_LENGTH
from .format_rule import SerialFormatRule
from .format_rule import build_rule
from .normalize import normalize_serial
from .normalize import strip_scanner_noise
from .serial_input import csv_first_column
from .serial_input import decode_csv
from .serial_input import split_pasted
from .serial_range import generate_serial_range
from .similarity import near_duplicates
from .similarity import normalisation_clashes
from .similarity import within_one_edit

__all__ = [
    "CHARSETS",
    "CHECK_DIGIT_ALGORITHMS",
    "DEFAULT_RULE",
    "HARD_MAX_LENGTH",
    "SerialFormatRule",
    "SerialValidationError",
    "build_rule",
    "compute_check_digit",
    "csv_first_column",
    "decode_csv",
    "generate_serial_range",
    "is_gtin_shaped",
    "is_valid_check_digit",
    "near_duplicates",
    "normalisation_clashes",
    "normalize_serial",
    "split_pasted",
    "strip_scanner_noise",
    "within_one_edit",
]
