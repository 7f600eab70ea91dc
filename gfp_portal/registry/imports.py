"""Registry import: read a CSV or Excel file, check every row against the registry as it is
(the plan), then apply the plan all or nothing through the registry's services.

Planning reads the registry once (people of the file, appointments, entities, UN Country
Teams, and the addresses of the file that accounts sign in with: one query each, whatever the
number of rows) and writes nothing; its steps are plain data, kept between the preview and the
confirmation, and applied exactly as previewed unless the registry changed in between.
"""
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from gfp_portal.core import previews
from gfp_portal.core.audit import AuditEvent, events_in_one_batch
from gfp_portal.core.dates import OUT_OF_RANGE, is_plausible
from gfp_portal.core.db import savepoint, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import LANGUAGES, is_country_code
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.reading import CheckedRow, RowError
from gfp_portal.core.timezones import is_timezone
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services
from gfp_portal.registry.exports import COLUMNS, person_columns
from gfp_portal.registry.models import (
    Appointment,
    AppointmentRole,
    AppointmentStatus,
    EndReason,
    Person,
)
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.reading import MAX_BYTES, MAX_ROWS, REQUIRED, read_table  # noqa: F401
from gfp_portal.registry.signals import emails_taking

PERSON_COLUMNS = COLUMNS[:13]
BOOLEANS = {"yes": True, "no": False, "": False}
STATION = ("duty_station_city", "duty_station_country", "duty_station_time_zone")
# The longest text each column keeps, as the registry's forms allow it.
LENGTHS = {**{c: Person.__table__.c[c].type.length
              for c in ("given_name", "family_name", "phone", "position_title", "grade")},
           "duty_station_city": DutyStation.__table__.c.city.type.length,
           **{c: Appointment.__table__.c[c].type.length
              for c in ("appointed_by_name", "appointed_by_title")}}


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
    steps: list = field(default_factory=list)  # what applying does, as plain data
    version: str = ""  # the registry the plan was checked against (registry_version())

    @property
    def ok(self):
        return not self.errors

    @property
    def changes(self):
        return sum(len(x) for x in (self.created_people, self.updated_people,
                                    self.created_appointments, self.updated_appointments))


# --- checking -------------------------------------------------------------------------------

