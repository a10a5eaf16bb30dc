from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.check_digits import CHECK_DIGIT_ALGORITHMS
from ..tools.check_digits import compute_check_digit
from ..tools.check_digits import is_valid_check_digit
from ..tools.errors import SerialValidationError
from ..tools.format_rule import CHARSETS
from ..tools.format_rule import build_rule
from ..tools.serial_range import MAX_RANGE_COUNT
from ..tools.serial_range import generate_serial_range

FUZZ = settings(max_examples=200, deadline=None, database=None)

rule_settings = st.fixed_dictionaries(
    {},
    optional={
        "pattern": st.sampled_from(["", r"SN-\d+", r"[0-9A-Z-]*", r"\d+X?"]),
        "min_length": st.integers(0, 12),
        "max_length": st.sampled_from([0, 8, 15, 20]),
        "charset": st.sampled_from(list(CHARSETS)),
        "allowed_chars": st.just("0123456789-SN"),
        "uppercase": st.booleans(),
        "strip_prefixes": st.sampled_from([(), ("S/N:",), ("SN",), ("01",)]),
        "check_digit": st.sampled_from(["", *CHECK_DIGIT_ALGORITHMS]),
        "accept_gtin_shape": st.booleans(),
    },
)
firsts = st.one_of(
    st.text(max_size=10_000),
    st.text(alphabet="SN-0123456789Xa ", max_size=20),
    st.from_regex(r"\ASN-[0-9]{1,6}\Z"),
)


class TestToolsSerialRange(BaseCase):
    def assertCode(self, code, *args):
        with self.assertRaises(SerialValidationError) as caught:
            generate_serial_range(*args)
        self.assertEqual(caught.exception.code, code)
        return caught.exception

    def test_consecutive_with_zero_padding(self):
        self.assertEqual(generate_serial_range("SN-0098", 3), ["SN-0098", "SN-0099", "SN-0100"])
        self.assertEqual(generate_serial_range("SN-0098", 1), ["SN-0098"])
        # only the last run of digits moves; what follows it is kept
        self.assertEqual(generate_serial_range("B7-009/A", 2), ["B7-009/A", "B7-010/A"])
        self.assertEqual(generate_serial_range("LOT 12 X", 2), ["LOT 12 X", "LOT 13 X"])

    def test_imei_range_with_luhn(self):
        rule = build_rule(charset="digits", min_length=15, max_length=15, check_digit="luhn")
        serials = generate_serial_range("490154203237518", 12, rule)
        self.assertEqual(serials[:3], ["490154203237518", "490154203237526", "490154203237534"])
        self.assertEqual(len(set(serials)), 12)
        for number, serial in enumerate(serials, 49015420323751):
            self.assertEqual(serial[:-1], f"{number:014d}")
            self.assertTrue(is_valid_check_digit("luhn", serial))

    def test_check_digit_x(self):
        rule = build_rule(check_digit="iso7064_mod11_2")
        serials = generate_serial_range("070" + compute_check_digit("iso7064_mod11_2", "070"), 10, rule)
        # stdnum docs: the check character of '079' is X
        self.assertEqual(serials[-1], "079X")
        self.assertTrue(all(is_valid_check_digit("iso7064_mod11_2", serial) for serial in serials))

    def test_first_is_normalised_by_the_rule(self):
        rule = build_rule(uppercase=True, strip_prefixes=["S/N:"])
        self.assertEqual(generate_serial_range(" s/n: ab-0098\r\n", 2, rule), ["AB-0098", "AB-0099"])

    def test_overflow(self):
        error = self.assertCode("range_overflow", "SN-99", 2)
        self.assertEqual(error.params, {"first": "SN-99", "count": 2})
        self.assertEqual(generate_serial_range("SN-99", 1), ["SN-99"])
        self.assertEqual(generate_serial_range("SN-98", 2), ["SN-98", "SN-99"])
        self.assertCode("range_overflow", "0", 11)

    def test_no_digits(self):
        self.assertCode("range_no_digits", "SN-ABC", 2)
        # with a check digit only the body before it counts
        rule = build_rule(check_digit="iso7064_mod37_36")
        first = "ABC" + compute_check_digit("iso7064_mod37_36", "ABC")
        self.assertCode("range_no_digits", first, 2, rule)

    def test_count_bounds(self):
        for count in (0, -1, MAX_RANGE_COUNT + 1, "3", 2.0, True, None):
            with self.subTest(count=count):
                self.assertCode("invalid_rule", "SN-1", count)
        self.assertEqual(len(generate_serial_range("SN-000000", MAX_RANGE_COUNT)), MAX_RANGE_COUNT)

    def test_every_serial_must_pass_the_rule(self):
        self.assertCode("empty", " \r\n", 3)
        self.assertCode("check_digit", "490154203237519", 3, build_rule(check_digit="luhn"))
        # SN-100 breaks it
        self.assertCode("pattern", "SN-098", 3, build_rule(pattern=r"SN-0\d\d"))
        # 8 digits: some values read as GTIN-8
        self.assertCode("gtin_shape", "10000000", 20)
        self.assertEqual(
            len(generate_serial_range("10000000", 20, build_rule(accept_gtin_shape=True))),
            20,
        )
        # a normalisation that rewrites a generated serial ('0100' loses its '01') is refused
        error = self.assertCode("invalid_rule", "0098", 3, build_rule(strip_prefixes=["01"]))
        self.assertIn("0100", error.params["reason"])

    @FUZZ
    @given(
        rule_settings,
        firsts,
        st.one_of(st.integers(1, 30), st.integers(-2, MAX_RANGE_COUNT * 2)),
    )
    def test_only_serial_validation_errors(self, fields, first, count):
        try:
            rule = build_rule(**fields)
        except SerialValidationError:
            return
        count = count if count <= 200 else MAX_RANGE_COUNT + 1  # keep the suite fast
        try:
            serials = generate_serial_range(first, count, rule)
        except SerialValidationError as error:
            self.assertTrue(str(error))
            return
        self.assertEqual(len(serials), count)
        self.assertEqual(len(set(serials)), count)
        self.assertEqual(serials[0], rule.validate(first))
        for serial in serials:
            self.assertEqual(rule.validate(serial), serial)
