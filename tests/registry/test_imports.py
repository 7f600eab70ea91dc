"""Registry import and export: round trip, a large file, bad rows reported, nothing written."""
import io
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.reference.models import Unct
from gfp_portal.registry import exports, services
from gfp_portal.registry.imports import applying, planning, reading
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.registry.queries import RegistryFilter
from tests.helpers import csv_bytes, entity, refused, row

HEADER = exports.COLUMNS


def xlsx_bytes(rows):
    return exports.to_xlsx([{c: r.get(c, "") for c in HEADER} for r in rows])


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def run(filename, data, coordinator, *, apply=False):
    rows = reading.read_table(filename, data)
    if apply:
        return applying.apply_import(rows, actor=coordinator)
    return planning.plan_import(rows, actor=coordinator)


def test_export_then_import_changes_nothing(coordinator, kenya, make_person):
    person = make_person(given="María José", family="de la Cruz", phone="=1+2")
    services.appoint(person, {"entity": entity("UNDP"), "unct": kenya, "role": "focal_point",
                              "start_date": date(2025, 1, 1), "time_share": 30,
                              "tor_on_file": True}, actor=coordinator)
    old = services.appoint(make_person(), {"entity": entity("UNICEF"), "unct": None,
                                           "role": "alternate", "start_date": date(2024, 1, 1)},
                           actor=coordinator)
    services.end_appointment(old, reason="left_entity", ended_on=date(2024, 6, 30),
                             actor=coordinator)
    make_person(given="Nobody", family="Appointed")
    people = db.session.scalars(select(Person)).all()
    rows = exports.export_rows(people)
    for data, name in ((exports.to_csv(rows), "registry.csv"),
                       (exports.to_xlsx(rows), "registry.xlsx")):
        report = run(name, data, coordinator, apply=True)
        assert report.ok, report.errors
        assert report.changes == 0
        # Three people made here and the coordinator's own record.
        assert len(report.unchanged_appointments) == 2 and len(report.unchanged_people) == 4
    assert db.session.scalars(select(Person).filter_by(phone="=1+2")).one()


def test_the_exported_workbook_gives_the_share_of_working_time_as_a_number(
        coordinator, kenya, make_person):
    """The share is a number a spreadsheet can average and the days are days it sorts and
    filters; the phone stays text, and the workbook imports back unchanged."""
    person = make_person(phone="0712 345678")
    services.appoint(person, {"entity": entity("UNDP"), "unct": kenya, "role": "focal_point",
                              "start_date": date(2025, 1, 1), "time_share": 30},
                     actor=coordinator)
    data = exports.to_xlsx(exports.export_rows([person]))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = dict(zip(HEADER, sheet[2], strict=True))
    assert (cells["time_share"].value, cells["time_share"].data_type) == (30, "n")
    assert cells["phone"].value == "0712 345678"
    assert cells["start_date"].is_date and cells["start_date"].value == datetime(2025, 1, 1)
    report = run("registry.xlsx", data, coordinator)
    assert report.ok and report.changes == 0, report.errors


def test_a_renewal_withdrawn_then_made_again_exports_and_imports_back(coordinator, kenya,
                                                                      make_person):
    """A renewal entered by mistake is withdrawn, then the term renewed again: both renewals
    start the same day. Each exported row stands for its own appointment (the second was
    refused: "Line 4 already gives this appointment with other details.")."""
    today = date.today()
    current = services.appoint(make_person(), {
        "entity": entity("UNDP"), "unct": kenya, "role": "focal_point",
        "start_date": today - timedelta(days=300), "end_date": today + timedelta(days=20)},
        actor=coordinator)
    mistaken = services.renew(current, end_date=today + timedelta(days=400), actor=coordinator)
    services.end_appointment(mistaken, reason="withdrawn", ended_on=today, actor=coordinator)
    services.renew(current, actor=coordinator)
    db.session.flush()
    rows = exports.export_rows(db.session.scalars(select(Person)).all())
    report = run("registry.csv", exports.to_csv(rows), coordinator, apply=True)
    assert report.ok, [(e.line, e.code) for e in report.errors]
    assert report.changes == 0 and len(report.unchanged_appointments) == 3