class _Row(CheckedRow):
    """One line of the file, parsed; `errors` collects what is wrong with it."""

    def __init__(self, line, values, lookups):
        super().__init__(line)
        self.raw = values
        self.person = self._person(lookups)
        self.appointment = self._appointment(lookups) if values.get("role") else None

    def raw_person(self):
        return tuple(self.raw.get(c, "") for c in PERSON_COLUMNS)

    def _check_lengths(self, columns):
        for column in columns:
            self.text(self.raw, column, LENGTHS[column])

    def _date(self, column, required=False):
        value = self.raw.get(column, "")
        if not value:
            if required:
                self.error(column, "required", _l("This column must not be empty."))
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.error(column, "bad_date", _l("“%(value)s” is not a date (YYYY-MM-DD).",
                                              value=value))
            return None
        if not is_plausible(parsed):
            self.error(column, "bad_date", OUT_OF_RANGE)
            return None
        return parsed

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
        """The person's data of the columns the file has: a column it leaves out is no value
        (the person keeps theirs; a new person gets the registry's defaults), an empty cell
        of a column it has is one (no phone; the default language, time zone, consent)."""
        raw, data = self.raw, {}
        for column in REQUIRED:
            if not raw.get(column):
                self.error(column, "required", _l("This column must not be empty."))
        self._check_lengths(("given_name", "family_name", "phone", "position_title", "grade",
                             "duty_station_city"))
        # An anonymised person's address is the one the portal gave them, in a domain kept for
        # no mail: an export of everyone lists it, and the plan leaves the row alone (or
        # refuses it as a change of an anonymised person).
        if raw.get("email") and raw["email"].lower() not in lookups["anonymised"]:
            try:
                validate_email(raw["email"], check_deliverability=False)
            except EmailNotValidError:
                self.error("email", "bad_email", _l("“%(value)s” is not a valid email "
                                                    "address.", value=raw["email"]))
        for column in ("given_name", "family_name", "email", "phone", "position_title",
                       "grade"):
            if column in REQUIRED or column in raw:
                data[column] = raw.get(column) or None
        if "entity" in raw:
            data["entity"] = self._entity("entity", lookups) if raw["entity"] else None
        if "preferred_language" in raw:
            data["preferred_language"] = self._choice("preferred_language", LANGUAGES, "en")
        if "time_zone" in raw:
            data["time_zone"] = raw["time_zone"] or "UTC"
            if not is_timezone(data["time_zone"]):
                self.error("time_zone", "bad_time_zone", _l("“%(value)s” is not a known time "
                                                            "zone.", value=data["time_zone"]))
        if "directory_consent" in raw:
            data["directory_consent"] = BOOLEANS.get(self._choice("directory_consent",
                                                                  ("yes", "no"), "no"))
        if any(column in raw for column in STATION):
            data["duty_station"] = self._station()
        return data

    def _station(self):
        """(city, country, time zone) of the duty station, or None."""
        station = [self.raw.get(c, "") for c in STATION]
        if not any(station):
            return None
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
            return tuple(station)
        return None

    def _entity(self, column, lookups):
        entity = lookups["entities"].get(self.raw[column].lower())
        if entity is None:
            self.error(column, "unknown_entity", _l("No entity has the acronym “%(value)s”.",
                                                    value=self.raw[column]))
        return entity

    def _appointment(self, lookups):
        """The appointment's data of the columns the file has. Its role, entity, scope (HQ
        when the cell is empty) and start date name it: a file of appointments has all four
        (read_table). Another column the file leaves out is no value: a registry appointment
        keeps its own (its status too), a new one gets the appointment form's."""
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
        if "status" in raw:
            data["status"] = self._choice("status", tuple(s.value for s in AppointmentStatus),
                                          "active")
        data["start_date"] = self._date("start_date", required=True)
        for column in ("end_date", "ended_on"):
            if column in raw:
                data[column] = self._date(column)
        if "end_reason" in raw:
            data["end_reason"] = self._choice("end_reason", tuple(r.value for r in EndReason))
        if "time_share" in raw:
            data["time_share"] = self._time_share()
        if "tor_on_file" in raw:
            data["tor_on_file"] = BOOLEANS.get(self._choice("tor_on_file", ("yes", "no"), "no"))
        self._check_lengths(("appointed_by_name", "appointed_by_title"))
        for column in ("appointed_by_name", "appointed_by_title"):
            if column in raw:
                data[column] = raw[column] or None
        return data

    def _time_share(self):
        if not self.raw["time_share"]:
            return None
        try:
            share = int(self.raw["time_share"])
            if not 0 <= share <= 100:
                raise ValueError
        except ValueError:
            self.error("time_share", "bad_time_share",
                       _l("The share of working time is a whole number from 0 to 100."))
            return None
        return share


def _lookups(registry):
    return {"anonymised": {email for email, person in registry.people.items()
                           if person.anonymised_at is not None},
            "entities": {e.acronym.lower(): e for e in db.session.scalars(select(Entity))},
            "uncts": {u.iso3: u for u in db.session.scalars(
                select(Unct).options(selectinload(Unct.members)))}}


def _check_file(rows, lookups):
    """Parse every row; file-wide rules: one person per email, one focal point per scope."""
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
        # Without a status column, a row may stand for an ended term: the plan checks the
        # new ones against the registry's holders and the file's.
        if a and a["role"] == "focal_point" and a.get("status") == "active" and a["entity"]:
            key = (a["entity"].id, a["unct"].id if a["unct"] else None)
            if key in focal_points:
                row.error("role", "second_focal_point",
                          _l("Line %(line)s already makes someone the active focal point for "
                             "this entity and scope.", line=focal_points[key]))
            else:
                focal_points[key] = row.line
    return parsed


