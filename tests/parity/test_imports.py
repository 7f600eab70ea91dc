"""Importing parity figures: every bad row reported with its line and reason, all or nothing,
the figures of each (entity, quarter) of the file replacing those kept, the same file twice a
no-op; checked and applied as jobs."""
import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from gfp_portal.core.jobs import Job, JobState
from gfp_portal.extensions import db
from gfp_portal.parity import imports
from gfp_portal.parity.models import ParityFigure, ParityImport, ParityTotal
from tests.helpers import entity, refused
from tests.parity.conftest import figures_csv, figures_xlsx, grid

JOB_URL = re.compile(r"^/jobs/([0-9a-f]{32})$")


def count(model=ParityFigure, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def plan(data, filename="figures.csv"):
    return imports.plan_import(imports.reading_rows(filename, data), imports.checksum(data))


def test_periods_are_read_in_every_accepted_form():
    assert imports.period_of({"period": "2023-Q4"}) == (2023, 4)
    assert imports.period_of({"period": "2023 Q4"}) == (2023, 4)
    assert imports.period_of({"period": "Q4 2023"}) == (2023, 4)
    assert imports.period_of({"period": "q1-2024"}) == (2024, 1)
    assert imports.period_of({"year": "2023", "quarter": "Q2"}) == (2023, 2)
    assert imports.period_of({"year": "2023", "quarter": "3"}) == (2023, 3)
    for bad in ({"period": "2023-Q5"}, {"period": "2023"}, {"period": "Q4"},
                {"year": "23", "quarter": "1"}, {"year": "2023", "quarter": "0"}, {}):
        assert imports.period_of(bad) is None


def test_a_good_file_is_checked_then_written(coordinator):
    data = figures_csv(grid(["UNDP", "UNICEF"], ["2023-Q4", "2024 Q1"], ["P-4", "d-1"]) +
                       [["UNDP", "Q2 2024", "G-5", "KEN", 3, 2],
                        ["UNDP", "2024-Q2", "FS-5", "field", 0, 4]])
    report = plan(data)
    assert report.ok and report.rows == 10
    assert (report.entities, report.periods, report.replaced_periods) == (2, 5, 0)
    assert count() == 0  # the check writes nothing
    source = imports.import_whole("figures.csv", data, actor=coordinator)
    assert (source.filename, source.rows, source.imported_by_id) == (
        "figures.csv", 10, coordinator.id)
    assert count() == 10
    kenya = db.session.scalars(select(ParityFigure).filter_by(station="KEN")).one()
    assert (kenya.year, kenya.quarter, kenya.grade, kenya.women, kenya.men) == (
        2024, 2, "G-5", 3, 2)
    assert db.session.scalars(select(ParityFigure.grade).filter_by(
        entity_id=entity("UNDP").id, year=2023)).all().count("D-1") == 1


def test_columns_may_have_other_names_and_separate_year_and_quarter(coordinator):
    data = figures_csv([["UNDP", "2023", "Q4", "P-4", "Headquarters", "30-39", 5, 6]],
                       header=["Entity", "Year", "Quarter", "Staff category", "Duty-station",
                               "Age group", "Female", "MALE"])
    report = plan(data)
    assert report.ok, report.errors
    imports.import_whole("figures.csv", data, actor=coordinator)
    figure = db.session.scalars(select(ParityFigure)).one()
    assert (figure.year, figure.quarter, figure.station, figure.age_group, figure.women,
            figure.men) == (2023, 4, "headquarters", "30-39", 5, 6)


def test_two_names_of_one_column_are_refused_as_a_file(coordinator):
    """“Category” and “Staff category” both name the grade: the file does not say which
    to read, and is refused."""
    data = figures_csv([["UNDP", "2023-Q4", "P-4", "G-5", "HQ", 5, 6]],
                       header=["entity", "period", "Category", "Staff category", "station",
                               "women", "men"])
    error = refused("bad_file", plan, data)
    assert str(error.message) == "Line 1 names the column “grade” twice."


def test_a_year_written_with_a_superscript_is_a_bad_period(coordinator):
    data = figures_csv([["UNDP", "202³", "Q4", "P-4", "Headquarters", "30-39", 5, 6]],
                       header=["Entity", "Year", "Quarter", "Staff category", "Duty-station",
                               "Age group", "Female", "MALE"])
    assert [(e.line, e.code) for e in plan(data).errors] == [(2, "bad_period")]


def test_every_bad_row_is_reported_with_its_line_and_reason(coordinator):
    data = figures_csv([
        ["UNDP", "2023-Q4", "P-4", "HQ", 5, 5],     # line 2: good
        ["NOPE", "2023-Q4", "P-4", "HQ", 5, 5],     # 3: unknown entity
        ["UNDP", "2023-Q5", "P-4", "HQ", 5, 5],     # 4: bad period
        ["UNDP", "2023-Q4", "P-3", "HQ", -1, 5],    # 5: negative
        ["UNDP", "2023-Q4", "P-2", "HQ", 5, "many"],  # 6: not a number
        ["UNDP", "2023-Q4", "P-4", "HQ", 7, 8],     # 7: repeats line 2
        ["UNDP", "2023-Q4", "P-5", "moon", 1, 1],   # 8: unknown duty station
        ["UNDP", "2023-Q4", "", "HQ", 1, 1],        # 9: no grade
        ["UNDP", "1850-Q1", "P-5", "HQ", 1, 1],     # 10: a year out of range
        ["UNDP", "2023-Q4", "P-1", "HQ", "5²", 1],  # 11: a superscript, not a number
    ])
    report = plan(data)
    assert not report.ok and report.figures == []
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (3, "entity", "unknown_entity"), (4, "period", "bad_period"),
        (5, "women", "negative_count"), (6, "men", "bad_count"), (7, "grade", "repeated_row"),
        (8, "station", "bad_station"), (9, "grade", "required"), (10, "period", "bad_period"),
        (11, "women", "bad_count")]
    refused("import_has_errors", imports.import_whole, "figures.csv", data, actor=coordinator)
    assert count() == 0 and count(ParityImport) == 0