def _ended_alternate(coordinator, person):
    """`person`'s alternate term of UNDP headquarters, ended on 30 June 2021 (left the
    entity)."""
    term = services.appoint(person, {"entity": entity("UNDP"), "unct": None,
                                     "role": "alternate", "start_date": date(2020, 1, 1),
                                     "end_date": date(2022, 1, 1)}, actor=coordinator)
    services.end_appointment(term, reason="left_entity", ended_on=date(2021, 6, 30),
                             actor=coordinator)
    db.session.flush()
    return term


def test_an_export_of_everyone_with_an_anonymised_person_imports_back_unchanged(
        coordinator, make_person):
    """An export of every status lists an anonymised person under the address the portal
    gave them, in a domain reserved for no mail (anonymised.invalid): their rows are left
    alone, not refused as badly written addresses (which stopped the whole file)."""
    make_person(given="Amina", family="Diallo")
    gone = make_person(given="Old", family="Timer")
    _ended_alternate(coordinator, gone)
    anonymise_person(gone, actor=coordinator)
    db.session.flush()
    for fmt in ("csv", "xlsx"):
        data, _people = exports.registry_file(RegistryFilter(status="any"), fmt,
                                              today=date.today())
        report = run(f"registry.{fmt}", data, coordinator)
        assert [(e.line, e.column, e.code) for e in report.errors] == []
        assert report.changes == 0
        assert any(gone.full_name in label for _line, label in report.unchanged_people)
        assert len(report.unchanged_appointments) == 1
    assert run("registry.xlsx", data, coordinator, apply=True).changes == 0


def test_a_changed_row_of_an_anonymised_person_is_refused_as_such(coordinator, make_person):
    """Their record cannot be changed (services.check_changeable): the row says so, rather
    than blaming the address; an address of the reserved domain that is no anonymised
    person's is still a bad address."""
    gone = make_person()
    _ended_alternate(coordinator, gone)
    anonymise_person(gone, actor=coordinator)
    db.session.flush()
    exported = exports.export_rows([gone])[0]
    for edited in ({**exported, "phone": "+254 20 762 1234"},
                   {**exported, "role": "focal_point", "start_date": "2026-01-01",
                    "status": "active", "end_date": "", "ended_on": "", "end_reason": ""}):
        rows = [edited, {**exported, "email": "person-0@anonymised.invalid"}]
        report = run("registry.csv", exports.to_csv(rows), coordinator)
        assert [(e.line, e.column, e.code) for e in report.errors] == [
            (2, "email", "anonymised"), (3, "email", "bad_email")]


@pytest.mark.parametrize("cells, column", [
    ({"ended_on": "2021-05-31"}, "ended_on"),
    ({"end_reason": "term_ended"}, "end_reason"),
    ({"ended_on": "2021-05-31", "end_reason": "term_ended"}, "ended_on"),
])
def test_the_end_of_an_ended_term_changed_in_the_file_is_refused(coordinator, make_person,
                                                                  cells, column):
    """No service changes the day a term ended or why: the row is refused on the cell,
    rather than dropped and the appointment reported unchanged."""
    person = make_person()
    term = _ended_alternate(coordinator, person)
    exported = exports.export_rows([person])[0]
    report = run("registry.csv", exports.to_csv([{**exported, **cells}]), coordinator)
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, column, "end_unchanged")]
    assert report.unchanged_appointments == [] and report.steps == []
    # Left empty, the cells keep what is recorded (a file of past terms may give only their
    # end date).
    report = run("registry.csv", exports.to_csv(
        [{**exported, "ended_on": "", "end_reason": ""}]), coordinator, apply=True)
    assert report.ok and report.changes == 0
    assert (term.ended_on, term.end_reason.value) == (date(2021, 6, 30), "left_entity")