# --- the registry the file is checked against ------------------------------------------------

REGISTRY_TABLES = ("people", "appointments", "entities", "uncts", "duty_stations")


def registry_version():
    """A mark of the registry's state: it changes whenever a person, an appointment or the
    reference data changes (every change leaves an audit event), so a plan made against one
    state is never applied to another."""
    audit = select(func.max(AuditEvent.id)).where(
        AuditEvent.object_type.in_(REGISTRY_TABLES)).scalar_subquery()
    values = db.session.execute(select(
        audit, *(select(aggregate(model.id)).scalar_subquery()
                 for model in (Person, Appointment) for aggregate in (func.count, func.max))
    )).one()
    return "-".join("" if v is None else str(v) for v in values)


def _scope_key(entity_id, unct_id):
    return (entity_id, unct_id)


def _refused_addresses(emails):
    """Lower-case address -> why no new person may take it (a DomainError: an account signs
    in with it, registry.signals.emails_taking), for the lower-case `emails`."""
    refused = {}
    if emails:
        for _receiver, found in emails_taking.send(None, emails=emails):
            refused.update(found or {})
    return refused


class _Registry:
    """The part of the registry a file touches, loaded in one query per kind: the people of
    the file (by lower-case email), their appointments, the active appointments of every
    scope (the holders), and the addresses of the file no new person may take (`refused`)."""

    def __init__(self, emails):
        emails = sorted({e.lower() for e in emails if e})
        people = db.session.scalars(select(Person).where(func.lower(Person.email).in_(emails))
                                    .options(joinedload(Person.entity),
                                             joinedload(Person.duty_station))).all() \
            if emails else []
        self.people = {p.email.lower(): p for p in people}
        # One look-up for all the people the file creates, where the registry's form asks
        # the accounts once per person (services._apply_person skips it for a batch).
        self.refused = _refused_addresses([e for e in emails if e not in self.people])
        ids = select(Person.id).where(func.lower(Person.email).in_(emails))
        appointments = db.session.scalars(select(Appointment).where(or_(
            Appointment.status == AppointmentStatus.active,
            Appointment.person_id.in_(ids))).order_by(Appointment.id)).all()
        self.appointments, self.holders, self.matches = {}, {}, {}
        by_person = {p.id: [] for p in people}
        for a in appointments:
            self.appointments[a.id] = a
            if a.status == AppointmentStatus.active:
                self.holders.setdefault(_scope_key(a.entity_id, a.unct_id), []).append(a)
            if a.person_id in by_person:
                by_person[a.person_id].append(a)
                self.matches.setdefault(self.match_key(a.person_id, a.entity_id, a.unct_id,
                                                       a.role.value, a.start_date), []).append(a)
        for person in people:  # the services read them (e.g. the feed ends with the last term)
            set_committed_value(person, "appointments", by_person[person.id])

    @staticmethod
    def match_key(person_id, entity_id, unct_id, role, start_date):
        return (person_id, entity_id, unct_id, str(role), start_date)

    def holders_of(self, entity_id, unct_id):
        return self.holders.setdefault(_scope_key(entity_id, unct_id), [])


# --- planning --------------------------------------------------------------------------------

PERSON_DATA = ("given_name", "family_name", "email", "phone", "position_title", "grade",
               "preferred_language", "time_zone", "directory_consent")
APPOINTMENT_DATA = ("role", "status", "start_date", "end_date", "ended_on", "end_reason",
                    "time_share", "tor_on_file", "appointed_by_name", "appointed_by_title")
DATES = ("start_date", "end_date", "ended_on")


def _person_values(person):
    values = person_columns(person)
    values["entity"] = person.entity
    values["duty_station"] = (person.duty_station.city, person.duty_station.country_iso3,
                              person.duty_station.time_zone) if person.duty_station else None
    return values


