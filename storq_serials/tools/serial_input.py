"""Read the serials a person pastes or imports: which raw values, on which lines.

No ORM here: the bulk-entry wizard checks what these functions return. Line numbers are the
ones the person sees in the pasted text or the file, so that verdicts point at them.
"""

import csv
import io
import re

from .errors import SerialValidationError

# Real line breaks only: str.splitlines() would also split on the GS1 group separator (0x1d)
# a scanner leaves inside a code, which normalisation removes instead.
LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# What separates serials on one pasted line, besides line breaks.
PASTE_SEPARATORS = re.compile(r"[,;\t]")
# Encodings tried in turn for a CSV file; latin-1 reads any byte as a last resort.
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
# How much of a CSV file is looked at to guess its delimiter.
CSV_SNIFF_SIZE = 4096


def split_pasted(text: str) -> list[tuple[int, str]]:
    """(line number, raw serial) for each serial of a pasted text, blanks left out.

    Serials are separated by line breaks, commas, semicolons or tabs; a raw serial is
    returned as it was typed (spaces and label prefixes are the format rule's business).
    """
    entries = []
    for number, text_line in enumerate(LINE_BREAKS.split(text or ""), start=1):
        entries.extend((number, raw) for raw in PASTE_SEPARATORS.split(text_line) if raw.strip())
    return entries


def decode_csv(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, else latin-1."""
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def csv_first_column(text: str) -> list[tuple[int, str]]:
    """(line number, cell) for each row of a CSV text whose first cell is not blank.

    The delimiter (comma, semicolon or tab) is guessed from the start of the text; a file
    with one column has none to guess. A row that the csv module cannot read raises
    SerialValidationError('csv_unreadable') with its `line` and the `reason`.
    """
    try:
        dialect = csv.Sniffer().sniff(text[:CSV_SNIFF_SIZE], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # one column: no delimiter to find
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = []
    try:
        for row in reader:
            cell = row[0] if row else ""
            if cell.strip():
                rows.append((reader.line_num, cell))
    except csv.Error as error:
        raise SerialValidationError("csv_unreadable", line=reader.line_num, reason=str(error)) from None
    return rows
