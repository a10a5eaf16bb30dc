"""Inputs that cannot hurt: linear-time patterns and normalisation, bounded bulk inputs.

No timings here: the tests assert on the work done (which engine runs a pattern, whether a
value is normalised at all, how many characters normalisation looks at).
"""

from unittest.mock import patch

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools import format_rule
from ..tools.errors import SerialValidationError
from ..tools.format_rule import UnusableRule
from ..tools.format_rule import build_rule
from ..tools.limits import MAX_BULK_BYTES
from ..tools.limits import MAX_BULK_SERIALS
from ..tools.limits import MAX_PATTERN_LENGTH
from ..tools.limits import MAX_RAW_SERIAL_LENGTH
from ..tools.limits import MAX_SHOWN_LENGTH
from ..tools.limits import shorten
from ..tools.normalize import _strip_label_prefixes
from ..tools.serial_input import csv_first_column
from ..tools.serial_input import decode_csv
from ..tools.serial_input import split_pasted

FUZZ = settings(max_examples=100, deadline=None, database=None)

# Backtracks exponentially on Python's engine: 3 s for 27 characters, doubling per character.
BACKTRACKING = r"^([A-Z0-9]+-?)+$"


class CountingStr(str):
    """A str that counts the characters read from it by indexing and slicing."""

    read = 0

    def __getitem__(self, key):
        item = super().__getitem__(key)
        CountingStr.read += len(item)
        return item


def _error(call):
    try:
        call()
    except SerialValidationError as error:
        return error
    raise AssertionError("no SerialValidationError raised")


