"""Each person's learning record, and the Office's attendance figures per session, entity,
UN Country Team and region."""
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import case, distinct, func, literal, select
from sqlalchemy.orm import contains_eager, lazyload, load_only

from gfp_portal.attendance.models import (
    ATTENDED,
    Attendance,
    AttendanceStatus,
    Certificate,
    EvaluationResponse,
)
from gfp_portal.core.db import minutes_between
from gfp_portal.core.i18n import LANGUAGES, collation_key, current_language, viewer_zone
from gfp_portal.core.timezones import wall_time
from gfp_portal.extensions import db
from gfp_portal.reference.countries import country_name
from gfp_portal.reference.models import Entity, Region, Unct
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.sessions.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)


@dataclass
class RecordLine:
    session: TrainingSession
    registration: Registration
    attendance: Attendance | None
    evaluated: bool
    certificate: Certificate | None


def learning_record(person):
    """Every session the person registered for, newest first, with what came of it (one
    query: a registration has at most one attendance mark, one certificate and one
    evaluation answer)."""
    rows = db.session.execute(
        select(Registration, Attendance, Certificate,
               EvaluationResponse.id.is_not(None).label("evaluated"))
        .join(Registration.session)
        .outerjoin(Attendance, Attendance.registration_id == Registration.id)
        .outerjoin(Certificate, Certificate.registration_id == Registration.id)
        .outerjoin(EvaluationResponse,
                   (EvaluationResponse.session_id == Registration.session_id)
                   & (EvaluationResponse.person_id == Registration.person_id))
        .where(Registration.person_id == person.id)
        .options(contains_eager(Registration.session))
        .order_by(TrainingSession.starts_at.desc())).all()
    return [RecordLine(registration.session, registration, attendance, evaluated, certificate)
            for registration, attendance, certificate, evaluated in rows]


GROUPS = ("session", "entity", "unct", "region")


def _group_column(by):
    """The SQL expression a row is grouped by, and the joins it needs."""
    if by == "entity":
        return Entity.acronym, [(Person, Person.id == Registration.person_id),
                                (Entity, Entity.id == Person.entity_id)]
    # A person counts in the team (or region) of each of their active appointments, once
    # there however many of their appointments it holds.
    place = Unct.iso3 if by == "unct" else Unct.region
    places = (select(Appointment.person_id,
                     func.coalesce(place, literal(HEADQUARTERS)).label("place"))
              .outerjoin(Unct, Unct.id == Appointment.unct_id)
              .where(Appointment.status == AppointmentStatus.active).distinct().subquery())
    column = case((places.c.person_id.is_(None), literal(NO_APPOINTMENT)),
                  else_=places.c.place)
    return column, [(places, places.c.person_id == Registration.person_id)]


# The sessions whose registrations count: those held, not cancelled (nor drafts).
HELD = select(TrainingSession.id).where(TrainingSession.status == SessionStatus.published)


def _counts(column, joins=(), where=()):
    """Per value of `column`: registrations, attended (present or partly), absent, people
    trained and minutes attended — counted by the database in one query, of sessions held
    (a cancelled one trained nobody). A present mark without minutes (a self check-in
    records none) counts the session's scheduled time, as it earns the certificate."""
    attended = Attendance.status.in_(ATTENDED)
    minutes = case((attended & Attendance.minutes.is_not(None), Attendance.minutes),
                   (Attendance.status == AttendanceStatus.present,
                    minutes_between(TrainingSession.starts_at, TrainingSession.ends_at)))
    stmt = (select(column,
                   func.count(Registration.id),
                   func.count(case((attended, 1))),
                   func.count(case((Attendance.status == AttendanceStatus.absent, 1))),
                   func.count(distinct(case((attended, Registration.person_id)))),
                   func.coalesce(func.sum(minutes), 0))
            .select_from(Registration)
            .join(TrainingSession, TrainingSession.id == Registration.session_id)
            .outerjoin(Attendance, Attendance.registration_id == Registration.id)
            .where(Registration.status == RegistrationStatus.registered,
                   Registration.session_id.in_(HELD), *where))
    for model, condition in joins:
        stmt = stmt.outerjoin(model, condition)
    return stmt.group_by(column)


