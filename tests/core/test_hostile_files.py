"""Every import parser, fed random bytes and damaged or truncated real files: it returns a
result or refuses with its own translated error — never another exception."""
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gfp_portal.attendance import reports
from gfp_portal.core.errors import DomainError
from gfp_portal.parity import imports as parity
from gfp_portal.registry import exports
from gfp_portal.registry.imports.reading import read_table
from tests.helpers import ATTENDANCE_FILES

TEAMS = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
ZOOM = (ATTENDANCE_FILES / "zoom_participants.csv").read_bytes()
ROWS = [{c: "" for c in exports.COLUMNS} | {
    "given_name": "María", "family_name": "Diallo", "email": f"p{n}@undp.org", "entity": "UNDP",
    "role": "focal_point", "scope": "KEN", "start_date": "2026-01-01"} for n in range(3)]
CSV = exports.to_csv(ROWS)
XLSX = exports.to_xlsx(ROWS)

# Each parser with the codes of the errors it may raise.
PARSERS = {
    "registry.csv": (lambda data: read_table("people.csv", data),
                     {"bad_file", "file_too_large"}),
    "registry.xlsx": (lambda data: read_table("people.xlsx", data),
                      {"bad_file", "file_too_large"}),
    "report": (reports.parse, {"malformed_report"}),
    # The parity figures: read, then checked row by row against the database.
    "parity.csv": (lambda data: parity.plan_import(parity.reading_rows("f.csv", data), "-"),
                   {"bad_file", "file_too_large"}),
    "parity.xlsx": (lambda data: parity.plan_import(parity.reading_rows("f.xlsx", data), "-"),
                    {"bad_file", "file_too_large"}),
}
SAMPLES = [TEAMS, ZOOM, CSV, XLSX]
SETTINGS = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


def parse_or_refuse(app, parser, data):
    call, codes = PARSERS[parser]
    with app.test_request_context("/?lang=ar"):
        try:
            call(data)
        except DomainError as error:
            assert error.code in codes
            assert str(error.message).strip()


def rezip(data, name, content):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item.filename, content if item.filename == name
                            else source.read(item.filename))
    return out.getvalue()


def test_the_real_files_are_read(app):
    with app.test_request_context():
        assert len(read_table("people.csv", CSV)) == 3
        assert len(read_table("people.xlsx", XLSX)) == 3
        assert reports.parse(TEAMS).format == "teams" and reports.parse(ZOOM).format == "zoom"


@SETTINGS
@given(parser=st.sampled_from(sorted(PARSERS)), data=st.binary(max_size=4096))
def test_random_bytes(app, parser, data):
    parse_or_refuse(app, parser, data)


@SETTINGS
@given(parser=st.sampled_from(sorted(PARSERS)), sample=st.sampled_from(SAMPLES),
       cut=st.floats(0, 1), flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)),
                                           max_size=4))
def test_truncated_and_damaged_real_files(app, parser, sample, cut, flips):
    data = bytearray(sample[:int(len(sample) * cut)])
    for where, byte in flips:
        if data:
            data[min(int(len(data) * where), len(data) - 1)] = byte
    parse_or_refuse(app, parser, bytes(data))


@SETTINGS
@given(member=st.sampled_from(sorted(zipfile.ZipFile(io.BytesIO(XLSX)).namelist())),
       cut=st.floats(0, 1), junk=st.binary(max_size=64))
def test_workbooks_with_a_damaged_part(app, member, cut, junk):
    content = zipfile.ZipFile(io.BytesIO(XLSX)).read(member)
    parse_or_refuse(app, "registry.xlsx",
                    rezip(XLSX, member, content[:int(len(content) * cut)] + junk))


@SETTINGS
@given(text=st.text(max_size=300), encoding=st.sampled_from(
    ["utf-8", "utf-16", "utf-16-le", "utf-16-be", "latin-1"]))
def test_random_text_in_every_encoding(app, text, encoding):
    for parser in PARSERS:
        parse_or_refuse(app, parser, text.encode(encoding, "surrogatepass")
                        if encoding.startswith("utf") else text.encode(encoding, "replace"))


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("data", [
    b"\x00" * 1000, b"\n" * 100_000, b"\xff\xfe" + b"\x00" * 999, b"PK\x03\x04" + b"\x00" * 60,
    b"\xef\xbb\xbf", b'"' * 5000, b"a," * 50_000,
])
def test_degenerate_files(app, parser, data):
    parse_or_refuse(app, parser, data)
