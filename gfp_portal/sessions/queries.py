"""Reading sessions: the list with its filters, seat counts in the same query."""
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import defer, selectinload

from gfp_portal.core.db import local_year
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.core.search import matches
from gfp_portal.extensions import db
from gfp_portal.registry.models import AppointmentStatus
from gfp_portal.sessions.models import (
    Audience,
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSeries,
    TrainingSession,
)

# The outbox template of every email about one person's place in a session (invitations,
# updates, cancellations, reminders), as sessions.notices writes them.
SESSION_NOTICE = "session_notice"


@dataclass
class SessionFilter:
    when: str = "upcoming"       # upcoming | past | any (the latest first)
    topic: str | None = None
    language: str | None = None
    format: str | None = None
    month: str | None = None      # YYYY-MM, in `zone`
    zone: str = "UTC"             # the viewer's time zone, which the month is read in
    q: str | None = None          # words of the title, in any of its languages
    within_days: int | None = None  # upcoming ones held (not cancelled) starting within
    # (earliest, latest) end: the sessions held (published) whose evaluation closes soon
    ended_between: tuple | None = None


def _month_bounds(month, zone):
    """(first instant, first instant after) of the month "YYYY-MM" in `zone`, in UTC; None
    for a month that cannot be read, or whose bounds no date can hold (9999-12)."""
    try:
        start = datetime.strptime(month, "%Y-%m")
        end = start.replace(year=start.year + (start.month == 12), month=start.month % 12 + 1)
        return tuple(day.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
                     for day in (start, end))
    except (ValueError, OverflowError):  # 0001-01 east of UTC is before any date
        return None


def seats_taken(session_ids):
    """session id -> seats taken, for the sessions of one page (one query)."""
    if not session_ids:
        return {}
    return {session_id: taken for session_id, (taken, _waiting) in
            seat_counts(session_ids).items()}


def seat_counts(session_ids):
    """session id -> (seats taken, people on the waiting list), in one query."""
    is_registered = Registration.status == RegistrationStatus.registered
    is_waiting = Registration.status == RegistrationStatus.waitlisted
    return {session_id: (taken, waiting) for session_id, taken, waiting in db.session.execute(
        select(Registration.session_id, func.count().filter(is_registered),
               func.count().filter(is_waiting))
        .where(Registration.session_id.in_(session_ids),
               Registration.status.in_((RegistrationStatus.registered,
                                        RegistrationStatus.waitlisted)))
        .group_by(Registration.session_id))}


def _without_descriptions():
    """The four descriptions left unread. Built when called: loader options configure the
    mappers, which importing this module must not do before every model is known."""
    return [defer(getattr(TrainingSession, f"description_{code}"), raiseload=True)
            for code in LANGUAGES]


def sessions_query(f, *, now, include_drafts=False, load_series=True):
    """Sessions, soonest first for upcoming ones, latest first for the past. The lists show no
    description: the four are left unread (and reading one is an error, not a query a row)."""
    stmt = select(TrainingSession).options(*_without_descriptions())
    if load_series:
        stmt = stmt.options(selectinload(TrainingSession.series))
    if not include_drafts:
        stmt = stmt.where(TrainingSession.status != SessionStatus.draft)
    if f.when == "past":
        stmt = stmt.where(TrainingSession.ends_at < now).order_by(
            TrainingSession.starts_at.desc(), TrainingSession.id.desc())
    elif f.when == "any":
        stmt = stmt.order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
    else:
        stmt = stmt.where(TrainingSession.ends_at >= now).order_by(
            TrainingSession.starts_at, TrainingSession.id)
    if f.q and f.q.strip():
        stmt = stmt.where(matches(TrainingSession.search_key, f.q))
    if f.topic:
        stmt = stmt.where(TrainingSession.topic == f.topic)
    if f.format:
        stmt = stmt.where(TrainingSession.format == f.format)
    if f.language:
        # "en fr": the language as a whole word of the space-separated list.
        stmt = stmt.where((" " + TrainingSession.languages + " ").contains(
            f" {f.language} ", autoescape=True))
    if f.when == "upcoming" and f.within_days is not None:
        stmt = stmt.where(TrainingSession.starts_at <= now + timedelta(days=f.within_days),
                          TrainingSession.status != SessionStatus.cancelled)
    if f.ended_between is not None:
        stmt = stmt.where(TrainingSession.ends_at >= f.ended_between[0],
                          TrainingSession.ends_at <= f.ended_between[1],
                          TrainingSession.status == SessionStatus.published)
    bounds = _month_bounds(f.month, f.zone) if f.month else None
    if bounds:
        stmt = stmt.where(TrainingSession.starts_at >= bounds[0],
                          TrainingSession.starts_at < bounds[1])
    return stmt


