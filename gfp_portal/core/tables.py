"""Tables (a header row, then rows of values) as CSV or Excel downloads.

Every table the portal offers as a file comes both ways, from the same rows: a workbook, which
Excel opens right whatever the reader's regional settings, and a CSV in one convention for every
language (commas, a full stop for decimals, UTF-8 with a byte-order mark), for the programs that
read it. A CSV written by the reader's language (';' and a decimal comma in French or Spanish)
would open right in their Excel only, and be read wrong by everything else."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from flask import has_app_context
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from gfp_portal.core.i18n import is_rtl

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


@dataclass(frozen=True)
class Percentage:
    """A share from 0 to 1, shown as a percentage to `decimals` places: in a workbook a number
    formatted so (0.47 shown as 47 %, added up as 0.47), in a CSV as text (47%)."""
    share: Decimal
    decimals: int = 0

    def __str__(self):
        return f"{Decimal(self.share) * 100:.{self.decimals}f}%"

    @property
    def number_format(self):
        return "0" + ("." + "0" * self.decimals if self.decimals else "") + "%"


# A vertical tab or a form feed (as older systems write a line break inside a cell) is the
# line break a workbook cell holds.
_CELL_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})


def _xlsx_text(value):
    """`value` as text a workbook cell holds: without the control characters Excel refuses
    (openpyxl raises on them), which a stored value may hold. Not guarded: a cell of text is
    never run as a formula (to_xlsx makes sure), and the guard's apostrophe would be shown as
    part of the value."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text.translate(_CELL_LINE_BREAKS))


def _xlsx_cell(value):
    """A number or a day as itself, so that a spreadsheet adds it up or sorts it (a number
    is never a formula); anything else as text. A moment (datetime) stays text: a workbook
    cell has no time zone."""
    if isinstance(value, Percentage):
        return value.share
    number = isinstance(value, int | float | Decimal) and not isinstance(value, bool | Enum)
    day = isinstance(value, date) and not isinstance(value, datetime)
    return value if number or day else _xlsx_text(value)


def _number_format(value):
    """How a workbook shows `value`: a percentage as such, a Decimal with the decimals it has
    (a share of 47.0 % is shown 47.0, as on the page); None for the workbook's own."""
    if isinstance(value, Percentage):
        return value.number_format
    if isinstance(value, Decimal) and value.is_finite() and value.as_tuple().exponent < 0:
        return "0." + "0" * -value.as_tuple().exponent
    return None


def to_csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [[guard(value) for value in row] for row in rows])
    # The byte-order mark lets spreadsheet programs read the accents right.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# Characters Excel refuses in a sheet's name, which is at most 31 characters long.
_TITLE_REFUSED = str.maketrans("", "", "[]:*?/\\")
MIN_WIDTH, MAX_WIDTH = 10, 60


def _sheet_title(title):
    return " ".join(str(title).translate(_TITLE_REFUSED).split())[:31].strip(" '") or "Sheet"


def _width(value):
    """The characters `value` takes on its longest line (a day is shown as 2027-03-10)."""
    return max(map(len, str(value).split("\n"))) if isinstance(value, str) else len(str(value))


def to_xlsx(rows, *, title="Sheet", rtl=None):
    """The rows as a workbook of one sheet: the first row bold and kept in view, each column
    as wide as its longest value (within bounds), from right to left when `rtl` (by default
    when the language in force is written so)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_title(title)
    if rtl is None:
        rtl = has_app_context() and is_rtl()
    sheet.sheet_view.rightToLeft = bool(rtl) or None
    widths = {}
    for line, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = sheet.cell(row=line, column=column, value=_xlsx_cell(value))
            if cell.data_type == "f":
                # Text typed with an = first: kept as text, and so when Excel edits it.
                cell.data_type, cell.quotePrefix = "s", True
            elif number_format := _number_format(value):
                cell.number_format = number_format
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0),
                                             _width(cell.value))
    for letter, longest in widths.items():
        sheet.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, longest + 2))
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
