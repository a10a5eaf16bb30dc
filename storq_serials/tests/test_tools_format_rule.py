import dataclasses
import pickle

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.check_digits import CHECK_DIGIT_ALGORITHMS
from ..tools.errors import SerialValidationError
from ..tools.format_rule import CHARSETS
from ..tools.format_rule import DEFAULT_RULE
from ..tools.format_rule import HARD_MAX_LENGTH
from ..tools.format_rule import SerialFormatRule
from ..tools.format_rule import build_rule

FUZZ = settings(max_examples=200, deadline=None, database=None)

# Mostly sensible settings, with some nonsense mixed in: build_rule must refuse the latter
# with SerialValidationError and nothing else.
rule_settings = st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=10),
        "pattern": st.one_of(
            st.sampled_from(
                [
                    "",
                    r"[A-Z]{2}\d+",
                    r"\d{4,}",
                    r".*",
                    r"SN-\d+",
                    r"(?i)[a-z0-9 ]+",
                    r"[0-9A-F]+X?",
                ]
            ),
            st.text(max_size=12),
        ),
        "min_length": st.one_of(st.integers(0, 20), st.integers(-3, HARD_MAX_LENGTH + 3)),
        "max_length": st.one_of(st.just(0), st.integers(1, 40), st.integers(-3, HARD_MAX_LENGTH + 3)),
        "prefix": st.one_of(st.sampled_from(["", "SN", "A", "0", "sn-"]), st.text(max_size=4)),
        "charset": st.sampled_from([*CHARSETS, "bogus"]),
        "allowed_chars": st.one_of(st.sampled_from(["0123456789", "ABC 123-"]), st.text(max_size=20)),
        "uppercase": st.booleans(),
        "strip_prefixes": st.lists(
            st.one_of(st.sampled_from(["S/N:", "SN", "S/N", "ſ"]), st.text(max_size=5)),
            max_size=3,
        ).map(tuple),
        "check_digit": st.sampled_from(["", *CHECK_DIGIT_ALGORITHMS, "bogus"]),
        "accept_gtin_shape": st.booleans(),
    },
)
serial_like = st.text(alphabet="SsNn/:#-. 0123456789ABCDEFXabcſ\u00a0\t\r\n\x1d٣", max_size=40)
values = st.one_of(st.text(max_size=10_000), serial_like)


def _error(callable_, *args):
    try:
        callable_(*args)
    except SerialValidationError as error:
        return error
    raise AssertionError(f"{callable_} did not raise SerialValidationError")


