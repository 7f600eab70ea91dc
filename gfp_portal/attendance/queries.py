"""Read-only queries behind the register and the Office's group registration."""
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from gfp_portal.attendance.models import Attendance, AttendanceStatus
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession


def register_rows(session):
    """The session's registrations that are not cancelled, and their attendance marks by
    registration id."""
    rows = db.session.scalars(
        select(Registration).where(Registration.session_id == session.id,
                                   Registration.status != RegistrationStatus.cancelled)
        .options(selectinload(Registration.person))
        .order_by(Registration.status, Registration.id)).all()
    marks = {a.registration_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.registration_id.in_([r.id for r in rows]))
        .options(selectinload(Attendance.recorded_by)))}
    return rows, marks


def group_members(*, role=None, entity=None, unct=None, region=None, not_attended=None):
    """The ids of the active focal points and alternates matching the filters: an entity's
    acronym, a team's ISO3 code ("HQ": headquarters), a region, and a topic they have not
    attended."""
    stmt = select(Person.id).join(Appointment, Appointment.person_id == Person.id).where(
        Appointment.status == AppointmentStatus.active)
    if role:
        stmt = stmt.where(Appointment.role == role)
    if entity:
        stmt = stmt.where(Appointment.entity_id.in_(
            select(Entity.id).where(Entity.acronym == entity)))
    if unct == "HQ":
        stmt = stmt.where(Appointment.unct_id.is_(None))
    elif unct:
        stmt = stmt.where(Appointment.unct_id.in_(
            select(Unct.id).where(Unct.iso3 == unct)))
    if region:
        stmt = stmt.where(Appointment.unct_id.in_(
            select(Unct.id).where(Unct.region == region)))
    if not_attended:
        # Attended: marked present or partly present at a session on that topic.
        stmt = stmt.where(~exists().where(
            Registration.person_id == Person.id,
            Attendance.registration_id == Registration.id,
            Attendance.status.in_([AttendanceStatus.present, AttendanceStatus.partial]),
            Registration.session_id.in_(select(TrainingSession.id).where(
                TrainingSession.topic == not_attended))))
    return db.session.scalars(stmt.distinct().order_by(Person.id)).all()
