"""The registry as an import finds it: the part of it a file touches, loaded in one query per
kind whatever the number of rows, and the mark of its state that a plan is checked against
(a plan made against one state is never applied to another)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.text import email_address
from gfp_portal.extensions import db
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.registry.signals import emails_taking

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


def check_version(version):
    """Refuse a plan checked against the registry `version` once the registry has changed."""
    if version != registry_version():
        raise DomainError("registry_changed", _l(
            "The registry has changed since this file was checked; nothing was imported. "
            "Upload the file again to check it against the registry as it is now."))


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


class LoadedRegistry:
    """The part of the registry a file touches, loaded in one query per kind: the people of
    the file (by lower-case email), their appointments, the active appointments of every
    scope (the holders), and the addresses of the file no new person may take (`refused`)."""

    def __init__(self, emails):
        emails = sorted({email_address(e).lower() for e in emails if e})
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