def _plain(values):
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def _person_step(row, registry):
    """("create" | "update" | None, changed fields) for the row's person."""
    data = row.person
    person = registry.people.get(data["email"].lower())
    if person is None:
        return "create", []
    current = _person_values(person)
    return ("update" if (changed := sorted(k for k, v in data.items() if current.get(k) != v))
            else None), changed


def _check_changeable(person):
    """Refuse a change of `person` once anonymised (services.check_changeable), on the column
    of the address that names them; a person the file creates is changeable."""
    if isinstance(person, Person):
        try:
            services.check_changeable(person)
        except DomainError as error:
            raise DomainError(error.code, error.message, field="email") from None


def _check_end_kept(appointment, a):
    """The day an ended `appointment` ended and why are history, which no service changes:
    a row `a` giving others is refused, not dropped. An empty cell keeps them (a file of
    past terms may give only their end date)."""
    recorded = {"ended_on": appointment.ended_on,
                "end_reason": appointment.end_reason.value if appointment.end_reason else None}
    for column, value in recorded.items():
        if a.get(column) and a[column] != value:
            raise DomainError("end_unchanged", _l(
                "An appointment that has ended keeps the day and the reason it ended as "
                "recorded: they cannot be changed."), field=column)


def _person_json(data):
    """The person's `data` as plain data, of the fields it has."""
    plain = {k: data[k] for k in PERSON_DATA if k in data}
    if "entity" in data:
        plain["entity_id"] = data["entity"].id if data["entity"] else None
    if "duty_station" in data:
        plain["duty_station"] = list(data["duty_station"]) if data["duty_station"] else None
    return plain