def test_one_bad_row_writes_nothing(coordinator):
    rows = grid(["UNDP", "UNICEF"], ["2023-Q4"], ["P-4", "P-3", "G-5"])
    rows[4][4] = "-3"
    report = plan(figures_csv(rows))
    assert [(e.line, e.code) for e in report.errors] == [(6, "negative_count")]
    refused("import_has_errors", imports.import_whole, "f.csv", figures_csv(rows),
            actor=coordinator)
    assert count() == 0


def test_a_count_beyond_any_entitys_staff_is_a_row_error_not_a_failed_apply(coordinator):
    """Too large for the database to store, it failed the apply job with no line named."""
    rows = grid(["UNDP"], ["2023-Q4"], ["P-4", "P-3"])
    rows[0][4] = "10000000000000000000"
    rows[1][5] = "100001"
    report = plan(figures_csv(rows))
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "women", "count_too_large"), (3, "men", "count_too_large")]
    assert str(report.errors[1].message) == "A line of figures counts at most 100,000 staff " \
        "(“100001”)."
    refused("import_has_errors", imports.import_whole, "f.csv", figures_csv(rows),
            actor=coordinator)
    assert count() == 0


def test_each_entity_quarter_of_the_file_replaces_its_figures_and_no_other(coordinator):
    first = figures_csv(grid(["UNDP", "UNICEF"], ["2023-Q3", "2023-Q4"], ["P-4", "P-3"]))
    imports.import_whole("first.csv", first, actor=coordinator)
    assert count() == 8
    second = figures_csv([["UNDP", "2023-Q4", "P-2", "HQ", 9, 1]])
    report = plan(second)
    assert (report.periods, report.replaced_periods, report.replaced_entities) == (1, 1, 1)
    source = imports.import_whole("second.csv", second, actor=coordinator)
    undp = entity("UNDP").id
    assert count() == 7
    assert db.session.scalars(select(ParityFigure.grade).filter_by(
        entity_id=undp, year=2023, quarter=4)).all() == ["P-2"]
    assert count(ParityFigure, ParityFigure.entity_id == undp, ParityFigure.quarter == 3) == 2
    assert count(ParityFigure, ParityFigure.import_id == source.id) == 1


