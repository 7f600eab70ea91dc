"""Tables as Excel workbooks: numbers and days stay numbers and days, text is shown as typed
(never a formula), columns as wide as what they hold, right to left for Arabic readers."""
import io
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from openpyxl import load_workbook

from gfp_portal.core import tables


def _sheet(rows, **kwargs):
    return load_workbook(io.BytesIO(tables.to_xlsx(rows, **kwargs))).worksheets[0]


def _cells(rows):
    return list(_sheet(rows).iter_rows())


def test_numbers_and_days_are_written_as_such_and_text_as_typed():
    header, row = _cells([["Count", "Share", "Change", "Day", "Formula", "Phone", "Done"],
                          [3, Decimal("2.5"), -4, date(2027, 3, 10), "=1+2", "0712", True]])
    assert [(cell.value, cell.data_type) for cell in row[:3]] == [
        (3, "n"), (2.5, "n"), (-4, "n")]
    assert row[3].is_date and row[3].value.date() == date(2027, 3, 10)
    assert [(cell.value, cell.data_type) for cell in row[4:]] == [
        ("=1+2", "s"), ("0712", "s"), ("True", "s")]
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
    assert [cell.value for cell in row] == ["Senior Adviser\nGender Unit", "+41 22 917 1234",
                                            "P-4\n"]


def test_text_that_looks_like_a_formula_is_shown_as_typed_and_stays_text():
    """A workbook cell of text is never run: the apostrophe the CSV guard adds would be shown
    as part of the value ('+41 22 917 1234). Text starting with = is stored as text, marked so
    that Excel keeps it text when the cell is edited."""
    _header, row = _cells([["A", "B", "C", "D"],
                           ["=HYPERLINK(\"http://evil.example\")", "+41 22 917 1234", "-2+3",
                            "@SUM(A1)"]])
    assert [(cell.value, cell.data_type) for cell in row] == [
        ("=HYPERLINK(\"http://evil.example\")", "s"), ("+41 22 917 1234", "s"), ("-2+3", "s"),
        ("@SUM(A1)", "s")]
    assert row[0].quotePrefix


def test_columns_are_as_wide_as_their_longest_value_within_bounds():
    sheet = _sheet([["Name", "Email", "Note", "N"],
                    ["Amina Diallo", "amina.diallo@example.org", "x" * 200, 3]])
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCD"}
    assert widths == {"A": 14, "B": 26, "C": 60, "D": 10}


def test_arabic_readers_get_a_sheet_from_right_to_left(app):
    with app.app_context():
        for language, rtl in (("ar", True), ("fr", False)):
            with force_locale(language):
                assert bool(_sheet([["a"], ["b"]]).sheet_view.rightToLeft) is rtl
    assert not _sheet([["a"], ["b"]]).sheet_view.rightToLeft  # outside the application


def test_a_sheet_title_keeps_to_what_excel_accepts():
    assert _sheet([["a"]], title="Coverage: HQ/field [2027]?").title == \
        "Coverage HQfield 2027"
    assert _sheet([["a"]], title="x" * 40).title == "x" * 31
    assert _sheet([["a"]], title="[]").title == "Sheet"


def test_a_share_is_a_percentage_in_the_workbook_and_in_the_csv():
    """A share (core.tables.Percentage) is a number the workbook shows as a percentage, so
    that it is added up as one; the CSV writes it as the page reads it (47%)."""
    rows = [["Share", "Precise"], [tables.Percentage(Decimal("0.47")),
                                   tables.Percentage(Decimal("0.471"), decimals=1)]]
    _header, row = _cells(rows)
    assert [(cell.value, cell.data_type, cell.number_format) for cell in row] == [
        (0.47, "n", "0%"), (0.471, "n", "0.0%")]
    assert tables.to_csv(rows) == "\ufeffShare,Precise\r\n47%,47.1%\r\n".encode()


def test_a_number_to_one_decimal_keeps_its_decimal_in_the_workbook():
    """47.0 (a share in percent, to one decimal) is shown 47.0 as on the page, not 47."""
    _header, row = _cells([["Women (%)", "Count"], [Decimal("47.0"), 3]])
    assert [(cell.value, cell.number_format) for cell in row] == [(47, "0.0"), (3, "General")]


def test_every_table_offered_as_csv_is_offered_as_a_workbook_too(app):
    """A CSV separated by commas opens as a single column in Excel where the list separator is
    ';' (French and Spanish regional settings): each table has its workbook beside it, which
    opens right in every setting, and the CSV keeps one convention for other programs."""
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    csv_only = [rule for rule in rules if "csv" in rule and "xlsx" not in rule
                and rule.replace(".csv", ".xlsx") not in rules]
    assert csv_only == []


def test_the_csv_keeps_one_convention_whatever_the_language(app):
    """Commas, a full stop for decimals, the byte-order mark: in every language, so that a
    program reading it (or the portal's own import) needs no setting."""
    rows = [["Quarter", "Women (%)"], ["2024-Q1", Decimal("47.1")]]
    with app.test_request_context():
        written = {language: None for language in ("en", "fr", "es", "ar")}
        for language in written:
            with force_locale(language):
                written[language] = tables.to_csv(rows)
    assert set(written.values()) == {"\ufeffQuarter,Women (%)\r\n2024-Q1,47.1\r\n".encode()}
