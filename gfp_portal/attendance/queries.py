"""Read-only queries behind the register, the Office's group registration and the training
figures over time."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, exists, func, select
from sqlalchemy.orm import aliased, selectinload

from gfp_portal.attendance import evaluations
from gfp_portal.attendance.models import ATTENDED, Attendance
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry.models import (
    Appointment,
    AppointmentRole,
    AppointmentStatus,
    Person,
    name_order,
)
from gfp_portal.sessions.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)
from gfp_portal.sessions.queries import SessionFilter, session_year, sessions_query
from gfp_portal.sessions.registration import audience_refusal


@dataclass
class Place:
    """Where a viewer stands with a session: their registration (if any) and its attendance
    mark, the seats taken, whether the session's audience includes them, and why not when
    they hold its roles today only (sessions.registration.audience_refusal)."""
    registration: Registration | None
    attendance: Attendance | None
    taken: int
    in_audience: bool
    refusal: DomainError | None = None


# Built once (the session page reads it on every view): the session, the seats taken, which
# roles the viewer's appointments hold (active, or held today though ended ahead: the
# session's audience names the roles it is for), and the viewer's registration and its mark.
_TAKEN = (select(func.count(Registration.id))
          .where(Registration.session_id == bindparam("session_id"),
                 Registration.status == RegistrationStatus.registered).scalar_subquery())
_HOLDS = [exists().where(Appointment.person_id == bindparam("person_id"),
                         Appointment.current_on(bindparam("today")),
                         Appointment.role == role) for role in AppointmentRole]
# Whether one of those terms was ended ahead: it holds its role up to its last day only, which
# may come before the session (then the registration's own rule is asked, the rare time).
_ENDED_AHEAD = exists().where(Appointment.person_id == bindparam("person_id"),
                              Appointment.current_on(bindparam("today")),
                              Appointment.status != AppointmentStatus.active)


def session_and_place_statement(*columns):
    """The statement session_and_place runs, with `columns` (facts of the session, correlated
    with TrainingSession) after its own: a page that needs more of the session reads it in
    the same round trip. Build it once, at import."""
    return (select(TrainingSession, _TAKEN, *_HOLDS, _ENDED_AHEAD, Registration, Attendance,
                   *columns)
            .where(TrainingSession.id == bindparam("session_id"))
            .outerjoin(Registration, and_(Registration.session_id == TrainingSession.id,
                                          Registration.person_id == bindparam("person_id")))
            .outerjoin(Attendance, Attendance.registration_id == Registration.id)
            .execution_options(populate_existing=True))


_SESSION_AND_PLACE = session_and_place_statement()


def session_and_place(session_id, person, statement=_SESSION_AND_PLACE, *, today=None):
    """(the session, the viewer's Place in it, the values of the statement's own columns),
    read in one statement; `person` may be None, `today` the day whose roles count (the
    server's by default, as registering takes it). (None, None, ()) when there is no such
    session."""
    today = today or utcnow().date()
    row = db.session.execute(statement, {
        "session_id": session_id, "person_id": person.id if person is not None else None,
        "today": today,
    }).first()
    if row is None:
        return None, None, ()
    session, taken, holds = row[0], row[1], row[2:2 + len(_HOLDS)]
    ended_ahead, registration, attendance, *more = row[2 + len(_HOLDS):]
    held = {role.value for role, holds_it in zip(AppointmentRole, holds, strict=True)
            if holds_it}
    in_audience = person is not None and bool(held & set(session.audience.roles))
    refusal = None
    if in_audience and ended_ahead:
        refusal = audience_refusal(session, person, today=today)
        in_audience = refusal is None
    return session, Place(registration=registration, attendance=attendance, taken=taken,
                          in_audience=in_audience, refusal=refusal), tuple(more)


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


def group_members(*, roles, role=None, entity=None, unct=None, region=None,
                  not_attended=None, today=None):
    """The ids of the active focal points and alternates matching the filters: the roles a
    session is for (`roles`), one role of them, an entity's acronym, a team's ISO3 code
    ("HQ": headquarters), a region, and a topic they have not attended. An active term is
    also one held on `today` (the server's by default) whose end was entered ahead: its
    holder serves until their last day (Appointment.current_on)."""
    stmt = select(Person.id).join(Appointment, Appointment.person_id == Person.id).where(
        Appointment.current_on(today or utcnow().date()), Appointment.role.in_(roles))
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
            Attendance.status.in_(ATTENDED),
            Registration.session_id.in_(select(TrainingSession.id).where(
                TrainingSession.topic == not_attended))))
    return db.session.scalars(stmt.distinct().order_by(Person.id)).all()



def closing_window(*, now, within_days):
    """(earliest, latest) end of the sessions whose evaluation is still open and closes
    within `within_days` days."""
    open_days = timedelta(days=int(get_setting("evaluations.open_days")))
    return now - open_days, min(now, now - open_days + timedelta(days=within_days))


@dataclass(frozen=True)
class ClosingEvaluation:
    session: TrainingSession
    closes: datetime
    attended: int           # people and guests, as attendance.evaluations.Response
                            # counts them (may_answer)
    answered: int           # their answers (Response.answers)


def evaluations_closing(*, now, within_days):
    """Sessions whose evaluation is open and closes within `within_days` days (as the
    sessions list filters them), the soonest first, with how many attended and how many
    answered, people and guests, as their results pages count them
    (attendance.evaluations.responses)."""
    open_days = timedelta(days=int(get_setting("evaluations.open_days")))
    sessions = db.session.scalars(sessions_query(
        SessionFilter(when="past", ended_between=closing_window(
            now=now, within_days=within_days)), now=now, include_drafts=True,
        load_series=False).order_by(None).order_by(TrainingSession.ends_at,
                                                   TrainingSession.id)).all()
    figures = evaluations.responses(sessions)
    return [ClosingEvaluation(s, s.ends_at + open_days, figures[s.id].may_answer,
                              figures[s.id].answers) for s in sessions]


def trained_since(unct_ids, since, *, today=None):
    """unct_id -> the people holding an active term there who attended a session that
    started on or after `since`, by name (one query). An active term is also one held on
    `today` (the server's by default) whose end was entered ahead: its holder serves until
    their last day (Appointment.current_on)."""
    if not unct_ids:
        return {}
    trained = (select(Registration.person_id)
               .join(Attendance, Attendance.registration_id == Registration.id)
               .join(TrainingSession, TrainingSession.id == Registration.session_id)
               .where(Attendance.status.in_(ATTENDED), TrainingSession.starts_at >= since))
    rows = db.session.execute(
        select(Appointment.unct_id, Person).join(Person, Person.id == Appointment.person_id)
        .where(Appointment.unct_id.in_(unct_ids),
               Appointment.current_on(today or utcnow().date()), Person.id.in_(trained))
        .order_by(*name_order())).all()
    people = {}
    for unct_id, person in rows:
        if person not in people.setdefault(unct_id, []):
            people[unct_id].append(person)
    return people


def not_yet_trained(session, person_ids):
    """Those of `person_ids` who have not attended (present or partly) any other session on
    the topic of `session`: the people a waiting list puts first under the not-yet-trained
    policy (one query)."""
    trained = set(db.session.scalars(
        select(Registration.person_id).join(Attendance)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .where(Registration.person_id.in_(person_ids), TrainingSession.topic == session.topic,
               TrainingSession.id != session.id,
               Attendance.status.in_(ATTENDED))))
    return set(person_ids) - trained


def trained_per_year():
    """[(year, region, entity type, appointed, people)]: the people who attended a session
    (present or partly), each counted once a year, in the scope and entity of their latest
    appointment of any status (region None at headquarters; region and type None and
    appointed False for people without any appointment). One query: the people of each year
    are found first, then each one's latest appointment is read once a year, not once a
    session attended."""
    year = session_year().label("year")
    attended = (select(year, Registration.person_id).distinct().select_from(Registration)
                .join(Attendance, Attendance.registration_id == Registration.id)
                .join(TrainingSession, TrainingSession.id == Registration.session_id)
                .where(Attendance.status.in_(ATTENDED)).subquery())
    latest = (select(Appointment.person_id, func.max(Appointment.id).label("last"))
              .group_by(Appointment.person_id).subquery())
    term = aliased(Appointment)
    groups = (attended.c.year, Unct.region, Entity.type, term.id.is_not(None))
    return [(int(year), region, kind, bool(appointed), people)
            for year, region, kind, appointed, people in db.session.execute(
                select(*groups, func.count()).select_from(attended)
                .outerjoin(latest, latest.c.person_id == attended.c.person_id)
                .outerjoin(term, term.id == latest.c.last)
                .outerjoin(Unct, Unct.id == term.unct_id)
                .outerjoin(Entity, Entity.id == term.entity_id)
                .group_by(*groups))]


def attendance_per_year(*, now):
    """[(year, registered, attended)] over the published sessions that have ended: seats
    taken, and of them those marked present or partly present (one query). The seats are
    counted per session first, then the few session counts per year: grouping every seat
    by its session's year would compute that year once a seat. Only the seats of those
    sessions are read: a coming session's seats are a third of all."""
    ended = select(TrainingSession.id).where(TrainingSession.status == SessionStatus.published,
                                             TrainingSession.ends_at < now)
    per_session = (
        select(Registration.session_id, func.count().label("registered"),
               func.count(Attendance.id).filter(Attendance.status.in_(ATTENDED))
               .label("attended"))
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.status == RegistrationStatus.registered,
               Registration.session_id.in_(ended))
        .group_by(Registration.session_id).subquery())
    year = session_year()
    return [(int(y), int(registered), int(attended))
            for y, registered, attended in db.session.execute(
                select(year, func.sum(per_session.c.registered),
                       func.sum(per_session.c.attended))
                .join(per_session, per_session.c.session_id == TrainingSession.id)
                .group_by(year))]


def next_end(*, now):
    """When the next published session ends, from `now` on (None when none is to end): the
    moment attendance_per_year() counts one more session."""
    return db.session.scalar(select(func.min(TrainingSession.ends_at)).where(
        TrainingSession.status == SessionStatus.published, TrainingSession.ends_at >= now))


def trained_of_entity(entity_id, *, since):
    """(people of the entity who attended a session, of them those since `since`): people
    counted once, by the entity they belong to (one query)."""
    attended = Attendance.status.in_(ATTENDED)
    recent = TrainingSession.starts_at >= since
    return tuple(db.session.execute(
        select(func.count(Registration.person_id.distinct()),
               func.count(case((recent, Registration.person_id)).distinct()))
        .select_from(Registration)
        .join(Attendance, Attendance.registration_id == Registration.id)
        .join(TrainingSession, TrainingSession.id == Registration.session_id)
        .join(Person, Person.id == Registration.person_id)
        .where(Person.entity_id == entity_id, attended)).one())
