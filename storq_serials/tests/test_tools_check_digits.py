from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.check_digits import CHECK_DIGIT_ALGORITHMS
from ..tools.check_digits import compute_check_digit
from ..tools.check_digits import is_gtin_shaped
from ..tools.check_digits import is_valid_check_digit
from ..tools.errors import SerialValidationError

FUZZ = settings(max_examples=200, deadline=None, database=None)

DIGITS = "0123456789"
UPPER_ALNUM = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
BODY_ALPHABETS = {
    "luhn": DIGITS,
    "gs1_mod10": DIGITS,
    "iso7064_mod37_36": UPPER_ALNUM,
    "iso7064_mod11_2": DIGITS,
}
CHECK_ALPHABETS = {**BODY_ALPHABETS, "iso7064_mod11_2": DIGITS + "X"}


@st.composite
def algorithm_and_body(draw):
    algorithm = draw(st.sampled_from(sorted(CHECK_DIGIT_ALGORITHMS)))
    body = draw(st.text(alphabet=BODY_ALPHABETS[algorithm], min_size=1, max_size=40))
    return algorithm, body


class TestToolsCheckDigits(BaseCase):
    def test_published_examples(self):
        valid = [
            ("luhn", "490154203237518"),  # IMEI example (Wikipedia)
            ("luhn", "354178036859789"),  # IMEI, stdnum.imei docs
            ("luhn", "78949"),  # stdnum.luhn docs
            ("gs1_mod10", "9521234543213"),  # GTIN-13
            ("gs1_mod10", "96385074"),  # GTIN-8
            ("gs1_mod10", "036000291452"),  # UPC-A
            ("gs1_mod10", "98412345678908"),  # GTIN-14, stdnum.ean docs
            # stdnum docs: calc_check_digit('0794') == '0'
            ("iso7064_mod11_2", "07940"),
            ("iso7064_mod11_2", "079X"),  # stdnum docs: check character X
            ("iso7064_mod11_2", "0000000218250097"),  # ORCID 0000-0002-1825-0097
            ("iso7064_mod37_36", "A12425GABC1234002M"),  # stdnum docs
        ]
        for algorithm, value in valid:
            with self.subTest(algorithm=algorithm, value=value):
                self.assertTrue(is_valid_check_digit(algorithm, value))
                self.assertEqual(compute_check_digit(algorithm, value[:-1]), value[-1])
        invalid = [
            ("luhn", "490154203237519"),
            ("gs1_mod10", "9521234543214"),
            ("iso7064_mod11_2", "0794"),
            ("iso7064_mod11_2", "0790"),
            ("iso7064_mod37_36", "A12425GABC1234002N"),
        ]
        for algorithm, value in invalid:
            with self.subTest(algorithm=algorithm, value=value):
                self.assertFalse(is_valid_check_digit(algorithm, value))

    def test_refused_input_is_false_not_an_error(self):
        cases = [
            ("luhn", ""),
            ("luhn", "0"),  # too short: one character cannot be body + check digit
            ("luhn", "٤٩٠١٥٤٢٠٣٢٣٧٥١٨"),  # Arabic-Indic digits of a valid IMEI
            ("luhn", "4901 5420 3237 518"),
            ("gs1_mod10", "95212345-43213"),
            ("iso7064_mod37_36", "a12425gabc1234002m"),  # letters are upper-case only
            ("iso7064_mod11_2", "07X0"),  # X only as the check character
            ("iso7064_mod11_2", "079x"),
            ("unknown", "490154203237518"),
            ("", "490154203237518"),
            ("luhn", None),
        ]
        for algorithm, value in cases:
            with self.subTest(algorithm=algorithm, value=value):
                self.assertFalse(is_valid_check_digit(algorithm, value))

    def test_compute_refuses_bodies_it_cannot_take(self):
        for algorithm, body in [
            ("luhn", ""),
            ("luhn", "12A"),
            ("gs1_mod10", "١٢"),
            ("nope", "123"),
            ("iso7064_mod11_2", "1X"),
        ]:
            with self.subTest(algorithm=algorithm, body=body):
                with self.assertRaises(SerialValidationError) as caught:
                    compute_check_digit(algorithm, body)
                self.assertEqual(caught.exception.code, "check_digit")
                self.assertEqual(caught.exception.params, {"algorithm": algorithm})

    def test_gtin_shape(self):
        for value in ("9521234543213", "96385074", "036000291452", "98412345678908"):
            self.assertTrue(is_gtin_shaped(value), value)
        for value in (
            "9521234543214",  # wrong check digit
            "490154203237518",  # 15 digits: no GTIN length
            "0000000000",  # 10 digits
            "٩٥٢١٢٣٤٥٤٣٢١٣",  # not ASCII
            " 96385074",
            "",
        ):
            self.assertFalse(is_gtin_shaped(value), value)

    @FUZZ
    @given(algorithm_and_body())
    def test_computed_digit_is_valid_and_unique(self, case):
        algorithm, body = case
        digit = compute_check_digit(algorithm, body)
        self.assertTrue(is_valid_check_digit(algorithm, body + digit))
        for other in CHECK_ALPHABETS[algorithm]:
            if other != digit:
                self.assertFalse(is_valid_check_digit(algorithm, body + other))

    @FUZZ
    @given(
        st.one_of(st.sampled_from(sorted(CHECK_DIGIT_ALGORITHMS)), st.text(max_size=20)),
        st.text(max_size=10_000),
    )
    def test_never_raises(self, algorithm, value):
        self.assertIsInstance(is_valid_check_digit(algorithm, value), bool)
        self.assertIsInstance(is_gtin_shaped(value), bool)
        try:
            digit = compute_check_digit(algorithm, value)
        except SerialValidationError as error:
            self.assertEqual(error.code, "check_digit")
        else:
            self.assertTrue(is_valid_check_digit(algorithm, value + digit))
