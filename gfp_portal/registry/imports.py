"""Registry import: read a CSV or Excel file, check every row, then apply it all or nothing."""
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gfp_portal.core.audit import diff, log_action
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import is_country_code
from gfp_portal.core.timezones import is_timezone
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services
from gfp_portal.registry.exports import COLUMNS, appointment_columns, person_columns
from gfp_portal.registry.models import (
    Appointment,
    AppointmentRole,
    AppointmentStatus,
    EndReason,
)
from gfp_portal.registry.reading import MAX_BYTES, MAX_ROWS, REQUIRED, read_table  # noqa: F401

PERSON_COLUMNS = COLUMNS[:13]
APPOINTMENT_COLUMNS = COLUMNS[13:]
LANGUAGES = ("en", "fr", "es", "ar")
BOOLEANS = {"yes": True, "no": False, "": False}


@dataclass
class RowError:
    line: int
    column: str
    code: str
    message: str


@dataclass
class ImportReport:
    errors: list = field(default_factory=list)
    created_people: list = field(default_factory=list)
    updated_people: list = field(default_factory=list)
    unchanged_people: list = field(default_factory=list)
    created_appointments: list = field(default_factory=list)
    updated_appointments: list = field(default_factory=list)
    unchanged_appointments: list = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self):
        return not self.errors

    @property
    def changes(self):
        return sum(len(x) for x in (self.created_people, self.updated_people,
                                    self.created_appointments, self.updated_appointments))


# --- checking -------------------------------------------------------------------------------

class _Row:
    """One line of the file, parsed; `errors` collects what is wrong with it."""

    def __init__(self, line, values, lookups):
        self.line, self.raw, self.errors = line, values, []
        self.person = self._person(lookups)
        self.appointment = self._appointment(lookups) if values.get("role") else None

    def raw_person(self):
        return tuple(self.raw.get(c, "") for c in PERSON_COLUMNS)

    def error(self, column, code, message):
        self.errors.append(RowError(self.line, column, code, message))

    def _date(self, column, required=False):
        value = self.raw.get(column, "")
        if not value:
            if required:
                self.error(column, "required", _l("This column must not be empty."))
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.error(column, "bad_date", _l("“%(value)s” is not a date (YYYY-MM-DD).",
                                              value=value))
            return None

    def _choice(self, column, allowed, default=None):
        value = self.raw.get(column, "")
        if not value:
            return default
        if value not in allowed:
            self.error(column, "bad_value", _l("“%(value)s” is not one of: %(allowed)s.",
                                               value=value, allowed=", ".join(allowed)))
            return default
        return value

    def _person(self, lookups):
        raw, data = self.raw, {}
        for column in REQUIRED:
            if not raw.get(column):
                self.error(column, "required", _l("This column must not be empty."))
        if raw.get("email"):
            try:
                validate_email(raw["email"], check_deliverability=False)
            except EmailNotValidError:
                self.error("email", "bad_email", _l("“%(value)s” is not a valid email "
                                                    "address.", value=raw["email"]))
        for column in ("given_name", "family_name", "email", "phone", "position_title",
                       "grade"):
            data[column] = raw.get(column) or None
        data["entity"] = self._entity("entity", lookups) if raw.get("entity") else None
        data["preferred_language"] = self._choice("preferred_language", LANGUAGES, "en")
        data["time_zone"] = raw.get("time_zone") or "UTC"
        if not is_timezone(data["time_zone"]):
            self.error("time_zone", "bad_time_zone", _l("“%(value)s” is not a known time "
                                                        "zone.", value=data["time_zone"]))
        data["directory_consent"] = BOOLEANS.get(self._choice("directory_consent",
                                                              ("yes", "no"), "no"))
        station = [raw.get(c, "") for c in ("duty_station_city", "duty_station_country",
                                            "duty_station_time_zone")]
        data["duty_station"] = None
        if any(station):
            if not all(station):
                self.error("duty_station_city", "incomplete_station",
                           _l("Give the city, country and time zone of the duty station, "
                              "or none of them."))
            elif not is_country_code(station[1]):
                self.error("duty_station_country", "bad_country",
                           _l("“%(value)s” is not an ISO 3166 alpha-3 country code.",
                              value=station[1]))
            elif not is_timezone(station[2]):
                self.error("duty_station_time_zone", "bad_time_zone",
                           _l("“%(value)s” is not a known time zone.", value=station[2]))
            else:
                data["duty_station"] = tuple(station)
        return data

    def _entity(self, column, lookups):
        entity = lookups["entities"].get(self.raw[column].lower())
        if entity is None:
            self.error(column, "unknown_entity", _l("No entity has the acronym “%(value)s”.",
                                                    value=self.raw[column]))
        return entity

    def _appointment(self, lookups):
        raw = self.raw
        data = {"role": self._choice("role", tuple(r.value for r in AppointmentRole))}
        data["entity"] = self._entity("appointment_entity", lookups) \
            if raw.get("appointment_entity") else None
        if not raw.get("appointment_entity"):
            self.error("appointment_entity", "required", _l("This column must not be empty."))
        scope = raw.get("scope", "").upper() or "HQ"
        data["unct"] = None
        if scope != "HQ":
            data["unct"] = lookups["uncts"].get(scope)
            if data["unct"] is None:
                self.error("scope", "unknown_scope",
                           _l("“%(value)s” is neither HQ nor the code of a UN Country Team.",
                              value=raw.get("scope")))
        data["status"] = self._choice("status", tuple(s.value for s in AppointmentStatus),
                                      "active")
        data["start_date"] = self._date("start_date", required=True)
        data["end_date"] = self._date("end_date")
        data["ended_on"] = self._date("ended_on")
        data["end_reason"] = self._choice("end_reason", tuple(r.value for r in EndReason))
        data["time_share"] = None
        if raw.get("time_share"):
            try:
                data["time_share"] = int(raw["time_share"])
                if not 0 <= data["time_share"] <= 100:
                    raise ValueError
            except ValueError:
                self.error("time_share", "bad_time_share",
                           _l("The share of working time is a whole number from 0 to 100."))
        data["tor_on_file"] = BOOLEANS.get(self._choice("tor_on_file", ("yes", "no"), "no"))
        data["appointed_by_name"] = raw.get("appointed_by_name") or None
        data["appointed_by_title"] = raw.get("appointed_by_title") or None
        return data


