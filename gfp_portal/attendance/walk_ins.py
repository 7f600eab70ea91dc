"""Walk-ins: people who joined a session without registering. Once it has started, a
coordinator adds them (from the registry) and marks them; capacity no longer matters then, so a
walk-in takes nobody's seat, and nobody is invited to a session already under way."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from gfp_portal.attendance.models import AttendanceSource, AttendanceStatus
from gfp_portal.attendance.services import mark, refuse_unless_held
from gfp_portal.core.audit import log_action
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.search import matches
from gfp_portal.core.text import email_address
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person, name_order
from gfp_portal.sessions.models import Registration, RegistrationStatus
from gfp_portal.sessions.registration import lock_seats, registration_of

CANDIDATES_SHOWN = 10


def candidates(session, q):
    """People of the registry matching `q` (name or email) who are not registered for the
    session: those a coordinator may add as walk-ins."""
    needle = email_address(q or "").lower()
    if not needle:
        return []
    registered = select(Registration.person_id).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.registered)
    return db.session.scalars(
        select(Person).where(
            or_(matches(Person.search_key, needle),
                func.lower(Person.email).contains(needle, autoescape=True)),
            Person.id.not_in(registered))
        .order_by(*name_order())
        .limit(CANDIDATES_SHOWN)).all()


def add_walk_in(session, person, *, status=AttendanceStatus.present, minutes=None,
                source=AttendanceSource.manual, report=None, actor, now=None):
    """Register `person` for a session under way (or over) as a walk-in and record their
    attendance; one already registered is only marked. Returns the registration."""
    now = now or utcnow()
    refuse_unless_held(session)
    if now < session.starts_at:
        raise DomainError("not_started", _l(
            "Walk-ins are added once the session has started; until then, register the "
            "person."))
    registration = registration_of(session, person)
    if registration is None or registration.status != RegistrationStatus.registered:
        # Under the seat lock, as registering takes it: another host adding the same person
        # at the same moment has added them, or waits until this one has.
        lock_seats(session)
        registration = registration_of(session, person)
    before = registration.status.value if registration is not None else None
    if registration is None:
        registration = Registration(session=session, person=person, created_at=now)
        db.session.add(registration)
    if registration.status != RegistrationStatus.registered:
        registration.status = RegistrationStatus.registered
        registration.registered_at, registration.waitlisted_at = now, None
        registration.cancelled_at = None
        db.session.flush()
        log_action("registration.walk_in", registration, actor=actor, now=now,
                   changes={"status": [before, "registered"], "source": [None, source.value]})
    mark(registration, status, minutes=minutes, source=source, actor=actor, now=now,
         report=report)
    return registration
