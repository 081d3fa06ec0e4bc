"""Spreadsheets in and out: a CSV or .xlsx upload as rows of text, and rows as CSV or .xlsx.

Coordinators keep registers in Excel as often as in CSV; both come in through here so the
importers only ever see ``(line, {column: text})`` rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

XLSX_MAGIC = b"PK\x03\x04"  # a .xlsx file is a zip archive


class TableError(ValueError):
    """The file cannot be read as a table at all (the message is a code for the web layer)."""


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel keeps every number as a float: 1950.0 -> "1950"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def read_table(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and the rows (spreadsheet line number, values) of a CSV or .xlsx file."""
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    try:
        text = data.decode("utf-8").lstrip("\ufeff")
    except UnicodeDecodeError as error:
        raise TableError("not_utf8") from error
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    return _shape([[c.strip() for c in row] for row in rows])


def _read_xlsx(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    from openpyxl import load_workbook  # imported when an .xlsx arrives, not at start-up

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise TableError("bad_xlsx") from error
    try:
        sheet = book.worksheets[0]
        rows = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return _shape(rows)


def _shape(rows: list[list[str]]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    if not rows:
        return [], []
    header = [name.strip().lower() for name in rows[0]]
    out = []
    for line, values in enumerate(rows[1:], start=2):
        if not any(values):
            continue  # blank lines at the end of a sheet
        out.append((line, {name: (values[i] if i < len(values) else "") for i, name in
                           enumerate(header) if name}))  # fmt: skip
    return header, out


def to_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def to_xlsx(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = title[:31]  # Excel's limit on sheet names
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
