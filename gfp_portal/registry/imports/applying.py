"""Applying a registry import's plan: its steps, written through the registry's services with
the registry loaded once, all or nothing, and refused whole when the registry changed since
the plan was checked."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from gfp_portal.core.audit import events_in_one_batch
from gfp_portal.core.db import savepoint, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import hold_lock
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services
from gfp_portal.registry.imports.loaded import LoadedRegistry, check_version
from gfp_portal.registry.imports.planning import DATES, PERSON_DATA, plan_import
from gfp_portal.registry.policy import Policy


def _dates(values):
    return {k: date.fromisoformat(v) if k in DATES and v else v for k, v in values.items()}


class _Writer:
    """Applies steps through the registry's services, with the registry loaded once."""

    def __init__(self, steps, actor, now):
        self.actor, self.now = actor, now
        self.registry = LoadedRegistry(step["email"] for step in steps)
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


def apply_plan(steps, version, *, actor, now=None, progress=None):
    """Apply the steps of a plan made against the registry `version`, all or nothing: a
    DomainError (the registry changed, or a service refused a step) leaves the caller to roll
    back. `progress(done, total)` hears each step."""
    hold_lock("registry.import", now=now)  # two imports run one after the other
    check_version(version)
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
