from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.serial_order import RangeError
from ..tools.serial_order import in_range
from ..tools.serial_order import in_segments
from ..tools.serial_order import range_segments
from ..tools.serial_order import segment_serial
from ..tools.serial_order import segments_size
from ..tools.serial_order import serial_key
from ..tools.serial_order import serials_in_holes
from ..tools.serial_order import split_serial
from ..tools.serial_range import generate_serial_range

FUZZ = settings(max_examples=300, deadline=None, database=None)

prefixes = st.text(alphabet="ABSNX-/ ", max_size=5).filter(lambda p: p.strip() == p)
suffixes = st.one_of(st.just(""), st.text(alphabet="-BX", min_size=1, max_size=3))
# digit runs beyond the 18 digits of a bigint are compared exactly too
widths = st.integers(1, 30)


@st.composite
def padded_serial(draw, prefix=None, suffix=None, width=None):
    prefix = draw(prefixes) if prefix is None else prefix
    suffix = draw(suffixes) if suffix is None else suffix
    width = draw(widths) if width is None else width
    number = draw(st.integers(0, 10**width - 1))
    return prefix, suffix, width, number, f"{prefix}{number:0{width}d}{suffix}"


class TestToolsSerialOrder(BaseCase):
    def test_split(self):
        self.assertEqual(split_serial("sn-0100-b"), ("SN-", "0100", "-B"))
        self.assertEqual(split_serial("A1B22"), ("A1B", "22", ""))
        self.assertEqual(split_serial("ABC"), ("ABC", "", ""))
        self.assertEqual(split_serial("0042"), ("", "0042", ""))
        # only ASCII letters are upper-cased (the same as PostgreSQL's translate)
        self.assertEqual(split_serial("ß-1"), ("ß-", "1", ""))
        self.assertEqual(serial_key("SN-0099"), {"prefix": "SN-", "digits": "0099", "width": 4, "suffix": ""})

    def test_padding_order_and_width(self):
        self.assertTrue(in_range("SN-0100", "SN-0099", "SN-0101"))
        self.assertTrue(in_range("sn-0100", "SN-0099", "SN-0101"))
        self.assertFalse(in_range("SN-100", "SN-0099", "SN-0101"))
        self.assertFalse(in_range("SN-00100", "SN-0099", "SN-0101"))
        self.assertFalse(in_range("SN-0102", "SN-0099", "SN-0101"))
        self.assertFalse(in_range("SN-0098", "SN-0099", "SN-0101"))

    def test_prefix_stays_a_prefix(self):
        self.assertFalse(in_range("XSN-0100", "SN-0099", "SN-0101"))
        self.assertFalse(in_range("SN-0100-B", "SN-0099", "SN-0101"))
        self.assertFalse(in_range("SN0100", "SN-0099", "SN-0101"))
        self.assertTrue(in_range("SN-0100-B", "SN-0099-B", "SN-0101-B"))

    def test_unpadded_bounds_span_widths(self):
        members = [
            s for s in ("A8", "A9", "A09", "A10", "A11", "A12", "A13", "A010") if in_range(s, "A9", "A12")
        ]
        self.assertEqual(members, ["A9", "A10", "A11", "A12"])
        self.assertEqual(range_segments("A9", "A12"), [("A", "", 1, "9", "9"), ("A", "", 2, "10", "12")])
        self.assertEqual(segments_size(range_segments("A9", "A12")), 4)
        self.assertTrue(in_range("A0", "A0", "A5"))

    def test_refused_ranges(self):
        for first, last, code in (
            ("SN-0101", "SN-0099", "reversed"),
            ("SN-099", "SN-1000", "mixed_padding"),
            ("SN-0099", "XN-0101", "different_prefix"),
            ("SN-0099", "SN-0101-B", "different_suffix"),
            ("ABC", "SN-1", "no_digits"),
        ):
            with self.assertRaises(RangeError) as caught:
                range_segments(first, last)
            self.assertEqual(caught.exception.code, code)

    def test_long_numbers_are_exact(self):
        low = "SN-" + "9" * 25 + "0"
        high = "SN-" + "9" * 25 + "9"
        self.assertTrue(in_range("SN-" + "9" * 25 + "5", low, high))
        self.assertFalse(in_range("SN-" + "9" * 24 + "85", low, high))
        self.assertEqual(segments_size(range_segments(low, high)), 10)

    def test_holes(self):
        segment = range_segments("SN-0098", "SN-0105")[0]
        self.assertEqual(
            serials_in_holes(segment, [(98, 99), (103, 105)], 3), ["SN-0098", "SN-0099", "SN-0103"]
        )
        self.assertEqual(segment_serial(segment, 7), "SN-0007")

    @FUZZ
    @given(padded_serial(), st.integers(0, 50), st.integers(0, 50))
    def test_membership_equals_numeric_comparison(self, bounds, below, span):
        """For generated serials of one prefix, suffix and width, membership is comparing numbers."""
        prefix, suffix, width, number, serial = bounds
        low_number = max(0, number - below)
        high_number = min(10**width - 1, low_number + span)
        low = f"{prefix}{low_number:0{width}d}{suffix}"
        high = f"{prefix}{high_number:0{width}d}{suffix}"
        try:
            segments = range_segments(low, high)
        except RangeError as error:
            # unpadded-looking bounds of different widths cannot come from one width; only
            # digit-free prefix/suffix cases or padding mixes are refused
            self.assertIn(error.code, ("mixed_padding",))
            return
        expected = low_number <= number <= high_number
        self.assertEqual(in_segments(serial, segments), expected, (serial, low, high))

    @FUZZ
    @given(padded_serial(), padded_serial())
    def test_other_prefix_or_suffix_is_never_in(self, bounds, other):
        """A range over every number of its width still holds no serial of another prefix or
        suffix: a prefix stays a prefix."""
        prefix, suffix, width, _number, _serial = bounds
        o_prefix, o_suffix, _o_width, _o_number, o_serial = other
        if (o_prefix.upper(), o_suffix.upper()) == (prefix.upper(), suffix.upper()):
            return
        low = f"{prefix}{0:0{width}d}{suffix}"
        high = f"{prefix}{10**width - 1:0{width}d}{suffix}"
        self.assertFalse(in_segments(o_serial, range_segments(low, high)))

    @FUZZ
    @given(
        st.text(alphabet="SN-X", min_size=1, max_size=4),
        st.integers(1, 8),
        st.integers(0, 10**6),
        st.integers(1, 40),
    )
    def test_generated_range_is_inside_and_neighbours_outside(self, prefix, width, start, count):
        """Every serial `generate_serial_range` writes lies in first..last, its neighbours not."""
        if start + count - 1 >= 10**width:
            return
        first = f"{prefix}{start:0{width}d}"
        serials = generate_serial_range(first, count)
        segments = range_segments(serials[0], serials[-1])
        self.assertTrue(all(in_segments(serial, segments) for serial in serials))
        self.assertEqual(segments_size(segments), count)
        if start > 0:
            self.assertFalse(in_segments(f"{prefix}{start - 1:0{width}d}", segments))
        self.assertFalse(in_segments(f"{prefix}{start + count:0{width}d}", segments))
        self.assertFalse(in_segments(f"X{first}", segments))

    @FUZZ
    @given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(0, 10**7))
    def test_unpadded_membership_is_numeric(self, low, high, number):
        low, high = min(low, high), max(low, high)
        segments = range_segments(f"A{low}", f"A{high}")
        self.assertEqual(in_segments(f"A{number}", segments), low <= number <= high)
        # a zero-padded spelling of a number is another serial: never in an unpadded range
        self.assertFalse(in_segments(f"A0{number}", segments))
        self.assertEqual(segments_size(segments), high - low + 1)
