"""Report files: CSV (the standard library's ``csv``) and XLSX (openpyxl, imported on use).

CSV follows what spreadsheet programs expect in the reader's language: German files use
``;`` between fields and a decimal comma, English ones ``,`` and a decimal point; both are
UTF-8 with a byte-order mark (so Excel reads umlauts) and ISO dates. A CSV holds one table,
the first the report has (hours; the budget's requests); the XLSX has a sheet per table,
with numbers as numbers (hours, euros, days) and dates as dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from bot.parsing.periods import Period
from bot.services.reports.tables import Cell, Column, Table

FORMATS = ("csv", "xlsx")
Gettext = Callable[[str], str]
_NUMBER_FORMATS = {"hours": "0.00", "money": '#,##0.00 "€"', "percent": '0" %"', "int": "0"}


def file_name(what: str, period: Period, file_format: str) -> str:
    return f"sozialraum-{what}-{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}.{file_format}"


def csv_table(tables: Sequence[Table]) -> Table:
    """The table a CSV file holds: the budget's requests, otherwise the only one."""
    return tables[-1]


def write(tables: Sequence[Table], file_format: str, gettext: Gettext, locale: str) -> bytes:
    if file_format == "csv":
        return _csv(csv_table(tables), gettext, locale)
    return _xlsx(tables, gettext, locale)


def _text(cell: Cell, column: Column, gettext: Gettext, locale: str) -> str:
    if cell is None:
        return ""
    if column.kind == "label":
        return gettext(str(cell))
    if isinstance(cell, date):
        return cell.isoformat()
    if isinstance(cell, Decimal) and locale == "de":
        return str(cell).replace(".", ",")
    return str(cell)


def _csv(table: Table, gettext: Gettext, locale: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if locale == "de" else ",", lineterminator="\r\n")
    writer.writerow([gettext(column.title) for column in table.columns])
    for row in table.rows:
        writer.writerow([_text(cell, column, gettext, locale)
                         for cell, column in zip(row, table.columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(tables: Sequence[Table], gettext: Gettext, locale: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    date_format = "DD.MM.YYYY" if locale == "de" else "YYYY-MM-DD"
    for table in tables:
        sheet = book.create_sheet(gettext(table.title)[:31])
        sheet.freeze_panes = "A2"
        for index, column in enumerate(table.columns, start=1):
            width = max(len(gettext(column.title)), 12 if column.kind == "date" else 8) + 2
            sheet.column_dimensions[get_column_letter(index)].width = min(width, 40)
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=gettext(column.title))
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            cells: list[Any] = []
            for value, column in zip(row, table.columns, strict=True):
                if value is None or column.kind == "text":
                    cells.append(value)  # a plain value is written fastest
                elif column.kind == "label":
                    cells.append(gettext(str(value)))
                else:
                    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
                    cell.number_format = (date_format if isinstance(value, date)
                                          else _NUMBER_FORMATS[column.kind])
                    cells.append(cell)
            sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