@pytest.mark.parametrize("status, column, code", [
    ("withdrawn", "status", "status_unchanged"),
    ("active", "role", "history_unchanged"),
])
def test_the_status_of_an_ended_term_changed_in_the_file_is_refused_for_what_was_asked(
        coordinator, make_person, status, column, code):
    """Ended → withdrawn is refused on the status cell as a change of status, not as making
    the term active again (which ended → active still is)."""
    person = make_person()
    _ended_alternate(coordinator, person)
    exported = exports.export_rows([person])[0]
    report = run("registry.csv", exports.to_csv([{**exported, "status": status}]),
                 coordinator)
    assert [(e.line, e.column, e.code) for e in report.errors] == [(2, column, code)]


def test_a_700_row_xlsx_imports_in_one_go(coordinator, kenya):
    uncts = db.session.scalars(select(Unct).order_by(Unct.iso3)).all()[:20]
    for team in uncts:
        team.members = [entity("UNDP"), entity("UNICEF")]
    rows = []
    for n in range(700):
        extra = {}
        if n < 80:
            extra = {"role": "focal_point" if n < 40 else "alternate",
                     "appointment_entity": "UNDP" if n % 2 else "UNICEF",
                     "scope": uncts[(n % 40) // 2].iso3, "start_date": "2026-01-01",
                     "time_share": "25", "tor_on_file": "yes"}
        rows.append(row(n, **extra))
    report = run("people.xlsx", xlsx_bytes(rows), coordinator, apply=True)
    assert report.ok, report.errors[:3]
    assert len(report.created_people) == 700 and len(report.created_appointments) == 80
    assert count(Person) == 701 and count(Appointment) == 80  # + the coordinator's person


@pytest.mark.parametrize("rows, errors", [
    ([row(1), row(2, entity="NOPE"), row(3, email="not-an-email"),
      row(4, role="alternate", appointment_entity="UNDP", scope="HQ", start_date="2026-13-45"),
      row(5)],
     [(3, "entity", "unknown_entity"), (4, "email", "bad_email"), (5, "start_date", "bad_date")]),
    # Longer than the person and appointment forms allow: refused with their line too, not
    # stored (nor failing at the database on PostgreSQL).
    ([row(1), row(2, grade="P-4 (temporary appointment)"), row(3, given_name="G" * 121),
      row(4, role="alternate", appointment_entity="UNDP", scope="KEN", start_date="2026-01-01",
          appointed_by_title="T" * 201)],
     [(3, "grade", "too_long"), (4, "given_name", "too_long"),
      (5, "appointed_by_title", "too_long")]),
])
def test_bad_rows_are_all_reported_and_nothing_is_written(coordinator, kenya, rows, errors):
    before = count(Person)
    report = run("people.csv", csv_bytes(rows), coordinator)
    assert [(e.line, e.column, e.code) for e in report.errors] == errors
    with pytest.raises(DomainError) as excinfo:
        run("people.csv", csv_bytes(rows), coordinator, apply=True)
    assert excinfo.value.code == "import_has_errors"
    assert count(Person) == before


def test_duplicate_email_with_other_details_is_an_error(coordinator):
    rows = [row(1), row(1, given_name="Someone else")]
    report = run("people.csv", csv_bytes(rows), coordinator)
    assert [(e.line, e.code) for e in report.errors] == [(3, "duplicate_email")]


def test_same_person_on_several_rows_is_fine(coordinator, kenya):
    rows = [row(1, role="focal_point", appointment_entity="UNDP", scope="KEN",
                start_date="2026-01-01"),
            row(1, role="alternate", appointment_entity="UNICEF", scope="KEN",
                start_date="2026-01-01")]
    report = run("people.csv", csv_bytes(rows), coordinator, apply=True)
    assert report.ok and len(report.created_people) == 1
    assert len(report.created_appointments) == 2


def test_second_focal_point_in_the_file_errors_on_the_second_row(coordinator, kenya):
    fp = {"role": "focal_point", "appointment_entity": "UNDP", "scope": "KEN",
          "start_date": "2026-01-01"}
    report = run("people.csv", csv_bytes([row(1, **fp), row(2, **fp)]), coordinator)
    assert [(e.line, e.code) for e in report.errors] == [(3, "second_focal_point")]


def test_focal_point_colliding_with_the_registry_is_an_error(coordinator, kenya, make_person):
    services.appoint(make_person(), {"entity": entity("UNDP"), "unct": kenya,
                                     "role": "focal_point", "start_date": date(2025, 1, 1)},
                     actor=coordinator)
    report = run("people.csv", csv_bytes([row(99, role="focal_point", appointment_entity="UNDP",
                                                   scope="KEN", start_date="2026-01-01")]),
                 coordinator)
    assert [(e.line, e.code) for e in report.errors] == [(2, "focal_point_taken")]
    assert count(Person) == 2  # the dry run left nothing behind


def test_names_are_kept_exactly(coordinator):
    run("people.csv", csv_bytes([row(1, given_name="mARÍA", family_name="van der BERG")]),
        coordinator, apply=True)
    person = db.session.scalars(select(Person).filter_by(email="person1@undp.org")).one()
    assert (person.given_name, person.family_name) == ("mARÍA", "van der BERG")


def test_updates_are_detected(coordinator, make_person):
    make_person(email="person1@undp.org", given="Given1", family="Family1")
    report = run("people.csv", csv_bytes([row(1, position_title="Gender Adviser", grade="P-4")]),
                 coordinator, apply=True)
    assert len(report.updated_people) == 1 and "position_title" in report.updated_people[0][1]


@pytest.mark.parametrize("name, data", [
    ("report.xlsx", b"%PDF-1.7 not a workbook"),
    ("empty.csv", b""),
    ("people.pdf", b"given_name,family_name,email\n"),
    ("columns.csv", b"name,mail\nA,a@b.org\n"),
])
def test_unreadable_files_are_refused(coordinator, name, data):
    with pytest.raises(DomainError) as excinfo:
        reading.read_table(name, data)
    assert excinfo.value.code == "bad_file"


def test_semicolon_csv_from_a_french_spreadsheet(coordinator):
    data = "given_name;family_name;email\nÉlodie;Martin;e.martin@unesco.org\n".encode()
    rows = reading.read_table("fr.csv", data)
    assert rows == [(2, {"given_name": "Élodie", "family_name": "Martin",
                         "email": "e.martin@unesco.org"})]


def test_a_title_in_single_quotes_and_a_guarded_phone_read_back_cell_for_cell(
        coordinator, kenya, make_person):
    """An apostrophe is not a quotation mark: a title with a word in single quotes and phones
    the export guards against formulas ('+41 …) are read back from the CSV export in their
    own columns, every row there, and the untouched file changes nothing."""
    quoted = make_person(given="Seán", family="Byrne", phone="+41 22 917 1234",
                         position_title="Head of 'Gender' Unit")
    services.appoint(quoted, {"entity": entity("UNDP"), "unct": kenya, "role": "focal_point",
                              "start_date": date(2025, 1, 1)}, actor=coordinator)
    make_person(given="Amina", family="Diallo", phone="+254 20 762 1234")
    data, _people = exports.registry_file(RegistryFilter(status="any"), "csv",
                                          today=date.today())
    read = [tuple(values.values()) for _line, values in reading.read_table("registry.csv", data)]
    exported = exports.export_rows(db.session.scalars(select(Person)).all())
    assert sorted(read) == sorted(tuple(str(v) for v in r.values()) for r in exported)
    report = run("registry.csv", data, coordinator)
    assert report.ok and report.changes == 0, report.errors


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_cells_with_apostrophes_are_read_whatever_the_separator(coordinator, separator):
    """Commas (Excel in English), semicolons (in French) or tabs: the cells are split on the
    separator the header is written with, double quotes alone enclosing a cell."""
    lines = [("given_name", "family_name", "email", "phone", "position_title"),
             ("Seán", "O'Brien", "s.obrien@undp.org", "'+41 22 917 1234",
              "Head of 'Gender' Unit"),
             ("Amina", "Diallo", "a.diallo@undp.org", "'+254 20 762", '"Chief, ""HQ"""')]
    data = "\r\n".join(separator.join(line) for line in lines).encode()
    assert [values for _line, values in reading.read_table("people.csv", data)] == [
        {"given_name": "Seán", "family_name": "O'Brien", "email": "s.obrien@undp.org",
         "phone": "+41 22 917 1234", "position_title": "Head of 'Gender' Unit"},
        {"given_name": "Amina", "family_name": "Diallo", "email": "a.diallo@undp.org",
         "phone": "+254 20 762", "position_title": 'Chief, "HQ"'}]


def test_a_date_beyond_any_term_is_a_row_error(coordinator):
    rows = [row(1, role="alternate", appointment_entity="UNDP", scope="HQ",
                start_date="9999-12-31"),
            row(2, role="alternate", appointment_entity="UNICEF", scope="HQ",
                start_date="2026-01-01", end_date="0001-01-01")]
    report = run("people.csv", csv_bytes(rows), coordinator)
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (2, "start_date", "bad_date"), (3, "end_date", "bad_date")]
    assert str(report.errors[0].message) == \
        "Enter a date between the years 1900 and 2100."