def sheet_name(by):
    """The name of the workbook's sheet of the figures per `by`, as the page's tabs say it
    (a sheet's name holds at most 31 characters)."""
    return {"session": pgettext("sheet name", "Per session"),
            "entity": pgettext("sheet name", "Per entity"),
            "unct": pgettext("sheet name", "Per UN Country Team"),
            "region": pgettext("sheet name", "Per region")}[by]


def file_name(by, fmt, day):
    """The name of the file of the figures per `by` on `day`, in the reader's language."""
    stem = {"session": pgettext("file name", "attendance-by-session"),
            "entity": pgettext("file name", "attendance-by-entity"),
            "unct": pgettext("file name", "attendance-by-unct"),
            "region": pgettext("file name", "attendance-by-region")}[by]
    return f"{stem}-{day.isoformat()}.{fmt}"


def _header(by):
    group = {"session": _("Session"), "entity": _("Entity"), "unct": _("UN Country Team"),
             "region": _("Region")}[by]
    return [group, *([_("Date")] if by == "session" else []), _("Registered"), _("Attended"),
            _("Absent"), _("People trained"), _("Minutes attended")]


def trained_sessions():
    """The sessions at least one person is registered for, newest first: the rows of the
    figures per session, read a page at a time. Only what a row shows of its session is read
    (its titles and start), so that the page and the count are found in one narrow pass."""
    return (select(TrainingSession)
            .options(load_only(TrainingSession.id, TrainingSession.title_en,
                               TrainingSession.title_fr, TrainingSession.title_es,
                               TrainingSession.title_ar, TrainingSession.starts_at),
                     lazyload(TrainingSession.topic_entry))
            .where(TrainingSession.status == SessionStatus.published,
                   TrainingSession.registrations.any(
                       Registration.status == RegistrationStatus.registered))
            .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc()))


def session_figures(sessions, *, zone=None):
    """Header and rows of the figures of `sessions` (one page of trained_sessions()): each
    row starts with the session, then its date (the day it starts in `zone`, the viewer's
    unless told), then the counts."""
    zone = zone or viewer_zone()
    ids = [session.id for session in sessions]
    counts = {session_id: rest for session_id, *rest in db.session.execute(
        _counts(Registration.session_id, where=[Registration.session_id.in_(ids)]))}
    return [_header("session"), *([session, wall_time(session.starts_at, zone).date(),
                                   *counts.get(session.id, [0] * 5)] for session in sessions)]


def figures(by="session", *, zone=None, language=None):
    """Header and rows of the figures per group, every group; per session, newest first, each
    session once (sessions with the same title are different rows) under its title in
    `language` (the reader's unless told), else its English one, as the page names it, dated
    as session_figures() dates it."""
    if by == "session":
        zone = zone or viewer_zone()
        named, columns = _title_in(language or current_language())
        results = db.session.execute(
            _counts(TrainingSession.id)
            .add_columns(named, TrainingSession.starts_at)
            .group_by(*columns, TrainingSession.starts_at)
            .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())).all()
        return [_header(by), *([title, wall_time(starts_at, zone).date(), *counts]
                               for _id, *counts, title, starts_at in results)]
    results = db.session.execute(_counts(*_group_column(by))).all()
    rows = [[_label(by, key), *counts] for key, *counts in results]
    return [_header(by), *sorted(rows, key=lambda row: collation_key(str(row[0])))]


def _title_in(language):
    """A session's title in `language`, else its English one (TrainingSession.text), as an
    SQL expression, and the columns it reads."""
    if language == "en" or language not in LANGUAGES:
        return TrainingSession.title_en, [TrainingSession.title_en]
    own = getattr(TrainingSession, f"title_{language}")
    return (func.coalesce(func.nullif(own, ""), TrainingSession.title_en),
            [own, TrainingSession.title_en])


NO_APPOINTMENT, HEADQUARTERS = "-", "HQ"


def _label(by, key):
    if key is None or key == NO_APPOINTMENT:
        return _("No active appointment") if by in ("unct", "region") else "—"
    if key == HEADQUARTERS:
        return _("Headquarters")
    if by == "unct":
        return country_name(key)
    if by == "region":
        return str(Region(key).title)
    return key
