"""Writing the lines of a recall to CSV and XLSX (no ORM): a header and rows of plain values."""

import csv
import io

import xlsxwriter


def rows_to_csv(header, rows):
    """UTF-8 CSV bytes (with a byte-order mark, so spreadsheet programs read accents right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def rows_to_xlsx(header, rows, sheet_name="Recall"):
    """XLSX bytes: one sheet, a bold frozen header, strings kept as text (serials like 00123)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, header, bold)
    sheet.freeze_panes(1, 0)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            sheet.write_string(index, column, "" if value is None else str(value))
    sheet.set_column(0, max(len(header) - 1, 0), 18)
    workbook.close()
    return buffer.getvalue()