def test_a_row_the_registry_refuses_is_reported_beside_a_badly_written_one(
        coordinator, kenya, make_person):
    # Both rows are bad: the report names both, not the first kind only (the user would fix
    # one line, upload again, and only then hear of the other).
    services.appoint(make_person(), {"entity": entity("UNDP"), "unct": kenya,
                                     "role": "focal_point", "start_date": date(2025, 1, 1)},
                     actor=coordinator)
    rows = [row(1, entity="NOPE"), row(2),
            row(3, role="focal_point", appointment_entity="UNDP", scope="KEN",
                start_date="2026-01-01")]
    report = run("people.csv", csv_bytes(rows), coordinator)
    assert [(e.line, e.code) for e in report.errors] == [
        (2, "unknown_entity"), (4, "focal_point_taken")]
    assert report.steps == []


def test_a_past_term_planned_to_end_before_it_started_is_a_row_error(coordinator):
    """Its end date, not only the day it ended, is checked against its start: the check names
    the line, rather than the apply job failing on the database's own rule."""
    rows = [row(1, role="alternate", appointment_entity="UNDP", scope="HQ", status="ended",
                start_date="2024-06-01", end_date="2024-01-31", ended_on="2024-07-31")]
    report = run("people.csv", csv_bytes(rows), coordinator)
    assert [(e.line, e.code) for e in report.errors] == [(2, "dates_reversed")]
    people = count(Person)
    with pytest.raises(DomainError):
        run("people.csv", csv_bytes(rows), coordinator, apply=True)
    db.session.rollback()
    assert (count(Person), count(Appointment)) == (people, 0)


