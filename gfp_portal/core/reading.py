"""Reading an import: a CSV or Excel file as rows of text, bounded before it is parsed (size,
lines, columns, cell length) and refused with the reason and the line. Every import of a
table reads its file with it, naming its own columns, each of one line of text."""
import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from defusedxml import ElementTree
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from gfp_portal.core.errors import DomainError
from gfp_portal.core.tables import unguard
from gfp_portal.core.text import single_line

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
# Blank lines count towards MAX_LINES; a cell holds no more than a spreadsheet cell does; a
# workbook may not unpack to more than a full one does.
MAX_LINES = 2 * MAX_ROWS
MAX_COLUMNS = 200
MAX_CELL = 32_767
MAX_UNPACKED = 100 * 1024 * 1024


@dataclass
class RowError:
    """What is wrong with one line of an import: its number, the column and the reason."""
    line: int
    column: str
    code: str
    message: str


class CheckedRow:
    """One line of an import as it is checked: its number and what is wrong with it."""

    def __init__(self, line):
        self.line, self.errors = line, []

    def error(self, column, code, message):
        self.errors.append(RowError(self.line, column, code, message))

    def text(self, values, column, length, required=False):
        """The text of `column` in `values`, noting an error where it is required and empty
        or longer than `length` characters."""
        text = values.get(column, "")
        if required and not text:
            self.error(column, "required", _l("This column must not be empty."))
        elif len(text) > length:
            self.error(column, "too_long", lazy_ngettext(
                "This value is longer than %(num)s character.",
                "This value is longer than %(num)s characters.", length))
        return text


def _bad_file(message):
    return DomainError("bad_file", message, field="file")


def _too_many_lines():
    return lazy_ngettext("The file has more than %(num)s line, blank lines included.",
                         "The file has more than %(num)s lines, blank lines included.", MAX_LINES)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _bounded(rows):
    """The rows as lists of text, refused as soon as the file is larger than any import
    (lines, columns, cell length) or holds a character no column stores."""
    table = []
    for line, cells in enumerate(rows, start=1):
        if line > MAX_LINES:
            raise _bad_file(_too_many_lines())
        if len(cells) > MAX_COLUMNS:
            raise _bad_file(lazy_ngettext("Line %(line)s has more than %(num)s column.",
                                          "Line %(line)s has more than %(num)s columns.",
                                          MAX_COLUMNS, line=line))
        cells = [_cell_text(value) for value in cells]
        for text in cells:
            if len(text) > MAX_CELL:
                raise _bad_file(lazy_ngettext(
                    "Line %(line)s: a cell is longer than %(num)s character.",
                    "Line %(line)s: a cell is longer than %(num)s characters.", MAX_CELL,
                    line=line))
            if "\x00" in text:
                raise _bad_file(_l("Line %(line)s contains an invalid character (a NUL "
                                   "byte).", line=line))
        table.append(cells)
    return table


def _check_sheet_size(archive, name):
    """Refuse a worksheet of more lines or columns than any import before openpyxl reads it
    (openpyxl reads a whole sheet that does not declare its size): the <dimension> it
    declares, else its rows counted up to the bound."""
    rows = 0
    with archive.open(name) as source:
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            tag = element.tag.rpartition("}")[2]
            if event == "end":
                element.clear()
            elif tag == "dimension":
                _min_col, _min_row, columns, rows = range_boundaries(element.get("ref", ""))
                _refuse_size(rows or 0, columns or 0)
                return
            elif tag == "row":
                rows += 1
                _refuse_size(rows, 0)


def _refuse_size(rows, columns):
    if rows > MAX_LINES:
        raise _bad_file(_too_many_lines())
    if columns > MAX_COLUMNS:
        raise _bad_file(lazy_ngettext("The sheet has more than %(num)s column.",
                                      "The sheet has more than %(num)s columns.", MAX_COLUMNS))


