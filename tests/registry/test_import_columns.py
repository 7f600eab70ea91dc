"""Registry import of a file with only some of the columns: a column the file leaves out
keeps what the registry holds; a new person or appointment gets what the forms give."""
from datetime import date

import pytest

from gfp_portal.accounts.models import User
from gfp_portal.core import storage, tables
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import exports, services
from gfp_portal.registry.imports import applying, planning, previewed, reading
from gfp_portal.registry.policy import Policy
from tests.helpers import entity

NAMES = ("given_name", "family_name", "email")
APPOINTMENT_KEY = ("role", "appointment_entity", "scope", "start_date")


def sheet(columns, *rows):
    """The rows read from a CSV file of only `columns` (one tuple of cells a row)."""
    return reading.read_table("people.csv", tables.to_csv([columns, *rows]))


def updated(report):
    return [label for _line, label in report.updated_people + report.updated_appointments]


def test_a_short_sheet_changes_only_the_columns_it_has(coordinator, make_person):
    """A coordinator corrects a position title with a sheet of four columns: the phone,
    grade, entity, duty station, language, time zone and consent the file does not have stay
    as they are, and the check lists the title as the only change."""
    person = make_person(
        phone="+254 20 762 1234", position_title="Gender Specialist",
        preferred_language="fr", time_zone="Africa/Nairobi", directory_consent=True,
        duty_station=get_or_create_duty_station("Nairobi", "KEN", "Africa/Nairobi"))
    before = exports.person_columns(person)
    rows = sheet((*NAMES, "position_title"),
                 ("Amina", "Diallo", person.email, "Gender Adviser"))
    report = planning.plan_import(rows, actor=coordinator)
    assert report.ok, report.errors
    assert updated(report) == ["Amina Diallo (position_title)"]
    applying.apply_import(rows, actor=coordinator)
    db.session.flush()
    db.session.refresh(person)
    assert exports.person_columns(person) == {**before, "position_title": "Gender Adviser"}


def test_the_account_keeps_its_time_zone_and_language_through_a_short_sheet(
        coordinator, create_user):
    """The account follows the registry's preferences: a sheet without them leaves her
    invitations and pages in Nairobi time and in French."""
    user_id = create_user("amina@undp.org", locale="fr", time_zone="Africa/Nairobi")
    rows = sheet((*NAMES, "position_title"),
                 ("Test", "Person", "amina@undp.org", "Gender Adviser"))
    applying.apply_import(rows, actor=coordinator)
    db.session.flush()
    user = db.session.get(User, user_id)
    db.session.refresh(user)
    db.session.refresh(user.person)
    assert user.person.position_title == "Gender Adviser"
    assert (user.person.time_zone, user.person.preferred_language) == ("Africa/Nairobi", "fr")
    assert (user.time_zone, user.locale) == ("Africa/Nairobi", "fr")


def test_an_empty_cell_of_a_column_the_file_has_clears_the_value(coordinator, make_person):
    person = make_person(phone="+254 20 762 1234")
    rows = sheet((*NAMES, "phone"), ("Amina", "Diallo", person.email, ""))
    report = planning.plan_import(rows, actor=coordinator)
    assert updated(report) == ["Amina Diallo (phone)"]
    applying.apply_import(rows, actor=coordinator)
    db.session.flush()
    db.session.refresh(person)
    assert person.phone is None


def test_a_new_person_of_a_short_sheet_gets_what_the_form_gives(coordinator):
    """The columns the file leaves out take the values the registry's form gives a person
    created with only a name and an address; a short appointment row, those of the
    appointment form (the policy's term, no share of time, no terms of reference)."""
    rows = sheet((*NAMES, *APPOINTMENT_KEY),
                 ("Ada", "Obi", "ada.obi@undp.org", "alternate", "UNDP", "HQ", "2026-11-02"))
    report = planning.plan_import(rows, actor=coordinator)
    assert report.ok, report.errors
    assert (len(report.created_people), len(report.created_appointments)) == (1, 1)
    applying.apply_import(rows, actor=coordinator)
    db.session.flush()
    imported = services.find_person_by_email("ada.obi@undp.org")
    by_form = services.create_person({"given_name": "Ada", "family_name": "Obi",
                                      "email": "ada.obi@form.org"}, actor=coordinator)
    assert exports.person_columns(imported) == {**exports.person_columns(by_form),
                                                "email": "ada.obi@undp.org"}
    (appointment,) = imported.appointments
    assert (appointment.end_date, appointment.time_share, appointment.tor_on_file,
            appointment.appointed_by_name) == (
        Policy.current().default_end_date(date(2026, 11, 2)), None, False, None)