class _Planner:
    def __init__(self, registry, policy, report, today):
        self.registry, self.policy, self.report, self.today = registry, policy, report, today
        self.people = {}  # lower-case email -> the person the plan holds for it
        # ("appointment", id) of a registry appointment, or the match key of a new one ->
        # (line, appointment data) of the row that planned it
        self.planned = {}

    def plan(self, row):
        email = row.person["email"].lower()
        label = f"{row.person['given_name']} {row.person['family_name']}"
        step = {"line": row.line, "email": email, "person": None, "appointment": None}
        person_done = email in self.people
        if not person_done:
            op, changed = _person_step(row, self.registry)
            if op == "update":
                _check_changeable(self.registry.people[email])
            if op == "create" and email in self.registry.refused:
                raise self.registry.refused[email]
            person = self.registry.people.get(email) or SimpleNamespace(
                id=-row.line, full_name=label)
            if op:  # a new person: the file's columns; one in the registry: what changes
                data = row.person if op == "create" else {k: row.person[k] for k in changed}
                step["person"] = {"op": op, "data": _person_json(data)}
        else:
            person = self.people[email]
        if row.appointment:
            step["appointment"], outcome = self._appointment(row, person)
        if not person_done:
            self.people[email] = person
            if op == "create":
                self.report.created_people.append((row.line, label))
            elif op == "update":
                self.report.updated_people.append((row.line, label + " (" + ", ".join(changed)
                                                   + ")"))
            else:
                self.report.unchanged_people.append((row.line, label))
        if row.appointment:
            outcome.append((row.line, self._label(person, label, row.appointment)))
        self.report.steps.append(step)

    @staticmethod
    def _label(person, label, a):
        return f"{getattr(person, 'full_name', label)}: {a['role']} · {a['entity'].acronym} · " \
            + (a["unct"].iso3 if a["unct"] else "HQ")

    def _matching(self, key, status):
        """The registry's appointment a row of `key` (person, entity, scope, role, start)
        and `status` stands for: of those of that key no earlier row took, one in that status,
        else any. Two share a key when a renewal was withdrawn and made again: an export
        gives both, each row its own."""
        found = self.registry.matches.get(key, [])
        free = [a for a in found if ("appointment", a.id) not in self.planned]
        return next((a for a in free if a.status.value == status), None) or \
            (free or found or [None])[0]

    def _appointment(self, row, person):
        """The appointment's step and the report list it goes in; DomainError when the
        registry's rules refuse it. Nothing changes unless the whole row is planned."""
        a, report = row.appointment, self.report
        entity, unct = a["entity"], a["unct"]
        unct_id = unct.id if unct else None
        match = self.registry.match_key(person.id, entity.id, unct_id, a["role"],
                                        a["start_date"])
        status = a.get("status", "active")
        existing = self._matching(match, status)
        key = ("appointment", existing.id) if existing is not None else match
        data = {**{k: a[k] for k in APPOINTMENT_DATA if k in a}, "entity_id": entity.id,
                "unct_id": unct_id}
        if key in self.planned:
            line, earlier = self.planned[key]
            if earlier != data:
                raise DomainError("repeated_appointment", _l(
                    "Line %(line)s already gives this appointment with other details.",
                    line=line), field="role")
            return None, report.unchanged_appointments
        if existing is None:
            _check_changeable(person)
            if status == "active":
                end = a.get("end_date") or self.policy.default_end_date(a["start_date"])
                holders = self.registry.holders_of(entity.id, unct_id)
                services.check_new_appointment(person, entity, unct, AppointmentRole(a["role"]),
                                               a["start_date"], end, holders)
                holders.append(SimpleNamespace(person_id=person.id, person=person,
                                               role=AppointmentRole(a["role"])))
                op = "create"
            else:
                services.check_past_appointment(a)
                op = "history"
            self.planned[key] = (row.line, data)
            return {"op": op, "data": _plain(data)}, report.created_appointments
        values = {k: a[k] for k in services.CORRECTABLE
                  if k in a and getattr(existing, k) != a[k]}
        services.check_correction(existing, values)
        end = None
        status = a.get("status", existing.status.value)  # no status column: it stays
        ending = existing.status == AppointmentStatus.active and status != "active"
        if values or ending:
            _check_changeable(person)
        if ending:
            ended_on = a.get("ended_on") or a.get("end_date") or self.today
            services.check_end(existing, ended_on)
            end = {"reason": a.get("end_reason") or ("withdrawn" if status == "withdrawn"
                                                     else "term_ended"),
                   "ended_on": ended_on.isoformat()}
            holders = self.registry.holders_of(existing.entity_id, existing.unct_id)
            holders[:] = [h for h in holders if h is not existing]
        elif existing.status.value != status:
            if status == "active":
                raise DomainError("history_unchanged", _l(
                    "An appointment that has ended cannot be made active again; add a new one."))
            raise DomainError("status_unchanged", _l(  # ended <-> withdrawn: history too
                "The status of an appointment that has ended or was withdrawn cannot be "
                "changed."), field="status")
        elif existing.status != AppointmentStatus.active:
            _check_end_kept(existing, a)
        self.planned[key] = (row.line, data)
        if not values and end is None:
            return None, report.unchanged_appointments
        return ({"op": "correct", "id": existing.id, "values": _plain(values), "end": end},
                report.updated_appointments)


def plan_import(rows, *, actor=None, now=None, progress=None):
    """Dry run: the report of what importing `rows` would do, with the steps that do it;
    reads the registry once and writes nothing. `progress(done, total)` hears each row."""
    now = now or utcnow()
    report = ImportReport(rows=len(rows), version=registry_version())
    registry = _Registry(values.get("email") for _line, values in rows)
    parsed = _check_file(rows, _lookups(registry))
    report.errors = [error for row in parsed for error in row.errors]
    # The rows written well are checked against the registry too, so that the report names
    # every bad row at once, whatever is wrong with it.
    parsed = [row for row in parsed if not row.errors]
    planner = _Planner(registry, Policy.current(), report, now.date())
    for done, row in enumerate(parsed, start=1):
        lists = [(name, len(getattr(report, name))) for name in (
            "created_people", "updated_people", "unchanged_people", "created_appointments",
            "updated_appointments", "unchanged_appointments", "steps")]
        try:
            planner.plan(row)
        except DomainError as error:
            for name, size in lists:  # the row is not planned: nothing of it stays
                del getattr(report, name)[size:]
            report.errors.append(RowError(row.line, error.field or "role", error.code,
                                          error.message))
        if progress:
            progress(done, len(parsed))
    if report.errors:
        report.errors.sort(key=lambda error: error.line)
        report.steps = []
    return report