class TestToolsFormatRule(BaseCase):
    def assertCode(self, rule, value, code, **params):
        error = _error(rule.validate, value)
        self.assertEqual(error.code, code, f"{value!r}: {error}")
        for key, expected in params.items():
            self.assertEqual(error.params[key], expected)
        self.assertTrue(str(error))

    def test_default_rule(self):
        self.assertEqual(DEFAULT_RULE.validate("  ab c-12\r\n"), "ab c-12")
        self.assertCode(DEFAULT_RULE, " \r\n\t", "empty")
        self.assertCode(DEFAULT_RULE, None, "empty")
        self.assertCode(
            DEFAULT_RULE,
            "x" * (HARD_MAX_LENGTH + 1),
            "too_long",
            length=129,
            max_length=HARD_MAX_LENGTH,
        )
        self.assertEqual(DEFAULT_RULE.validate("x" * HARD_MAX_LENGTH), "x" * HARD_MAX_LENGTH)
        self.assertCode(DEFAULT_RULE, "9521234543213", "gtin_shape", length=13)
        # wrong GTIN check digit
        self.assertEqual(DEFAULT_RULE.validate("9521234543214"), "9521234543214")
        self.assertCode(DEFAULT_RULE, "A\u00a0B", "charset", chars="\u00a0", charset="any")

    def test_each_check_code(self):
        rule = build_rule(
            min_length=6,
            max_length=10,
            prefix="SN",
            charset="upper_alnum",
            pattern=r"SN\d+[A-Z]?",
        )
        self.assertEqual(rule.validate("SN1234"), "SN1234")
        self.assertCode(rule, "SN12", "too_short", length=4, min_length=6)
        self.assertCode(rule, "SN12345678901", "too_long", length=13, max_length=10)
        self.assertCode(rule, "XX1234", "prefix", prefix="SN")
        # deduplicated, in order
        self.assertCode(rule, "SN-1-2ab-", "charset", chars="-ab", charset="upper_alnum")
        self.assertCode(rule, "SN12AB", "pattern", pattern=r"SN\d+[A-Z]?")
        self.assertCode(
            build_rule(check_digit="luhn"),
            "490154203237519",
            "check_digit",
            algorithm="luhn",
        )
        self.assertEqual(
            build_rule(check_digit="luhn").validate("490154203237518"),
            "490154203237518",
        )

    def test_first_failing_check_wins(self):
        rule = build_rule(min_length=5, prefix="SN", charset="upper_alnum", pattern=r"SN\d+")
        # hard max before too_short or the rest
        self.assertCode(rule, "x" * 200, "too_long")
        self.assertCode(rule, "ab", "too_short")
        self.assertCode(rule, "ab-cdef", "prefix")  # prefix before charset
        rule = build_rule(charset="digits", pattern=r"[A-Z]+", check_digit="luhn")
        self.assertCode(rule, "12a", "charset")  # charset before pattern
        rule = build_rule(pattern=r"\d+", check_digit="gs1_mod10")
        self.assertCode(rule, "12a", "pattern")  # pattern before check digit
        # check digit before GTIN shape
        self.assertCode(rule, "9521234543214", "check_digit")
        # valid check digit, but a GTIN
        self.assertCode(rule, "9521234543213", "gtin_shape")

    def test_charsets(self):
        cases = {
            "digits": ("0123456789", ["12A", "١٢٣", "12 3", "1.2"]),
            # 'А' is Cyrillic
            "upper_alnum": ("AZ09", ["Az09", "ÄZ09", "AZ 09", "АZ09"]),
            "alnum": ("aZ09", ["aZ-09", "aé09"]),
            "hex": ("00FFAB", ["00ffab", "00FG"]),
            "any": ("A b-#/!é", ["A\u00a0b", "A\u3000b"]),
        }
        for charset, (good, bads) in cases.items():
            rule = build_rule(charset=charset)
            with self.subTest(charset=charset):
                self.assertEqual(rule.validate(good), good)
                for bad in bads:
                    self.assertCode(rule, bad, "charset", charset=charset)
        custom = build_rule(charset="custom", allowed_chars="0123456789 -")
        self.assertEqual(custom.validate("12 34-5"), "12 34-5")
        self.assertCode(custom, "12_34", "charset", chars="_", charset="custom")
        self.assertEqual(build_rule(charset="hex", uppercase=True).validate("00ffab"), "00FFAB")

    def test_unicode_digits_do_not_match_a_pattern(self):
        rule = build_rule(pattern=r"\d{3}")  # compiled with re.ASCII
        self.assertEqual(rule.validate("123"), "123")
        self.assertCode(rule, "١٢٣", "pattern")

    def test_normalisation_in_validate(self):
        rule = build_rule(
            uppercase=True,
            strip_prefixes=["S/N:", "SN"],
            prefix="AB",
            charset="upper_alnum",
        )
        self.assertEqual(rule.validate("S/N: ab12\r\n"), "AB12")
        self.assertEqual(rule.normalize("sn#ab12"), "AB12")

    def test_gtin_shape_can_be_accepted(self):
        rule = build_rule(accept_gtin_shape=True)
        self.assertEqual(rule.validate("9521234543213"), "9521234543213")
        rule = build_rule(
            check_digit="gs1_mod10",
            accept_gtin_shape=True,
            min_length=13,
            max_length=13,
        )
        self.assertEqual(rule.validate("9521234543213"), "9521234543213")

    def test_invalid_rules(self):
        invalid = [
            {"min_length": 5, "max_length": 3},
            {"min_length": -1},
            {"max_length": HARD_MAX_LENGTH + 1},
            {"min_length": "5"},
            {"min_length": True},
            {"charset": "klingon"},
            {"charset": "custom"},  # custom without a list
            {"check_digit": "mod97"},
            {"strip_prefixes": "S/N:"},  # a bare str, not a list
            {"strip_prefixes": [1]},
            {"prefix": " SN"},
            {"prefix": "sn", "uppercase": True},
            {"prefix": "SN", "charset": "digits"},
            {"prefix": "SN-", "max_length": 2},
            {"prefix": "SN", "check_digit": "luhn"},  # Luhn serials are all digits
            {"pattern": 5},
            # every serial a GTIN
            {"check_digit": "gs1_mod10", "min_length": 13, "max_length": 13},
            {"colour": "red"},
        ]
        for fields in invalid:
            with self.subTest(fields=fields):
                error = _error(lambda fields=fields: build_rule(**fields))
                self.assertEqual(error.code, "invalid_rule")
                self.assertTrue(error.params["reason"])
        # SerialFormatRule() itself checks its settings too
        self.assertEqual(_error(lambda: SerialFormatRule(charset="klingon")).code, "invalid_rule")
        for pattern in ("(", "[a-", "*", "(?u)x"):  # (?u) clashes with re.ASCII
            with self.subTest(pattern=pattern):
                error = _error(lambda pattern=pattern: build_rule(pattern=pattern))
                self.assertEqual(error.code, "invalid_pattern")
                self.assertEqual(error.params["pattern"], pattern)
                self.assertTrue(error.params["reason"])

    def test_orm_empty_values(self):
        rule = build_rule(
            name=False,
            pattern=False,
            prefix=None,
            charset=False,
            allowed_chars=False,
            min_length=False,
            max_length=None,
            strip_prefixes=False,
            check_digit=False,
        )
        self.assertEqual(rule, DEFAULT_RULE)
        self.assertEqual(
            build_rule(strip_prefixes=[" SN ", "", "SN", "S/N:"]).strip_prefixes,
            ("SN", "S/N:"),
        )

    def test_rule_is_a_value(self):
        rule = build_rule(name="IMEI", pattern=r"\d{15}", check_digit="luhn")
        self.assertEqual(rule, build_rule(name="IMEI", pattern=r"\d{15}", check_digit="luhn"))
        self.assertEqual(
            hash(rule),
            hash(build_rule(name="IMEI", pattern=r"\d{15}", check_digit="luhn")),
        )
        self.assertIs(rule._regex, rule._regex)  # compiled once, kept with the rule
        self.assertEqual(
            pickle.loads(pickle.dumps(rule)).validate("490154203237518"),
            "490154203237518",
        )
        with self.assertRaises(dataclasses.FrozenInstanceError):
            rule.pattern = ""
        self.assertEqual(
            _error(lambda: dataclasses.replace(rule, pattern="(")).code,
            "invalid_pattern",
        )

    @FUZZ
    @given(rule_settings, values)
    def test_only_serial_validation_errors(self, fields, value):
        try:
            rule = build_rule(**fields)
        except SerialValidationError as error:
            self.assertIn(error.code, ("invalid_rule", "invalid_pattern"))
            return
        try:
            serial = rule.validate(value)
        except SerialValidationError as error:
            self.assertTrue(str(error))
            return
        # round trip: what validate returns is stable and passes the checks again
        self.assertIsNone(rule.check(serial))
        self.assertEqual(rule.validate(serial), serial)
        self.assertLessEqual(len(serial), HARD_MAX_LENGTH)

    @FUZZ
    @given(values)
    def test_default_rule_round_trip(self, value):
        try:
            serial = DEFAULT_RULE.validate(value)
        except SerialValidationError:
            return
        self.assertEqual(DEFAULT_RULE.validate(serial), serial)
        self.assertTrue(serial.isprintable())
