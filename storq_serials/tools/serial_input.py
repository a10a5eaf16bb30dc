"""Read the serials a person pastes or imports: which raw values, on which lines.

No ORM here: the bulk-entry wizard checks what these functions return. Line numbers are the
ones the person sees in the pasted text or the file, so that verdicts point at them.
"""

import csv
import io
import re

from .errors import SerialValidationError
from .limits import MAX_BULK_BYTES
from .limits import MAX_BULK_SERIALS
from .limits import text_size

# Real line breaks only: str.splitlines() would also split on the GS1 group separator (0x1d)
# a scanner leaves inside a code, which normalisation removes instead.
LINE_BREAKS = re.compile(r"\r\n|[\n\r\x0b\x0c\x85\u2028\u2029]")
# What separates serials on one pasted line, besides line breaks.
PASTE_SEPARATORS = re.compile(r"[,;\t]")
# Encodings tried in turn for a CSV file; latin-1 reads any byte as a last resort.
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
# How much of a CSV file is looked at to guess its delimiter.
CSV_SNIFF_SIZE = 4096


def check_size(size: int) -> None:
    """Refuse a bulk input of more than MAX_BULK_BYTES bytes: SerialValidationError('too_large')."""
    if size > MAX_BULK_BYTES:
        raise SerialValidationError("too_large", size=size, max_size=MAX_BULK_BYTES)


def check_count(count: int) -> None:
    """Refuse more than MAX_BULK_SERIALS serials at once: SerialValidationError('too_many')."""
    if count > MAX_BULK_SERIALS:
        raise SerialValidationError("too_many", count=count, max_count=MAX_BULK_SERIALS)


def split_pasted(text: str) -> list[tuple[int, str]]:
    """(line number, raw serial) for each serial of a pasted text, blanks left out.

    Serials are separated by line breaks, commas, semicolons or tabs; a raw serial is
    returned as it was typed (spaces and label prefixes are the format rule's business).
    A text over MAX_BULK_BYTES raises SerialValidationError('too_large') before it is split,
    one with more than MAX_BULK_SERIALS serials ('too_many'). Scanner noise (NUL included)
    is left in the raw serials: normalisation removes it.
    """
    text = text or ""
    check_size(text_size(text))
    entries = []
    for number, text_line in enumerate(LINE_BREAKS.split(text), start=1):
        entries.extend((number, raw) for raw in PASTE_SEPARATORS.split(text_line) if raw.strip())
    check_count(len(entries))
    return entries


def decode_csv(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), else Windows-1252, else latin-1.

    A file over MAX_BULK_BYTES raises SerialValidationError('too_large') before it is decoded.
    """
    check_size(len(content))
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
    SerialValidationError('csv_unreadable') with its `line` and the `reason`; a text over
    MAX_BULK_BYTES ('too_large') or with more than MAX_BULK_SERIALS serials ('too_many') is
    refused, the latter as soon as the row after the last allowed one is read. NUL characters
    are removed.
    """
    check_size(text_size(text))
    if "\x00" in text:  # the csv module refuses them: they are no part of a serial
        text = text.replace("\x00", "")
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
                if len(rows) > MAX_BULK_SERIALS:
                    check_count(len(rows) + sum(1 for row in reader if row and row[0].strip()))
    except csv.Error as error:
        raise SerialValidationError("csv_unreadable", line=reader.line_num, reason=str(error)) from None
    return rows