def _lookups():
    return {"entities": {e.acronym.lower(): e for e in db.session.scalars(select(Entity))},
            "uncts": {u.iso3: u for u in db.session.scalars(select(Unct))}}


def _check_file(rows):
    """Parse every row; file-wide rules: one person per email, one focal point per scope."""
    lookups = _lookups()
    parsed = [_Row(line, values, lookups) for line, values in rows]
    people, focal_points = {}, {}  # email -> (first line, person columns); scope -> line
    for row in parsed:
        email = (row.person["email"] or "").lower()
        if email in people and people[email][1] != row.raw_person():
            row.error("email", "duplicate_email",
                      _l("This email address is already used on line %(line)s for a person "
                         "with other details.", line=people[email][0]))
        elif email:
            people.setdefault(email, (row.line, row.raw_person()))
        a = row.appointment
        if a and a["role"] == "focal_point" and a["status"] == "active" and a["entity"]:
            key = (a["entity"].id, a["unct"].id if a["unct"] else None)
            if key in focal_points:
                row.error("role", "second_focal_point",
                          _l("Line %(line)s already makes someone the active focal point for "
                             "this entity and scope.", line=focal_points[key]))
            else:
                focal_points[key] = row.line
    return parsed


# --- applying -------------------------------------------------------------------------------

def _person_values(person):
    values = person_columns(person)
    values["entity"] = person.entity
    values["duty_station"] = (person.duty_station.city, person.duty_station.country_iso3,
                              person.duty_station.time_zone) if person.duty_station else None
    return values


def _apply_person(row, seen, report, actor, now):
    data = dict(row.person)
    email = data["email"].lower()
    if email in seen:
        return seen[email]
    station = data.pop("duty_station")
    person = services.find_person_by_email(data["email"])
    wanted = dict(data, duty_station=station)
    label = f"{data['given_name']} {data['family_name']}"
    if station:
        data["duty_station"] = get_or_create_duty_station(*station, actor=actor, now=now)
    else:
        data["duty_station"] = None
    if person is None:
        person = services.create_person(data, actor=actor, now=now)
        report.created_people.append((row.line, label))
    else:
        current = _person_values(person)
        changed = sorted(k for k, v in wanted.items() if current.get(k) != v)
        if changed:
            services.update_person(person, data, actor=actor, now=now, reason="import")
            report.updated_people.append((row.line, label + " (" + ", ".join(changed) + ")"))
        else:
            report.unchanged_people.append((row.line, label))
    seen[email] = person
    return person


def _matching_appointment(person, a):
    return db.session.scalars(select(Appointment).where(
        Appointment.person_id == person.id, Appointment.entity_id == a["entity"].id,
        Appointment.unct_id == a["unct"].id if a["unct"] else Appointment.unct_id.is_(None),
        Appointment.role == a["role"], Appointment.start_date == a["start_date"])).first()