def test_a_new_person_may_not_take_an_address_an_account_signs_in_with(coordinator):
    """The first administrator, made from the command line, has an account and no person.
    The registry's form refuses a person with that address, whatever its case: so does the
    import, on the row's line and in the same words, and it writes nothing."""
    accounts.create_admin("root@unwomen.org", "a long enough passphrase 42")
    db.session.flush()
    rows = [row(1), row(2, email="Root@unwomen.org")]
    report = run("people.csv", csv_bytes(rows), coordinator)
    assert [(e.line, e.column, e.code) for e in report.errors] == [
        (3, "email", "email_of_an_account")]
    assert report.steps == []
    people = count(Person)
    with pytest.raises(DomainError) as excinfo:
        run("people.csv", csv_bytes(rows), coordinator, apply=True)
    assert excinfo.value.code == "import_has_errors"
    assert count(Person) == people
    form = refused("email_of_an_account", services.create_person,
                   {"given_name": "Ada", "family_name": "Obi", "email": "Root@unwomen.org",
                    "entity": None}, actor=coordinator)
    assert str(report.errors[0].message) == str(form.message)


def test_an_account_opened_with_the_address_after_the_check_stops_the_import(coordinator):
    """The plan was checked before the account was made: applying it writes nothing."""
    report = run("people.csv", csv_bytes([row(1), row(2, email="root@unwomen.org")]),
                 coordinator)
    assert report.ok
    accounts.create_admin("Root@unwomen.org", "a long enough passphrase 42")
    db.session.flush()
    people = count(Person)
    with pytest.raises(DomainError) as excinfo:
        applying.apply_plan(report.steps, report.version, actor=coordinator)
    assert excinfo.value.code == "email_of_an_account"
    db.session.rollback()
    assert count(Person) == people