# --- applying --------------------------------------------------------------------------------

def _dates(values):
    return {k: date.fromisoformat(v) if k in DATES and v else v for k, v in values.items()}


class _Writer:
    """Applies steps through the registry's services, with the registry loaded once."""

    def __init__(self, steps, actor, now):
        self.actor, self.now = actor, now
        self.registry = _Registry(step["email"] for step in steps)
        self.entities = {e.id: e for e in db.session.scalars(select(Entity))}
        self.uncts = {u.id: u for u in db.session.scalars(
            select(Unct).options(selectinload(Unct.members)))}
        self.stations = {(s.city.lower(), s.country_iso3.upper()): s
                         for s in db.session.scalars(select(DutyStation))}
        self.policy = Policy.current()

    def _station(self, values):
        if not values:
            return None
        city, country, zone = values
        key = (city.strip().lower(), country.upper())
        if key not in self.stations:
            self.stations[key] = get_or_create_duty_station(city, country, zone,
                                                            actor=self.actor, now=self.now)
        return self.stations[key]

    def person(self, step):
        people = self.registry.people
        person = people.get(step["email"])
        if step["person"] is None:
            return person
        values = step["person"]["data"]  # the fields to write: the services keep the others
        data = {k: values[k] for k in PERSON_DATA if k in values}
        if "entity_id" in values:
            data["entity"] = self.entities.get(values["entity_id"])
        if "duty_station" in values:
            data["duty_station"] = self._station(values["duty_station"])
        if step["person"]["op"] == "create":
            if step["email"] in self.registry.refused:  # an account opened since the check
                raise self.registry.refused[step["email"]]
            person = services.create_person(data, actor=self.actor, now=self.now,
                                            people_by_email=people)
            set_committed_value(person, "appointments", [])
            people[step["email"]] = person
        else:
            services.update_person(person, data, actor=self.actor, now=self.now,
                                   reason="import", people_by_email=people)
        return person

    def appointment(self, step, person):
        plan = step["appointment"]
        if plan is None:
            return
        if plan["op"] == "correct":
            appointment = self.registry.appointments[plan["id"]]
            if plan["values"]:
                services.correct_appointment(appointment, _dates(plan["values"]),
                                             actor=self.actor, now=self.now, reason="import")
            if plan["end"]:
                services.end_appointment(appointment, reason=plan["end"]["reason"],
                                         ended_on=date.fromisoformat(plan["end"]["ended_on"]),
                                         actor=self.actor, now=self.now)
                holders = self.registry.holders_of(appointment.entity_id, appointment.unct_id)
                holders[:] = [h for h in holders if h is not appointment]
            return
        data = _dates(plan["data"])
        data["entity"] = self.entities[data.pop("entity_id")]
        unct_id = data.pop("unct_id")
        data["unct"] = self.uncts[unct_id] if unct_id else None
        if plan["op"] == "history":
            services.record_past_appointment(person, data, actor=self.actor, now=self.now)
            return
        holders = self.registry.holders_of(data["entity"].id, unct_id)
        holders.append(services.appoint(
            person, {k: data[k] for k in ("entity", "unct", "role", "start_date", "end_date",
                                          "time_share", "tor_on_file", "appointed_by_name",
                                          "appointed_by_title") if k in data},
            actor=self.actor, now=self.now, action="appointment.import", policy=self.policy,
            current=holders))


def _check_version(version):
    if version != registry_version():
        raise DomainError("registry_changed", _l(
            "The registry has changed since this file was checked; nothing was imported. "
            "Upload the file again to check it against the registry as it is now."))