def _xlsx_rows(data):
    not_a_workbook = _l("This file is not an Excel workbook (.xlsx).")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _bad_file(not_a_workbook) from None
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise _bad_file(not_a_workbook)
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise _bad_file(_l("The workbook is larger than %(mb)s MB once unpacked.",
                           mb=MAX_UNPACKED // (1024 * 1024)))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in members:
                if member.filename.startswith("xl/worksheets/") and \
                        member.filename.endswith(".xml"):
                    _check_sheet_size(archive, member.filename)
        # openpyxl warns about features it leaves out (validation, styles): none matter here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                # A sheet declaring less than it holds is read in full, up to the bound.
                sheet.reset_dimensions()
                return _bounded(sheet.iter_rows(max_row=MAX_LINES + 1, values_only=True))
            finally:
                workbook.close()
    except DomainError:
        raise
    except Exception:  # openpyxl has no error type of its own for a damaged file
        raise _bad_file(not_a_workbook) from None


# The separators a spreadsheet writes a CSV file with: commas (Excel in English), semicolons
# (in French and most European languages, where the comma is the decimal sign) or tabs.
SEPARATORS = (",", ";", "\t")


def _separator(text):
    """The separator the header is written with: the one splitting its first line into the
    most cells (a comma unless another splits more). Only a double quote encloses a cell: an
    apostrophe is part of the text ("Head of 'Gender' Unit", a guarded "'+41 22 …")."""
    def cells(separator):
        try:
            return len(next(csv.reader(io.StringIO(text), delimiter=separator,
                                       quotechar='"', skipinitialspace=True), []))
        except csv.Error:
            return 0
    return max(SEPARATORS, key=cells)


def _csv_rows(data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad_file(_l("The file is not in UTF-8. Save it as “CSV UTF-8” and try "
                           "again.")) from None
    reader = csv.reader(io.StringIO(text), delimiter=_separator(text), quotechar='"',
                        doublequote=True, skipinitialspace=True)
    try:
        return _bounded(reader)
    except csv.Error:
        raise _bad_file(_l("Line %(line)s cannot be read: a cell is too long or a quotation "
                           "mark is not closed.", line=reader.line_num)) from None


def header_name(text):
    """A column name as written in a header, compared without case, spaces or hyphens:
    "Staff category", "staff-category" and "STAFF_CATEGORY" are one name."""
    return "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def read_table(filename, data, *, columns, required, aliases=None):
    """[(line, {column: text})] from a CSV or XLSX file; the header is line 1. Only `columns`
    are kept; a header cell may also name a column by one of its `aliases` ({alias: column});
    the `required` columns must all be in the header, and no column twice. Every cell is
    read on one line, as a form's SingleLineField reads what is typed: a line break (a
    vertical tab, as older systems write one) or any other control character becomes a
    space."""
    if len(data) > MAX_BYTES:
        raise DomainError("file_too_large", _l("The file is larger than %(mb)s MB.",
                                               mb=MAX_BYTES // (1024 * 1024)), field="file")
    if not data.strip():
        raise _bad_file(_l("The file is empty."))
    name = (filename or "").lower()
    if name.endswith(".xlsx"):
        table = _xlsx_rows(data)
    elif name.endswith((".csv", ".txt")):
        table = _csv_rows(data)
    else:
        raise _bad_file(_l("Upload a .csv or .xlsx file."))
    if not table:
        raise _bad_file(_l("The file is empty."))
    known = {header_name(c): c for c in columns}
    known.update({header_name(a): c for a, c in (aliases or {}).items()})
    header = [known.get(header_name(cell)) for cell in table[0]]
    twice = next((c for c in header if c is not None and header.count(c) > 1), None)
    if twice:
        # Two cells naming one column (or two of its names): the file does not say which to
        # read, and the last would silently win, an empty copy clearing the other.
        raise _bad_file(_l("Line %(line)s names the column “%(column)s” twice.", line=1,
                           column=twice))
    missing = [column for column in required if column not in header]
    if missing:
        raise _bad_file(_l("Columns missing from the first line: %(columns)s.",
                           columns=", ".join(missing)))
    rows = []
    for line, cells in enumerate(table[1:], start=2):
        values = {column: single_line(unguard(cells[i].strip())) if i < len(cells) else ""
                  for i, column in enumerate(header) if column is not None}
        if any(values.values()):
            rows.append((line, values))
    if len(rows) > MAX_ROWS:
        raise _bad_file(lazy_ngettext("The file has more than %(num)s row.",
                                      "The file has more than %(num)s rows.", MAX_ROWS))
    return rows