class TestToolsInputLimits(BaseCase):
    # Patterns --------------------------------------------------------------
    def test_patterns_run_on_re2(self):
        rule = build_rule(pattern=BACKTRACKING)
        self.assertEqual(type(rule._regex).__module__.split(".")[0], "re2", "a linear-time engine")
        self.assertEqual(rule.validate("AB-12-CD"), "AB-12-CD")
        # the serial that held a worker for seconds on Python's engine (and 2^n with n)
        self.assertEqual(_error(lambda: rule.validate("A" * 27 + "!")).code, "pattern")
        self.assertEqual(_error(lambda: rule.validate("A1" * 60 + "!")).code, "pattern")
        # the semantics of the rules stay: the whole serial must match, \d is ASCII only
        self.assertEqual(_error(lambda: build_rule(pattern=r"\d{3}").validate("1234")).code, "pattern")
        self.assertEqual(_error(lambda: build_rule(pattern=r"\d+").validate("١٢٣")).code, "pattern")
        self.assertEqual(build_rule(pattern=r"SN-\d+").validate("SN-12"), "SN-12")

    def test_patterns_re2_cannot_run_are_refused_with_the_reason(self):
        cases = {
            r"(\d)\1": "backreferences",
            r"(?=SN)\w+": "look-ahead",
            r"(?!X)\w+": "look-ahead",
            r"\w+(?<=9)": "look-behind",
            r"SN\d+\Z": r"\z or $",
            r"\d{2000}": "1000",
        }
        for pattern, reason in cases.items():
            with self.subTest(pattern=pattern):
                error = _error(lambda pattern=pattern: build_rule(pattern=pattern))
                self.assertEqual(error.code, "invalid_pattern")
                self.assertIn(reason, error.params["reason"])
                self.assertIn("linear-time", error.params["reason"])

    def test_pattern_length_is_bounded(self):
        build_rule(pattern="A" * MAX_PATTERN_LENGTH)
        error = _error(lambda: build_rule(pattern="A" * (MAX_PATTERN_LENGTH + 1)))
        self.assertEqual(error.code, "invalid_pattern")
        self.assertIn(str(MAX_PATTERN_LENGTH), error.params["reason"])
        self.assertLessEqual(len(error.params["pattern"]), MAX_PATTERN_LENGTH + 1)
        self.assertEqual(_error(lambda: build_rule(pattern="A\x00")).code, "invalid_pattern")

    def test_unusable_rule_refuses_every_serial(self):
        rule = UnusableRule(name="Old", reason="backreferences")
        for call in (rule.normalize, rule.check, rule.validate):
            error = _error(lambda call=call: call("SN-1"))
            self.assertEqual(error.code, "invalid_rule")
            self.assertIn("Old", error.params["reason"])

    # Normalisation ---------------------------------------------------------
    def test_a_huge_serial_is_refused_before_it_is_normalised(self):
        rule = build_rule(strip_prefixes=["SN"], uppercase=True)
        with patch.object(format_rule, "normalize_serial", side_effect=AssertionError("normalised")):
            for value in ("SN-" * 400_000, "x" * (MAX_RAW_SERIAL_LENGTH + 1), "\x00" * 1_000_000):
                error = _error(lambda value=value: rule.validate(value))
                self.assertEqual(error.code, "too_long")
                self.assertEqual(error.params["length"], len(value))
        # a label prefix and noise around a serial of the maximum length still pass
        serial = "A" * 128
        self.assertEqual(build_rule(strip_prefixes=["S/N:"]).validate(f"  S/N: {serial}\r\n"), serial)

    def test_label_prefix_stripping_is_linear(self):
        for count in (10, 1_000, 100_000):
            CountingStr.read = 0
            value = CountingStr("SN-" * count + "1")
            self.assertEqual(_strip_label_prefixes(value, ("SN",)), "1")
            # each label is read once (2 characters), each separator once: about 3 per label
            self.assertLessEqual(CountingStr.read, 4 * len(value), count)

    @FUZZ
    @given(
        st.lists(st.sampled_from(["SN", "sn", "S/N:", "-", " ", ":", "#", "1", "X"]), max_size=300),
        st.lists(st.sampled_from(["SN", "S/N:", "S/N", "#"]), max_size=3),
    )
    def test_label_prefix_stripping_reads_each_character_a_bounded_number_of_times(self, parts, prefixes):
        CountingStr.read = 0
        value = CountingStr("".join(parts))
        _strip_label_prefixes(value, tuple(prefixes))
        # each prefix looks at each character a bounded number of times: linear, not quadratic
        self.assertLessEqual(CountingStr.read, 8 * (len(prefixes) + 1) * (len(value) + 1))

    # Bulk input ------------------------------------------------------------
    def test_paste_limits(self):
        self.assertEqual(len(split_pasted("A1\n" * MAX_BULK_SERIALS)), MAX_BULK_SERIALS)
        error = _error(lambda: split_pasted("A1\n" * (MAX_BULK_SERIALS + 1)))
        self.assertEqual((error.code, error.params["count"]), ("too_many", MAX_BULK_SERIALS + 1))
        error = _error(lambda: split_pasted("A" * (MAX_BULK_BYTES + 1)))
        self.assertEqual(error.code, "too_large")
        # bytes, not characters: 'é' takes two
        self.assertEqual(_error(lambda: split_pasted("é" * (MAX_BULK_BYTES // 2 + 1))).code, "too_large")

    def test_csv_limits(self):
        error = _error(lambda: decode_csv(b"A" * (MAX_BULK_BYTES + 1)))
        self.assertEqual(error.code, "too_large")
        rows = "\n".join(f"SN{n}" for n in range(MAX_BULK_SERIALS))
        self.assertEqual(len(csv_first_column(rows)), MAX_BULK_SERIALS)
        error = _error(lambda: csv_first_column(rows + "\nSN-LAST\nSN-LAST2"))
        self.assertEqual((error.code, error.params["count"]), ("too_many", MAX_BULK_SERIALS + 2))
        self.assertEqual(csv_first_column("SN\x001\nSN2"), [(1, "SN1"), (2, "SN2")])

    # Messages --------------------------------------------------------------
    @FUZZ
    @given(st.one_of(st.text(max_size=2_000), st.none(), st.booleans(), st.integers(), st.binary()))
    def test_shown_values_are_bounded_and_printable(self, value):
        shown = shorten(value)
        self.assertLessEqual(len(shown), max(MAX_SHOWN_LENGTH, len(f"<{type(value).__name__}>")))
        self.assertTrue(shown.isprintable())
        if isinstance(value, str) and len(value) <= MAX_SHOWN_LENGTH and value.isprintable():
            self.assertEqual(shown, value)