CORRECTABLE = ("end_date", "time_share", "tor_on_file", "appointed_by_name",
               "appointed_by_title")


def _apply_appointment(row, person, report, actor, now):
    a = row.appointment
    label = f"{person.full_name}: {a['role']} · {a['entity'].acronym} · " + \
        (a["unct"].iso3 if a["unct"] else "HQ")
    existing = _matching_appointment(person, a)
    if existing is None:
        if a["status"] == "active":
            services.appoint(person, {k: a[k] for k in (
                "entity", "unct", "role", "start_date", "end_date", "time_share",
                "tor_on_file", "appointed_by_name", "appointed_by_title")},
                actor=actor, now=now, action="appointment.import")
        else:
            _create_history(person, a, actor, now)
        report.created_appointments.append((row.line, label))
        return
    before = appointment_columns(existing)
    changed = [k for k in CORRECTABLE if getattr(existing, k) != a[k]]
    for key in changed:
        setattr(existing, key, a[key])
    if changed:
        db.session.flush()
        log_action("appointment.update", existing, actor=actor, now=now,
                   reason="import", changes=diff(
                       {k: before[k] for k in changed}, {k: a[k] for k in changed}))
    if existing.status == AppointmentStatus.active and a["status"] != "active":
        reason = a["end_reason"] or ("withdrawn" if a["status"] == "withdrawn" else
                                     "term_ended")
        services.end_appointment(existing, reason=reason,
                                 ended_on=a["ended_on"] or a["end_date"] or now.date(),
                                 actor=actor, now=now)
        changed.append("status")
    elif existing.status.value != a["status"]:
        raise DomainError("history_unchanged", _l(
            "An appointment that has ended cannot be made active again; add a new one."))
    (report.updated_appointments if changed else report.unchanged_appointments).append(
        (row.line, label))


def _create_history(person, a, actor, now):
    if a["end_date"] is None and a["ended_on"] is None:
        raise DomainError("end_required", _l("An ended appointment needs its end date."))
    last = a["ended_on"] or a["end_date"]
    if last < a["start_date"]:
        raise DomainError("dates_reversed", _l("The end date must not be before the start "
                                               "date."))
    status = AppointmentStatus(a["status"])
    appointment = Appointment(
        person=person, entity=a["entity"], unct=a["unct"], role=a["role"], status=status,
        start_date=a["start_date"], end_date=a["end_date"] or last, ended_on=last,
        end_reason=a["end_reason"] or ("withdrawn" if status == AppointmentStatus.withdrawn
                                       else "term_ended"),
        time_share=a["time_share"], tor_on_file=a["tor_on_file"],
        appointed_by_name=a["appointed_by_name"], appointed_by_title=a["appointed_by_title"],
        created_at=now)
    db.session.add(appointment)
    db.session.flush()
    log_action("appointment.import_history", appointment, actor=actor, now=now,
               changes=diff({}, appointment_columns(appointment)))


def _run(rows, actor, now):
    report = ImportReport(rows=len(rows))
    parsed = _check_file(rows)
    report.errors = [error for row in parsed for error in row.errors]
    if report.errors:
        return report
    seen = {}
    for row in parsed:
        savepoint = db.session.begin_nested()
        try:
            person = _apply_person(row, seen, report, actor, now)
            if row.appointment:
                _apply_appointment(row, person, report, actor, now)
            savepoint.commit()
        except DomainError as error:
            savepoint.rollback()
            seen.pop(row.person["email"].lower(), None)
            report.errors.append(RowError(row.line, error.field or "role", error.code,
                                          error.message))
        except IntegrityError:
            savepoint.rollback()
            report.errors.append(RowError(row.line, "role", "conflict", _l(
                "This row conflicts with the registry (a second active holder).")))
    return report


def plan_import(rows, *, actor, now=None):
    """Dry run: the report of what the import would do; nothing stays in the database."""
    outer = db.session.begin_nested()
    try:
        return _run(rows, actor, now or utcnow())
    finally:
        outer.rollback()


def apply_import(rows, *, actor, now=None):
    """Apply the whole file, or nothing when any row is refused (DomainError)."""
    outer = db.session.begin_nested()
    report = _run(rows, actor, now or utcnow())
    if not report.ok:
        outer.rollback()
        raise DomainError("import_has_errors", _l("The file has errors; nothing was "
                                                  "imported. Check it again."))
    outer.commit()
    return report
