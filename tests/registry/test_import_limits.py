"""Registry import of hostile files: refused quickly, with the reason (and the line), never
a crash; the work is bounded before the file is parsed."""
import io
import time
import zipfile

import pytest

from gfp_portal.core.errors import DomainError
from gfp_portal.core.reading import MAX_BYTES
from gfp_portal.registry import exports
from gfp_portal.registry.imports.reading import read_table

HEADER = "given_name,family_name,email\n"
SHEET = "xl/worksheets/sheet1.xml"


def valid_xlsx():
    return exports.to_xlsx([{c: "" for c in exports.COLUMNS} | {
        "given_name": "Amina", "family_name": "Diallo", "email": "amina@undp.org"}])


def rezip(data, replace=None, drop=()):
    """The workbook `data` with some members replaced ({name: bytes}) or left out."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename in drop:
                continue
            target.writestr(item.filename, (replace or {}).get(item.filename)
                            or source.read(item.filename))
    return out.getvalue()


def sheet_of_rows(rows, dimension=None):
    """A worksheet of `rows` one-cell rows, streamed into the zip (small once compressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(valid_xlsx())) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item.filename, source.read(item.filename))
        with target.open(SHEET, "w") as sheet:
            head = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            if dimension:
                head += f'<dimension ref="{dimension}"/>'
            sheet.write((head + "<sheetData>").encode())
            sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>given_name</t></is></c>'
                        b'<c r="B1" t="inlineStr"><is><t>family_name</t></is></c>'
                        b'<c r="C1" t="inlineStr"><is><t>email</t></is></c></row>')
            # Rows and cells may leave out their reference: each is the next one.
            for start in range(0, rows, 10_000):
                sheet.write(b"<row><c><v>1</v></c></row>" * min(10_000, rows - start))
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def read_table_refusal(name, data):
    with pytest.raises(DomainError) as excinfo:
        read_table(name, data)
    assert excinfo.value.code in ("bad_file", "file_too_large")
    return str(excinfo.value.message)


def test_a_nul_byte_is_refused_with_its_line(app):
    with app.test_request_context():
        message = read_table_refusal("people.csv",
                                     (HEADER + "Amina,Dia\x00llo,a@undp.org\n").encode())
    assert "Line 2" in message


def test_a_cell_longer_than_a_spreadsheet_cell_is_refused_with_its_line(app):
    data = (HEADER + "Amina,Diallo,a@undp.org\n" + "B," + "x" * 131_073 + ",b@undp.org\n")
    with app.test_request_context():
        message = read_table_refusal("people.csv", data.encode())
    assert "Line 3" in message


def test_a_long_xlsx_cell_is_refused_too(app):
    cell = '<c r="B2" t="inlineStr"><is><t>' + "x" * 40_000 + "</t></is></c>"
    with zipfile.ZipFile(io.BytesIO(valid_xlsx())) as archive:
        sheet = archive.read(SHEET).decode()
    sheet = sheet.replace('<c r="B2" t="inlineStr"><is><t>Diallo</t></is></c>', cell) \
        if 'r="B2" t="inlineStr"' in sheet else sheet.replace("</sheetData>", (
            f'<row r="3">{cell.replace("B2", "B3")}</row></sheetData>'))
    with app.test_request_context():
        assert "Line 2" in read_table_refusal(
            "people.xlsx", rezip(valid_xlsx(), {SHEET: sheet.encode()}))


@pytest.mark.parametrize("damage", [
    {"replace": {SHEET: b"<worksheet><sheetData><row><c"}},
    {"replace": {SHEET: b"\x00\x01 not xml"}},
    {"drop": (SHEET,)},
    {"drop": ("xl/_rels/workbook.xml.rels",)},
    {"drop": ("xl/styles.xml", "[Content_Types].xml")},
])
def test_a_damaged_workbook_is_refused(app, damage):
    with app.test_request_context():
        read_table_refusal("people.xlsx", rezip(valid_xlsx(), **damage))


def test_a_workbook_cut_short_is_refused(app):
    data = valid_xlsx()
    with app.test_request_context():
        for end in range(0, len(data), max(len(data) // 40, 1)):
            if data[:end].strip():
                read_table_refusal("people.xlsx", data[:end])


@pytest.mark.parametrize("dimension", ["A1:C1000001", None, "A1:A1"])
def test_a_million_row_workbook_is_refused_quickly(app, dimension):
    data = sheet_of_rows(1_000_000, dimension)
    assert len(data) < MAX_BYTES
    started = time.monotonic()
    with app.test_request_context():
        message = read_table_refusal("people.xlsx", data)
    assert time.monotonic() - started < 5
    assert "40,000 lines" in message


def test_a_sheet_wider_than_any_import_is_refused(app):
    with app.test_request_context():
        read_table_refusal("people.xlsx", sheet_of_rows(10, "A1:XFD11"))


def test_megabytes_of_blank_lines_are_refused_quickly(app):
    data = (HEADER + "Amina,Diallo,a@undp.org\n").encode() + b"\n" * (5 * 1024 * 1024 - 100)
    started = time.monotonic()
    with app.test_request_context():
        message = read_table_refusal("people.csv", data)
    assert time.monotonic() - started < 5
    assert "40,000 lines" in message
