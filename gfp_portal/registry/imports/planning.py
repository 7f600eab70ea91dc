"""The plan of a registry import: every row checked against the registry as it is, by the
checks of the registry's services, and turned into steps of plain data that applying follows;
and the report of what it would do. Planning reads the registry once and writes nothing."""
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l

from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.reading import RowError
from gfp_portal.registry import services
from gfp_portal.registry.exports import person_columns
from gfp_portal.registry.imports.loaded import LoadedRegistry, registry_version
from gfp_portal.registry.imports.rows import check_file, lookups_for
from gfp_portal.registry.models import AppointmentRole, AppointmentStatus, Person
from gfp_portal.registry.policy import Policy


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
    registry = LoadedRegistry(values.get("email") for _line, values in rows)
    parsed = check_file(rows, lookups_for(registry))
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