def recommended(person, *, terms, now, exclude_topics, limit, first_topics=()):
    """Published sessions the person may register for with their `terms` (the appointments
    that count as theirs today: TrainingSession.admits_holder_of) whose registration has not
    closed, that the person has no place in, on topics other than `exclude_topics`: those on
    `first_topics` first (the induction sessions a new focal point misses), then the soonest
    first (one query)."""
    stmt = (select(TrainingSession)
            .where(TrainingSession.status == SessionStatus.published,
                   TrainingSession.starts_at > now,
                   TrainingSession.audience.in_(Audience.admitting(
                       {term.role for term in terms})),
                   or_(TrainingSession.registration_closes_at.is_(None),
                       TrainingSession.registration_closes_at > now),
                   ~TrainingSession.id.in_(select(Registration.session_id).where(
                       Registration.person_id == person.id,
                       Registration.status != RegistrationStatus.cancelled)))
            .order_by(TrainingSession.starts_at, TrainingSession.id).limit(limit))
    if first_topics:
        stmt = stmt.order_by(None).order_by(
            case((TrainingSession.topic.in_(sorted(first_topics)), 0), else_=1),
            TrainingSession.starts_at, TrainingSession.id)
    if exclude_topics:
        stmt = stmt.where(TrainingSession.topic.not_in(sorted(exclude_topics)))
    if all(term.status == AppointmentStatus.active for term in terms):
        return db.session.scalars(stmt).all()
    # A term ended ahead holds its role up to its last day only (the rare case): the sessions
    # after it are read, then left out.
    return [session for session in db.session.scalars(stmt.limit(None))
            if session.admits_holder_of(terms)][:limit]


def my_registrations(person, session_ids):
    """session id -> the person's registration, for the sessions shown."""
    if person is None or not session_ids:
        return {}
    return {r.session_id: r for r in db.session.scalars(select(Registration).where(
        Registration.person_id == person.id, Registration.session_id.in_(session_ids)))}


def roster(session):
    return db.session.scalars(
        select(Registration).where(Registration.session_id == session.id)
        .options(selectinload(Registration.person))
        .order_by(Registration.status, Registration.waitlisted_at, Registration.registered_at,
                  Registration.id)).all()


def series_choices():
    """(id, English title) of every series, the newest first."""
    return [(s.id, s.title_en) for s in db.session.scalars(
        select(TrainingSeries).order_by(TrainingSeries.created_at.desc()))]


def session_year():
    """The year a session starts in where it is held (the year of its first day, in its own
    time zone, as its certificate dates it), as SQL for grouping on SQLite and PostgreSQL."""
    return local_year(TrainingSession.starts_at, TrainingSession.time_zone)


def sessions_per_year():
    """[(year, topic, published sessions)] (one query; cancelled sessions and drafts left
    out)."""
    year = session_year()
    return [(int(y), topic, count) for y, topic, count in db.session.execute(
        select(year, TrainingSession.topic, func.count())
        .where(TrainingSession.status == SessionStatus.published)
        .group_by(year, TrainingSession.topic))]
