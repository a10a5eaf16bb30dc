import csv

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from odoo.tests import BaseCase

from ..tools.errors import SerialValidationError
from ..tools.serial_input import csv_first_column
from ..tools.serial_input import decode_csv
from ..tools.serial_input import split_pasted

FUZZ = settings(max_examples=200, deadline=None, database=None)

# What a serial looks like on a label: no separator, no line break, not blank.
serials = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-/: ", min_size=1, max_size=20).filter(
    str.strip
)


class TestToolsSerialInput(BaseCase):
    # Paste ---------------------------------------------------------------
    def test_paste_separators_and_line_numbers(self):
        text = "A1\nB2, C3\tD4;E5\n\n ;, \r\nF6"
        self.assertEqual(
            split_pasted(text),
            [(1, "A1"), (2, "B2"), (2, " C3"), (2, "D4"), (2, "E5"), (5, "F6")],
        )

    def test_paste_line_breaks(self):
        # CRLF is one break; old Mac, form feed, Unicode line separators are breaks too.
        self.assertEqual(
            split_pasted("A\r\nB\rC\x0cD\u2028E\u2029F\x85G"),
            [(1, "A"), (2, "B"), (3, "C"), (4, "D"), (5, "E"), (6, "F"), (7, "G")],
        )

    def test_paste_keeps_the_gs1_group_separator_inside_a_code(self):
        code = "0104012345678901\x1d21SN7"
        self.assertEqual(split_pasted(f"{code}\nX"), [(1, code), (2, "X")])

    def test_paste_of_nothing(self):
        self.assertEqual(split_pasted(""), [])
        self.assertEqual(split_pasted(None), [])
        self.assertEqual(split_pasted(" \n\t,;\r\n  "), [])

    @FUZZ
    @given(st.lists(serials, max_size=30), st.sampled_from(["\n", "\r\n", "\r"]))
    def test_fuzz_one_serial_per_line_round_trips(self, values, line_break):
        self.assertEqual(split_pasted(line_break.join(values)), list(enumerate(values, start=1)))

    @FUZZ
    @given(st.text(max_size=500))
    def test_fuzz_paste_returns_non_blank_values_in_line_order(self, text):
        entries = split_pasted(text)
        numbers = [number for number, _raw in entries]
        self.assertEqual(numbers, sorted(numbers))
        for number, raw in entries:
            self.assertTrue(raw.strip())
            self.assertGreaterEqual(number, 1)
            self.assertFalse(set(raw) & set(",;\t\n\r"))
            self.assertIn(raw, text)

    # CSV decoding --------------------------------------------------------
    def test_decode_utf8_with_or_without_bom(self):
        self.assertEqual(decode_csv("\ufeffSérie\nA1".encode()), "Série\nA1")
        self.assertEqual(decode_csv("Série".encode()), "Série")

    def test_decode_windows_1252_then_latin1(self):
        self.assertEqual(decode_csv("Série €".encode("cp1252")), "Série €")
        # 0x81 is neither UTF-8 nor Windows-1252: latin-1 reads every byte.
        self.assertEqual(decode_csv(b"A\x81B"), "A\x81B")

    @FUZZ
    @given(st.binary(max_size=200))
    def test_fuzz_decode_reads_any_bytes(self, content):
        self.assertIsInstance(decode_csv(content), str)

    # CSV rows ------------------------------------------------------------
    def test_csv_first_column_with_line_numbers(self):
        text = "Serial number,Box\r\nA1,box 1\r\n\r\nB2,box 2\r\n"
        self.assertEqual(csv_first_column(text), [(1, "Serial number"), (2, "A1"), (4, "B2")])

    def test_csv_delimiters_are_guessed(self):
        self.assertEqual(csv_first_column("A1;x\nB2;y\n"), [(1, "A1"), (2, "B2")])
        self.assertEqual(csv_first_column("A1\tx\nB2\ty\n"), [(1, "A1"), (2, "B2")])
        self.assertEqual(csv_first_column("A1\nB2\n"), [(1, "A1"), (2, "B2")])

    def test_csv_quoted_cells(self):
        # A quoted cell keeps its comma; a cell over two lines ends on the second.
        self.assertEqual(csv_first_column('"A,1",x\n"B\n2",y\nC3,z\n'), [(1, "A,1"), (3, "B\n2"), (4, "C3")])

    def test_csv_blank_first_cells_are_left_out(self):
        self.assertEqual(csv_first_column(",x\n  ,y\nA1,z\n\n"), [(3, "A1")])
        self.assertEqual(csv_first_column(""), [])

    def test_csv_unreadable_row(self):
        # A cell longer than the csv module accepts (Odoo raises the limit: set it here).
        limit = csv.field_size_limit(1000)
        self.addCleanup(csv.field_size_limit, limit)
        with self.assertRaises(SerialValidationError) as caught:
            csv_first_column("A1\n" + "B" * 2000 + "\n")
        self.assertEqual(caught.exception.code, "csv_unreadable")
        self.assertEqual(caught.exception.params["line"], 2)
        self.assertIn("field limit", caught.exception.params["reason"])
        self.assertIn("line 2", str(caught.exception))