def apply_plan(steps, version, *, actor, now=None, progress=None):
    """Apply the steps of a plan made against the registry `version`, all or nothing: a
    DomainError (the registry changed, or a service refused a step) leaves the caller to roll
    back. `progress(done, total)` hears each step."""
    hold_lock("registry.import", now=now)  # two imports run one after the other
    _check_version(version)
    now = now or utcnow()
    writer = _Writer(steps, actor, now)
    # Nothing the import creates is changed again inside it: one flush at the end gives
    # every new person and appointment its id.
    with events_in_one_batch(creations_at_end=True):
        for done, step in enumerate(steps, start=1):
            writer.appointment(step, writer.person(step))
            if progress:
                progress(done, len(steps))


def apply_import(rows, *, actor, now=None):
    """Check and apply the whole file, or nothing when any row is refused (DomainError)."""
    now = now or utcnow()
    report = plan_import(rows, actor=actor, now=now)
    if not report.ok:
        raise DomainError("import_has_errors", _l("The file has errors; nothing was "
                                                  "imported. Check it again."))
    outer = savepoint()
    try:
        apply_plan(report.steps, report.version, actor=actor, now=now)
    except Exception:
        outer.rollback()
        raise
    outer.commit()
    return report


# --- as jobs: check (preview), then apply what was checked -----------------------------------

PREVIEW, APPLY = "registry.import-preview", "registry.import-apply"
REPORT_LISTS = ("created_people", "updated_people", "unchanged_people", "created_appointments",
                "updated_appointments", "unchanged_appointments")


def start_preview(data, filename, *, actor, language, now=None):
    """Keep the uploaded file in the shared storage and queue its check; returns the Job.
    The name and size are refused here, at once; the content is read by the job."""
    return previews.start_check(PREVIEW, data, filename, actor=actor, language=language,
                                now=now)


def report_result(report, filename):
    """The report as the preview job keeps it (JSON), messages in the current language."""
    return {"ok": report.ok, "filename": filename, "rows": report.rows,
            "errors": [{"line": e.line, "column": e.column, "code": e.code,
                        "message": str(e.message)} for e in report.errors],
            **{name: [list(item) for item in getattr(report, name)] for name in REPORT_LISTS}}


def preview(upload, filename, *, now=None, progress=None):
    """The preview job's work: read the kept upload, plan it, keep the plan; the result."""
    data = previews.uploaded(upload)
    try:
        rows = read_table(filename, data)
    except DomainError as error:
        return {"ok": False, "filename": filename, "rows": 0, "file_error": str(error.message),
                "errors": [], **{name: [] for name in REPORT_LISTS}}
    if progress:
        progress(0, len(rows))
    report = plan_import(rows, now=now, progress=progress)
    if progress:  # the rows planned may be fewer than the rows read (bad ones are not)
        progress(len(rows), len(rows))
    result = report_result(report, filename)
    if report.ok:
        result["plan"] = previews.keep_plan({"version": report.version, "steps": report.steps})
        result["changes"] = report.changes
    return result


def start_apply(preview_job_id, *, actor, language, now=None):
    """Queue the import of what the preview `preview_job_id` checked; refused when the
    preview has expired or was applied, or when the registry changed since. Returns the Job."""
    return previews.queue_apply(PREVIEW, APPLY, preview_job_id, actor=actor, language=language,
                                now=now or utcnow(),
                                check_plan=lambda plan: _check_version(plan["version"]))


def apply_previewed(preview_job_id, *, actor, now=None, progress=None):
    """The apply job's work: the stored plan, applied all or nothing; the counts, and the
    plan's token (to drop once the import is committed)."""
    now = now or utcnow()
    job = previews.checked(preview_job_id, PREVIEW, now)
    plan = previews.stored_plan(job)
    apply_plan(plan["steps"], plan["version"], actor=actor, now=now, progress=progress)
    counts = {name: len(job.result[name]) for name in REPORT_LISTS}
    return {"preview": job.id, "filename": job.result["filename"], **counts}, \
        job.result["plan"]