def _totals():
    return sorted(tuple(row) for row in db.session.execute(select(
        ParityTotal.entity_id, ParityTotal.year, ParityTotal.quarter, ParityTotal.women,
        ParityTotal.men)))


def _sums_of_figures():
    key = (ParityFigure.entity_id, ParityFigure.year, ParityFigure.quarter)
    return sorted(tuple(row) for row in db.session.execute(
        select(*key, func.sum(ParityFigure.women), func.sum(ParityFigure.men)).group_by(*key)))


def test_each_import_keeps_the_totals_of_the_quarters_it_writes(coordinator):
    """The overview reads each entity's quarter from its total: after every import, the
    totals are the sums of the figures kept, a replaced quarter's included."""
    imports.import_whole("first.csv", figures_csv(
        grid(["UNDP", "UNICEF"], ["2023-Q3", "2023-Q4"], ["P-4", "P-3"])), actor=coordinator)
    assert len(_totals()) == 4 and _totals() == _sums_of_figures()
    imports.import_whole("second.csv", figures_csv(
        [["UNDP", "2023-Q4", "P-2", "HQ", 9, 1], ["UNDP", "2024-Q1", "P-2", "HQ", 2, 5]]),
        actor=coordinator)
    undp = entity("UNDP").id
    assert (undp, 2023, 4, 9, 1) in _totals() and (undp, 2024, 1, 2, 5) in _totals()
    assert len(_totals()) == 5 and _totals() == _sums_of_figures()


def test_the_same_file_twice_changes_nothing_and_says_so(coordinator):
    data = figures_csv(grid(["UNDP"], ["2023-Q4"], ["P-4"]))
    assert imports.import_whole("a.csv", data, actor=coordinator) is not None
    report = plan(data, "again.csv")
    assert report.ok and report.applied_at is not None
    assert imports.import_whole("again.csv", data, actor=coordinator) is None
    assert count(ParityImport) == 1 and count() == 1


def test_an_excel_file_is_read_like_a_csv(coordinator):
    data = figures_xlsx([["UNDP", "2023-Q4", "P-4", "HQ", 4, 6],
                         ["UNICEF", "Q1 2024", "NO-B", "field", 2, 0]])
    report = plan(data, "figures.xlsx")
    assert report.ok and report.rows == 2
    imports.import_whole("figures.xlsx", data, actor=coordinator)
    assert count() == 2


@pytest.mark.parametrize("data, name", [(b"entity,grade\nUNDP,P-4\n", "f.csv"),
                                        (b"\x00\x01garbage", "f.xlsx"),
                                        (b"entity,period", "f.pdf")])
def test_an_unreadable_file_is_refused_with_a_reason(coordinator, data, name):
    refused("bad_file", imports.reading_rows, name, data)


def test_the_check_reads_the_database_a_fixed_number_of_times(coordinator, count_queries):
    small = figures_csv(grid(["UNDP"], ["2023-Q4"], ["P-4"]))
    large = figures_csv(grid(["UNDP", "UNICEF", "UNHCR"], ["2022-Q4", "2023-Q1", "2023-Q4"],
                             ["P-1", "P-2", "P-3", "P-4", "P-5", "D-1"]))
    counts = []
    for data in (small, large):
        rows = imports.reading_rows("f.csv", data)
        with count_queries() as counter:
            assert imports.plan_import(rows, imports.checksum(data)).ok
        counts.append(counter.count)
    assert counts[0] == counts[1]


# --- as jobs, through the pages -------------------------------------------------------------

