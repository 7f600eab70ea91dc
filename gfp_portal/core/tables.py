"""Tables (a header row, then rows of values) as CSV or Excel downloads."""
import csv
import io
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# A cell starting with one of these would run as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard(value):
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unguard(value):
    """A cell read back from a table `guard` wrote: without the apostrophe it added."""
    if value.startswith("'") and value[1:2] and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


# A vertical tab or a form feed (as older systems write a line break inside a cell) is the
# line break a workbook cell holds.
_CELL_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def _xlsx_text(value):
    """`value` as text a workbook cell holds: without the control characters Excel refuses
    (openpyxl raises on them), which a stored value may hold, guarded."""
    text = "" if value is None else str(value)
    return guard(ILLEGAL_CHARACTERS_RE.sub("", text.translate(_CELL_LINE_BREAKS)))


def _xlsx_cell(value):
    """A number or a day as itself, so that a spreadsheet adds it up or sorts it (a number
    is never a formula); anything else as guarded text. A moment (datetime) stays text: a
    workbook cell has no time zone."""
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool | Enum)
    day = isinstance(value, date) and not isinstance(value, datetime)
    return value if number or day else _xlsx_text(value)


def to_csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [[guard(value) for value in row] for row in rows])
    # The byte-order mark lets spreadsheet programs read the accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows, *, title="Sheet"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title)[:31]
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in row])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
