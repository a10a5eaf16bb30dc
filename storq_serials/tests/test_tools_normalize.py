from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.errors import SerialValidationError
from ..tools.normalize import normalize_serial
from ..tools.normalize import strip_scanner_noise

FUZZ = settings(max_examples=200, deadline=None, database=None)

GS = chr(29)  # GS1 group separator, sent by scanners inside GS1 DataMatrix codes

# Characters that make normalisation interesting: label prefixes and separators, Unicode
# case surprises ('ſ' and 'ı' upper-case to 'S' and 'I', 'ß' to 'SS', 'ﬃ' to 'FFI'),
# invisible characters and Unicode spaces.
TRICKY = "SsNn/:#-. 0123ſßıﬃ\u00a0\u2028\u200b\ufeff\t\r\n" + GS
serial_like = st.text(alphabet=TRICKY, max_size=40)
any_text = st.text(max_size=10_000)
prefixes = st.lists(
    st.one_of(st.sampled_from(["S/N:", "SN", "S/N", "sn#", "ſ", "SS"]), st.text(max_size=5)),
    max_size=4,
)


class TestToolsNormalize(BaseCase):
    def test_strip_scanner_noise(self):
        cases = {
            "ABC123\r\n": "ABC123",
            "\tABC123\t": "ABC123",
            f"01{GS}21ABC": "0121ABC",
            "AB\x00C\x7f\x85": "ABC",  # C0, DEL and a C1 control
            "\ufeffABC\u200b": "ABC",  # BOM, zero-width space (Cf)
            "A\u2028B\u2029C": "ABC",  # line and paragraph separators
            "A\ue000B": "AB",  # private use
            "\u00a0 ABC \u3000": "ABC",  # NBSP and ideographic space only at the ends
            "AB C": "AB C",  # inner spaces are the format rule's business
            "A\u00a0B": "A\u00a0B",
            "": "",
            " \t\r\n": "",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(strip_scanner_noise(raw), expected)

    def test_label_prefixes(self):
        strip = ("S/N:", "SN", "S/N")
        cases = {
            "S/N: 12345": "12345",
            "s/n:12345": "12345",
            "SN#12345": "12345",
            "sn-12345": "12345",
            "SN. 12345": "12345",
            "S/N: SN 12345": "12345",  # repeated labels
            "SN": "SN",  # nothing would remain
            "SN: ": "SN:",
            "SN-#": "SN-#",
            "12345 SN": "12345 SN",  # only at the start
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(normalize_serial(raw, strip_prefixes=strip), expected)
        # no prefixes configured
        self.assertEqual(normalize_serial("S/N: 12345"), "S/N: 12345")
        # a lone str is one prefix
        self.assertEqual(normalize_serial("SN 1", strip_prefixes="SN"), "1")
        # '' (and anything not a str) is ignored
        self.assertEqual(normalize_serial("SN 1", strip_prefixes=("", None, "SN")), "1")

    def test_uppercase(self):
        self.assertEqual(normalize_serial(" ab-12\r\n", uppercase=True), "AB-12")
        self.assertEqual(normalize_serial("straße", uppercase=True), "STRASSE")
        # upper-casing creates the label: a second round removes it
        self.assertEqual(normalize_serial("ſn 123", uppercase=True, strip_prefixes=("SN",)), "123")

    def test_non_text_input(self):
        for value in (None, False):
            with self.assertRaises(SerialValidationError) as caught:
                normalize_serial(value)
            self.assertEqual(caught.exception.code, "empty")
        self.assertEqual(normalize_serial(123456), "123456")
        self.assertEqual(strip_scanner_noise(42), "42")
        with self.assertRaises(TypeError):
            normalize_serial(b"123")

    @FUZZ
    @given(st.one_of(any_text, serial_like), st.booleans(), prefixes)
    def test_normalize_is_idempotent(self, value, uppercase, strip_prefixes):
        options = {"uppercase": uppercase, "strip_prefixes": tuple(strip_prefixes)}
        once = normalize_serial(value, **options)
        self.assertEqual(normalize_serial(once, **options), once)
        self.assertEqual(strip_scanner_noise(once), once)

    @FUZZ
    @given(st.one_of(any_text, serial_like))
    def test_strip_scanner_noise_leaves_only_printable(self, value):
        cleaned = strip_scanner_noise(value)
        self.assertEqual(cleaned, cleaned.strip())
        self.assertTrue(all(c.isprintable() or c.isspace() for c in cleaned))
        self.assertEqual(strip_scanner_noise(cleaned), cleaned)