def job_id_of(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = JOB_URL.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def post(client, data, name="figures.csv"):
    return client.post("/parity/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_the_check_then_the_confirmation_run_as_jobs(app, coordinator_client):
    client = coordinator_client
    data = figures_csv(grid(["UNDP", "UNICEF"], ["2023-Q4", "2024-Q1"], ["P-4", "P-3"]))
    preview_id = job_id_of(post(client, data))
    with app.app_context():
        preview = db.session.get(Job, preview_id)
        assert preview.state == JobState.done and (preview.done, preview.total) == (8, 8)
        assert count() == 0
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "The file has 8 rows and no error." in html and "Confirm the import" in html
    assert "None of them has figures yet" in html

    apply_id = job_id_of(client.post("/parity/import/confirm", data={"job": preview_id}))
    with app.app_context():
        assert db.session.get(Job, apply_id).state == JobState.done
        assert count() == 8
    html = client.get(f"/jobs/{apply_id}").get_data(as_text=True)
    assert "Import done: 8 figures written." in html

    # Replacing: the check says how many quarters of how many entities change.
    again = figures_csv(grid(["UNDP"], ["2023-Q4", "2024-Q1"], ["P-5"]))
    html = client.get(f"/jobs/{job_id_of(post(client, again))}").get_data(as_text=True)
    assert "The figures already kept for 2 quarters will be replaced (entities concerned: 1)." \
        in html
    # The same file as the first: nothing to confirm.
    html = client.get(f"/jobs/{job_id_of(post(client, data, 'copy.csv'))}").get_data(
        as_text=True)
    assert "This file was already imported on" in html and "Confirm the import" not in html


def test_a_file_with_a_bad_row_cannot_be_confirmed(app, coordinator_client):
    client = coordinator_client
    rows = grid(["UNDP"], ["2023-Q4"], ["P-4", "P-3"]) + [["UNDP", "2023-Q4", "P-2", "HQ",
                                                           "x", 1]]
    preview_id = job_id_of(post(client, figures_csv(rows)))
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "1 error: nothing will be imported" in html and "Confirm the import" not in html
    assert "“x” is not a whole number of staff." in html
    response = client.post("/parity/import/confirm", data={"job": preview_id},
                           follow_redirects=True)
    assert "There is no checked file to import." in response.get_data(as_text=True)
    with app.app_context():
        assert count() == 0


def test_a_wrong_kind_of_file_is_refused_on_the_form(coordinator_client):
    response = post(coordinator_client, b"%PDF-1.4", "figures.pdf")
    assert response.status_code == 200
    assert "Upload a .csv or .xlsx file." in response.get_data(as_text=True)


def test_a_quarter_that_has_not_begun_is_refused(coordinator):
    """A typo (2042-Q4 for 2024-Q4) would become every page's 'latest quarter' for good: no
    figure can exist yet for a quarter that has not started."""
    report = plan(figures_csv([["UNDP", "2042-Q4", "P-4", "HQ", 5, 5]]))
    assert [(e.line, e.code) for e in report.errors] and not report.ok, \
        "figures for 2042-Q4 (a future quarter) were accepted"


def test_figures_of_a_closed_entity_after_it_closed_are_refused(coordinator):
    undp = entity("UNDP")
    undp.active_to = date(2019, 12, 31)
    db.session.flush()
    report = plan(figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", 5, 5]]))
    assert not report.ok, "figures for 2024-Q1 of an entity closed on 2019-12-31 accepted"
    assert report.errors[0].column == "entity"


def test_an_empty_count_is_reported_as_missing(coordinator):
    """A partial row (women given, men left empty) is missing data, not a bad number:
    the message should say the cell is empty, not quote an empty “”."""
    report = plan(figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", 5, ""]]))
    assert [(e.column, e.code) for e in report.errors] == [("men", "required")], \
        [(e.column, e.code, str(e.message)) for e in report.errors]


def test_a_confirmation_does_not_replace_figures_it_did_not_announce(
        app, coordinator_client):
    """The check said 'None of them has figures yet: nothing will be replaced.'; meanwhile
    another import wrote that quarter. Confirming must not silently replace it (the registry
    import refuses a plan checked against an older registry)."""
    client = coordinator_client
    first = figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", 5, 5]])
    preview_id = job_id_of(post(client, first))
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "nothing will be replaced" in html
    with app.app_context():  # another coordinator imports the same quarter meanwhile
        imports.import_whole("other.csv", figures_csv(
            [["UNDP", "2024-Q1", "P-3", "HQ", 7, 3], ["UNDP", "2024-Q1", "P-2", "HQ", 1, 1]]),
            actor=None)
        db.session.commit()
    html = client.post("/parity/import/confirm", data={"job": preview_id},
                       follow_redirects=True).get_data(as_text=True)
    assert "Figures were imported since this file was checked" in html
    with app.app_context():
        grades = sorted(db.session.scalars(select(ParityFigure.grade)))
    assert grades == ["P-2", "P-3"], f"the other import's figures were replaced: {grades}"


def test_a_grade_stays_within_its_column_once_capitalised(coordinator):
    """The length is checked before upper-casing: 'ß' x16 becomes 32 characters, more than
    the column (String(16)) holds: the apply fails on PostgreSQL instead of a row error."""
    report = plan(figures_csv([["UNDP", "2024-Q1", "ß" * 16, "HQ", 5, 5]]))
    assert not report.ok or all(len(f[3]) <= 16 for f in report.figures), report.figures


def test_a_count_with_a_non_breaking_thousands_space_is_read(coordinator):
    """Spaces between thousands are accepted ("1 200"); the French spreadsheet's thousands
    separator is a (narrow) non-breaking space."""
    report = plan(figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", "1\u00a0200", "1\u202f300"]]))
    assert report.ok, [str(e.message) for e in report.errors]


def test_a_file_without_any_period_column_is_refused_as_a_file(coordinator):
    """No `period` column, nor `year` and `quarter`: the header lacks a column, said once,
    not "“” is not a quarter" on every line."""
    data = figures_csv([["UNDP", "P-4", "HQ", 5, 5], ["UNDP", "P-3", "HQ", 5, 5]],
                       header=["entity", "grade", "station", "women", "men"])
    error = refused("bad_file", plan, data)
    assert "period" in str(error.message)


def test_a_file_with_only_its_header_cannot_be_confirmed(app, coordinator_client):
    """A header and no figures: 'The file has 0 rows and no error.' and a Confirm button,
    which records an import of nothing."""
    client = coordinator_client
    preview_id = job_id_of(post(client, figures_csv([])))
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "Confirm the import" not in html, re.findall(r'alert[^>]*>(.*?)</div', html, re.S)


def test_a_file_named_in_arabic_is_accepted(app, coordinator_client):
    """secure_filename drops every non-ASCII letter: 'أرقام التكافؤ.csv' becomes 'csv', which
    has no suffix, so the upload is refused with 'Upload a .csv or .xlsx file.'"""
    response = post(coordinator_client, figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", 5, 5]]),
                    "أرقام التكافؤ.csv")
    assert response.status_code == 302, "refused: " + str(re.findall(
        r'invalid-feedback[^>]*>(.*?)</', response.get_data(as_text=True), re.S))


def test_a_file_whose_figures_were_replaced_since_can_be_imported_again(coordinator):
    """File A, then file B replacing A's quarter: A again is not "a file already imported
    that would change nothing"; it restores its figures. A file whose figures are all still
    kept is still refused as before."""
    a = figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", 5, 5],
                     ["UNDP", "2024-Q2", "P-4", "HQ", 6, 4]])
    imports.import_whole("a.csv", a, actor=coordinator)
    assert plan(a).applied_at is not None
    imports.import_whole("b.csv", figures_csv([["UNDP", "2024-Q1", "P-4", "HQ", 9, 1]]),
                         actor=coordinator)
    assert plan(a).applied_at is None
    assert imports.import_whole("a.csv", a, actor=coordinator) is not None
    assert db.session.scalar(select(func.sum(ParityFigure.women))) == 11
    assert plan(a).applied_at is not None and count(ParityImport) == 3