def test_one_line_columns_are_kept_on_one_line_as_the_forms_keep_them(coordinator, kenya):
    """A cell written with line breaks (a vertical tab, as FileMaker and Excel for Mac write
    one) keeps its words on one line, as the registry's forms keep them (SingleLineField)."""
    data = csv_bytes([row(1, given_name="Ana\nMaría", family_name="Pérez\r\nGarcía",
                          phone="+41 22\t917 1234", position_title="Senior Adviser\x0bGender Unit",
                          grade="P-4\x0c", role="focal_point", appointment_entity="UNDP",
                          scope="KEN", start_date="2027-01-01",
                          appointed_by_name="Achim\u2028Steiner",
                          appointed_by_title="Administrator\x85UNDP")])
    report = run("people.csv", data, coordinator, apply=True)
    assert report.ok, report.errors
    person = db.session.scalars(select(Person).filter_by(email="person1@undp.org")).one()
    assert (person.given_name, person.family_name, person.phone, person.position_title,
            person.grade) == ("Ana María", "Pérez García", "+41 22 917 1234",
                              "Senior Adviser Gender Unit", "P-4")
    appointment = person.appointments[0]
    assert (appointment.appointed_by_name, appointment.appointed_by_title) == (
        "Achim Steiner", "Administrator UNDP")


def test_an_address_with_its_accents_written_either_way_is_the_registry_s_person(coordinator,
                                                                               make_person):
    composed, decomposed = (unicodedata.normalize(form, "josé.pérez@undp.org")
                            for form in ("NFC", "NFD"))
    make_person(given="José", family="Pérez", email=composed, position_title="Adviser")
    data = csv_bytes([{"given_name": "José", "family_name": "Pérez", "email": decomposed,
                       "position_title": "Senior Adviser"}])
    report = run("people.csv", data, coordinator, apply=True)
    assert report.ok, report.errors
    assert (len(report.created_people), len(report.updated_people)) == (0, 1)
    person, = db.session.scalars(select(Person).where(Person.given_name == "José")).all()
    assert (person.email, person.position_title) == (composed, "Senior Adviser")


def test_a_new_address_with_decomposed_accents_is_kept_composed(coordinator):
    decomposed = unicodedata.normalize("NFD", "josé.pérez@undp.org")
    report = run("people.csv", csv_bytes([row(1, email=decomposed)]), coordinator,
                 apply=True)
    assert report.ok, report.errors
    assert db.session.scalars(select(Person.email).filter_by(given_name="Given1")).all() == [
        unicodedata.normalize("NFC", decomposed)]
