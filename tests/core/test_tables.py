"""Tables as Excel workbooks: numbers and days stay numbers and days, text is guarded."""
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from gfp_portal.core import tables


def _cells(rows):
    return list(load_workbook(io.BytesIO(tables.to_xlsx(rows))).worksheets[0].iter_rows())


def test_numbers_and_days_are_written_as_such_and_only_text_is_guarded():
    header, row = _cells([["Count", "Share", "Change", "Day", "Formula", "Phone", "Done"],
                          [3, Decimal("2.5"), -4, date(2027, 3, 10), "=1+2", "0712", True]])
    assert [(cell.value, cell.data_type) for cell in row[:3]] == [
        (3, "n"), (2.5, "n"), (-4, "n")]
    assert row[3].is_date and row[3].value.date() == date(2027, 3, 10)
    assert [(cell.value, cell.data_type) for cell in row[4:]] == [
        ("'=1+2", "s"), ("0712", "s"), ("True", "s")]
    assert [cell.font.b for cell in header] == [True] * 7


def test_the_csv_writes_every_value_as_text_as_before():
    assert tables.to_csv([[3, -4, date(2027, 3, 10), None, "=1"]]) == \
        "\ufeff3,'-4,2027-03-10,,'=1\r\n".encode()


def test_a_value_with_characters_a_workbook_cannot_hold_is_written_without_them():
    """A stored value may hold control characters an Excel cell cannot (a vertical tab from a
    file of an older system, a form feed, a NUL): the workbook is written all the same. A
    vertical tab or a form feed, which break a line, becomes the line break a cell holds."""
    _header, row = _cells([["Title", "Phone", "Grade"],
                           ["Senior Adviser\x0bGender Unit", "\x01+41 22 917 1234", "P-4\x0c"]])
    assert [cell.value for cell in row] == ["Senior Adviser\nGender Unit", "'+41 22 917 1234",
                                            "P-4\n"]
