"""The registry as rows: one per appointment (or per person without any), in CSV or Excel;
a large export is prepared by a job and downloaded from its page."""
from dataclasses import asdict
from datetime import date

from flask_babel import gettext as _

from gfp_portal.core import tables
from gfp_portal.core.jobs import enqueue
from gfp_portal.extensions import db
from gfp_portal.registry import queries

COLUMNS = (
    "given_name", "family_name", "email", "phone", "position_title", "grade", "entity",
    "duty_station_city", "duty_station_country", "duty_station_time_zone",
    "preferred_language", "time_zone", "directory_consent", "role", "appointment_entity",
    "scope", "status", "start_date", "end_date", "time_share", "tor_on_file",
    "appointed_by_name", "appointed_by_title", "end_reason", "ended_on",
)


def _cell(value):
    """`value` as the text the import reads back; a whole number (the share of working time)
    and a day stay a number and a day, which a spreadsheet adds up or sorts and the import
    reads as well (a CSV file writes a day as 2027-03-10)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | date):
        return value
    return str(getattr(value, "value", value))


def person_columns(person):
    station = person.duty_station
    return {
        "given_name": person.given_name, "family_name": person.family_name,
        "email": person.email, "phone": person.phone, "position_title": person.position_title,
        "grade": person.grade, "entity": person.entity.acronym if person.entity else None,
        "duty_station_city": station.city if station else None,
        "duty_station_country": station.country_iso3 if station else None,
        "duty_station_time_zone": station.time_zone if station else None,
        "preferred_language": person.preferred_language, "time_zone": person.time_zone,
        "directory_consent": person.directory_consent,
    }


def appointment_columns(appointment):
    return {
        "role": appointment.role, "appointment_entity": appointment.entity.acronym,
        "scope": appointment.unct.iso3 if appointment.unct else "HQ",
        "status": appointment.status, "start_date": appointment.start_date,
        "end_date": appointment.end_date, "time_share": appointment.time_share,
        "tor_on_file": appointment.tor_on_file,
        "appointed_by_name": appointment.appointed_by_name,
        "appointed_by_title": appointment.appointed_by_title,
        "end_reason": appointment.end_reason, "ended_on": appointment.ended_on,
    }


def export_rows(people, appointments_of=None, progress=None):
    """Rows of cells (text, a whole number or a day) keyed by COLUMNS; `appointments_of(person)`
    narrows what is shown; `progress(done, total)` hears how many people are written."""
    rows = []
    for done, person in enumerate(people, start=1):
        if progress is not None:
            progress(done, len(people))
        appointments = appointments_of(person) if appointments_of else person.appointments
        base = person_columns(person)
        for appointment in sorted(appointments, key=lambda a: (a.start_date, a.id)) or [None]:
            row = dict(base, **(appointment_columns(appointment) if appointment else {}))
            rows.append({column: _cell(row.get(column)) for column in COLUMNS})
    return rows


def _table(rows):
    """The header row, then each row's cells in the order of COLUMNS."""
    return [COLUMNS, *([row[column] for column in COLUMNS] for row in rows)]


def to_csv(rows):
    return tables.to_csv(_table(rows))


def to_xlsx(rows):
    return tables.to_xlsx(_table(rows), title=_("Registry"))


CONTENT_TYPES = tables.CONTENT_TYPES
RENDERERS = {"csv": to_csv, "xlsx": to_xlsx}


def file_name(fmt, day):
    """The file's name in the reader's language (the job's: that of whoever asked for it)."""
    return _("gfp-registry") + f"-{day.isoformat()}.{fmt}"


def registry_file(criteria, fmt, *, today=None, progress=None):
    """The people matching `criteria` on `today` (the day of whoever asked for the file) as a
    file in `fmt` (csv or xlsx); returns (data, people). Each person's appointments are those
    the list shows (queries.matching_appointments): of the status asked for, and for a
    Resident Coordinator of their own teams only."""
    people = db.session.scalars(queries.people_query(criteria, today=today)).unique().all()
    return RENDERERS[fmt](export_rows(
        people, lambda person: queries.matching_appointments(person, criteria, today),
        progress)), \
        len(people)


def queue_export(criteria, fmt, *, today, actor, now=None):
    """Record the job that prepares the export (registry/jobs.py) of the people matching
    `criteria` on `today`, as the list showed them; returns the Job, whose page offers the
    file."""
    if fmt not in RENDERERS:
        raise ValueError(fmt)
    return enqueue("registry.export", {"criteria": asdict(criteria), "fmt": fmt,
                                       "today": today.isoformat()}, actor=actor, now=now)