def test_a_short_sheet_of_appointments_corrects_only_the_columns_it_has(
        coordinator, kenya, make_person):
    """A sheet to correct shares of working time: the end dates, terms of reference and who
    appointed stay; an ended term in the file, without a status column, stays ended."""
    person = make_person()
    current = services.appoint(person, {
        "entity": entity("UNDP"), "unct": kenya, "role": "focal_point",
        "start_date": date(2025, 1, 1), "end_date": date(2027, 12, 31), "time_share": 30,
        "tor_on_file": True, "appointed_by_name": "Haoliang Xu",
        "appointed_by_title": "Associate Administrator"}, actor=coordinator)
    past = services.appoint(person, {"entity": entity("UNICEF"), "unct": None,
                                     "role": "alternate", "start_date": date(2023, 1, 1),
                                     "end_date": date(2023, 12, 31)}, actor=coordinator)
    services.end_appointment(past, reason="term_ended", ended_on=date(2023, 12, 31),
                             actor=coordinator)
    db.session.flush()
    before = [exports.appointment_columns(a) for a in (current, past)]
    rows = sheet((*NAMES, *APPOINTMENT_KEY, "time_share"),
                 ("Amina", "Diallo", person.email, "focal_point", "UNDP", "KEN", "2025-01-01",
                  "40"),
                 ("Amina", "Diallo", person.email, "alternate", "UNICEF", "HQ", "2023-01-01",
                  ""))
    report = planning.plan_import(rows, actor=coordinator)
    assert report.ok, [(e.line, e.code) for e in report.errors]
    assert updated(report) == ["Amina Diallo: focal_point · UNDP · KEN"]
    assert len(report.unchanged_appointments) == 1
    applying.apply_import(rows, actor=coordinator)
    db.session.flush()
    for appointment in (current, past):
        db.session.refresh(appointment)
    assert [exports.appointment_columns(a) for a in (current, past)] == [
        {**before[0], "time_share": 40}, before[1]]


def without(column, rows):
    """A registry export as CSV, `column` deleted from it (a coordinator's edit)."""
    columns = tuple(c for c in exports.COLUMNS if c != column)
    return tables.to_csv([columns, *([row[c] for c in columns] for row in rows)])


def test_an_export_without_its_scope_column_plans_no_headquarters_term(
        coordinator, kenya, make_person):
    """An export with the scope column deleted, uploaded again: its row about a term with the
    Kenya UN Country Team is no new headquarters term. The check refuses the file and names
    the column it lacks."""
    person = make_person()
    services.appoint(person, {"entity": entity("UNDP"), "unct": kenya, "role": "focal_point",
                              "start_date": date(2025, 1, 1)}, actor=coordinator)
    db.session.flush()
    data = without("scope", exports.export_rows([person]))
    result = previewed.preview(storage.keep_pending(data, suffix=".csv"), "registry.csv")
    assert result["created_appointments"] == []
    assert not result["ok"] and "scope" in result["file_error"]


@pytest.mark.parametrize(("columns", "missing"), [
    ((*NAMES, "role", "appointment_entity", "start_date"), ["scope"]),
    ((*NAMES, "time_share"), ["role", "appointment_entity", "scope", "start_date"]),
    ((*NAMES, "role", "scope", "status"), ["appointment_entity", "start_date"]),
])
def test_a_file_of_appointments_needs_the_columns_that_identify_one(columns, missing):
    data = tables.to_csv([columns, ["x"] * len(columns)])
    with pytest.raises(DomainError) as refused:
        reading.read_table("people.csv", data)
    assert refused.value.code == "bad_file"
    assert ", ".join(missing) in str(refused.value.message)


@pytest.mark.parametrize("header", [("phone", "phone"), ("Phone", "phone"), ("phone", "PHONE")])
def test_a_column_named_twice_is_refused_not_read_from_one_copy(coordinator, make_person,
                                                                header):
    """A column copied beside itself and left there: neither copy is taken for the other (an
    empty second copy would clear the phone); the file is refused and names the column."""
    person = make_person(phone="+254 20 762 1234")
    data = tables.to_csv([(*NAMES, *header), ("Amina", "Diallo", person.email,
                                              "+254 20 762 1234", "")])
    with pytest.raises(DomainError) as refused:
        reading.read_table("people.csv", data)
    assert refused.value.code == "bad_file"
    assert str(refused.value.message) == "Line 1 names the column “phone” twice."
