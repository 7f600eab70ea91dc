"""What the induction pages and the reminders read: each path's checklist and progress, read
for any number of paths in a fixed number of queries; the Office's list and its counts; the
next induction sessions at a fair hour for a person."""
from dataclasses import dataclass, field

from sqlalchemy import distinct, exists, false, func, or_, select
from sqlalchemy.orm import selectinload

from gfp_portal.attendance.models import Attendance, AttendanceStatus
from gfp_portal.core.db import utcnow
from gfp_portal.core.i18n import choose_version
from gfp_portal.core.search import matches
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.induction.models import InductionInvitation, InductionOpening, InductionPath
from gfp_portal.reference.models import Entity
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.registry.queries import in_office_after
from gfp_portal.resources.models import Resource
from gfp_portal.sessions.hours import within_day
from gfp_portal.sessions.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)
from gfp_portal.sessions.registration import window
from gfp_portal.sessions.topics import induction_topics

STATES = ("not_started", "in_progress", "completed")
OPEN = "open"  # the filter of the paths not completed (not started or in progress)


@dataclass
class Step:
    kind: str                 # "terms", "session" or "guideline"
    done: bool
    topic: object = None      # Topic, for a session step
    resource: object = None   # Resource, for the terms and a guideline
    opened: bool = False      # the document was opened

    def version(self, language):
        """The resource's version a reader of `language` opens (theirs, else English)."""
        return choose_version(self.resource, language)[0] if self.resource else None


@dataclass
class Progress:
    path: InductionPath
    steps: list = field(default_factory=list)

    @property
    def done(self):
        return sum(1 for step in self.steps if step.done)

    @property
    def total(self):
        return len(self.steps)

    @property
    def complete(self):
        return self.path.completed_at is not None or self.done == self.total

    @property
    def percent(self):
        return 100 if self.complete else round(100 * self.done / self.total)

    @property
    def state(self):
        if self.complete:
            return "completed"
        if self.done or any(step.opened for step in self.steps):
            return "in_progress"
        return "not_started"

    @property
    def terms_step(self):
        return next((step for step in self.steps if step.kind == "terms"), None)

    @property
    def missing_topics(self):
        return [step.topic for step in self.steps if step.kind == "session" and not step.done]


@dataclass
class Checklist:
    """What every path's checklist is made of today (three queries)."""
    topics: list
    terms: object             # Resource or None
    guidelines: list          # [Resource]


def checklist():
    slugs = list(get_setting("induction.key_guidelines") or [])
    terms_slug = get_setting("induction.terms_of_reference") or None
    wanted = [*slugs, terms_slug] if terms_slug else slugs
    resources = {r.slug: r for r in db.session.scalars(
        select(Resource).where(Resource.slug.in_(wanted), Resource.is_published)
        .options(selectinload(Resource.versions)))} if wanted else {}
    return Checklist(topics=induction_topics(), terms=resources.get(terms_slug),
                     guidelines=[resources[s] for s in slugs if s in resources])


def progress_of(paths, items=None):
    """{path id: Progress} for `paths`, in a fixed number of queries."""
    items = items or checklist()
    ids = [p.id for p in paths]
    people = [p.person_id for p in paths]
    keys = [t.key for t in items.topics]
    attended = set()
    if people and keys:
        attended = set(db.session.execute(
            select(Registration.person_id, TrainingSession.topic)
            .join(TrainingSession, TrainingSession.id == Registration.session_id)
            .join(Attendance, Attendance.registration_id == Registration.id)
            .where(Registration.person_id.in_(people), TrainingSession.topic.in_(keys),
                   Attendance.status == AttendanceStatus.present)).all())
    opened = set()
    if ids:
        opened = set(db.session.execute(
            select(InductionOpening.path_id, InductionOpening.resource_id)
            .where(InductionOpening.path_id.in_(ids))).all())
    result = {}
    for path in paths:
        steps = []
        if items.terms is not None:
            steps.append(Step("terms", path.terms_read_at is not None, resource=items.terms,
                              opened=(path.id, items.terms.id) in opened))
        for topic in items.topics:
            steps.append(Step("session", (path.person_id, topic.key) in attended, topic=topic))
        for resource in items.guidelines:
            seen = (path.id, resource.id) in opened
            steps.append(Step("guideline", seen, resource=resource, opened=seen))
        result[path.id] = Progress(path, steps)
    return result


def path_of_person(person):
    if person is None:
        return None
    return db.session.scalar(select(InductionPath).where(InductionPath.person_id == person.id))


def progress_of_person(person):
    """The person's Progress, or None when they are not on the path."""
    path = path_of_person(person)
    return progress_of([path])[path.id] if path is not None else None


@dataclass
class Overview:
    """One page of paths, with what the pagination links read."""
    rows: list                # [Progress] of the page
    counts: dict              # state -> number of paths matching the name and entity
    total: int                # paths matching every filter
    page: int
    pages: int

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages

    @property
    def prev_num(self):
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self):
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=1, right_edge=1, left_current=2, right_current=2):
        last = 0
        for num in range(1, self.pages + 1):
            if (num <= left_edge or num > self.pages - right_edge
                    or self.page - left_current <= num <= self.page + right_current):
                if last + 1 != num:
                    yield None
                yield num
                last = num


def overview(*, state=None, q=None, entity=None, page=1, per_page=25, today=None):
    """The paths, the newest first, filtered by state, name and entity, with the counts per
    state: paths are few (new appointees), so all are read with their progress, in a fixed
    number of queries, and paginated here. A path not completed is of someone who still
    holds an appointment on `today` (as open_paths)."""
    stmt = (select(InductionPath).join(Person, Person.id == InductionPath.person_id)
            .where(InductionPath.completed_at.is_not(None) | _still_appointed(today))
            .options(selectinload(InductionPath.person).selectinload(Person.entity))
            .order_by(InductionPath.started_at.desc(), InductionPath.id.desc()))
    if q:  # as the registry finds a name: accents and case ignored
        stmt = stmt.where(matches(Person.search_key, q))
    if entity:
        stmt = stmt.where(Person.entity_id.in_(select(Entity.id).where(Entity.acronym == entity)))
    paths = db.session.scalars(stmt).all()
    progress = progress_of(paths)
    counts = dict.fromkeys(STATES, 0)
    for p in progress.values():
        counts[p.state] += 1
    rows = [progress[p.id] for p in paths if not state or progress[p.id].state == state
            or (state == OPEN and progress[p.id].state != "completed")]
    pages = max(1, -(-len(rows) // per_page))
    page = min(max(page, 1), pages)
    return Overview(rows=rows[(page - 1) * per_page:page * per_page], counts=counts,
                    total=len(rows), page=page, pages=pages)


def person_zone(person):
    """The person's time zone: their duty station's, else their own."""
    return (person.duty_station.time_zone if person.duty_station else None) or \
        person.time_zone or "UTC"


def next_induction_sessions(progress, *, now, upcoming, terms):
    """For each induction topic the person has not attended nor holds a place on: the
    soonest of `upcoming` sessions on it open to registration at `now`, that their `terms`
    (registry.queries.current_terms) admit them to (TrainingSession.admits_holder_of: a term
    ended ahead, up to its last day) and within their working day."""
    zone = person_zone(progress.path.person)
    chosen = []
    for topic in progress.missing_topics:
        sessions = upcoming.get(topic.key, [])
        if any(progress.path.person_id in session.registered_people for session in sessions):
            continue  # booked already
        for session in sessions:
            if window(session, now) != "open" or not session.admits_holder_of(terms):
                continue  # they could not register
            if within_day(session.starts_at, session.ends_at, zone):
                chosen.append(session)
                break
    return chosen


def upcoming_induction_sessions(keys, *, now):
    """topic key -> the published sessions on it still to start, the soonest first; each
    with `registered_people`, the ids of the people holding a place (two queries)."""
    if not keys:
        return {}
    sessions = db.session.scalars(
        select(TrainingSession).where(
            TrainingSession.topic.in_(keys), TrainingSession.status == SessionStatus.published,
            TrainingSession.starts_at > now)
        .order_by(TrainingSession.starts_at, TrainingSession.id)).all()
    holders = {}
    if sessions:
        for session_id, person_id in db.session.execute(
                select(Registration.session_id, Registration.person_id).where(
                    Registration.session_id.in_([s.id for s in sessions]),
                    Registration.status != RegistrationStatus.cancelled)):
            holders.setdefault(session_id, set()).add(person_id)
    result = {}
    for session in sessions:
        session.registered_people = holders.get(session.id, set())
        result.setdefault(session.topic, []).append(session)
    return result


def invited_sessions(path_ids):
    """path id -> ids of the sessions its person was invited to (one query)."""
    result = {}
    if path_ids:
        for path_id, session_id in db.session.execute(
                select(InductionInvitation.path_id, InductionInvitation.session_id)
                .where(InductionInvitation.path_id.in_(path_ids))):
            result.setdefault(path_id, set()).add(session_id)
    return result


def _still_appointed(today):
    """The condition "the path's person holds an appointment after `today`" (the server's by
    default): an active one, or one whose end was entered ahead and whose last day is still
    to come (registry.queries.in_office_after). Someone whose term was withdrawn or has
    ended, today included, is not mailed about an induction, nor waits for the Office."""
    return exists().where(Appointment.person_id == InductionPath.person_id,
                          in_office_after(today or utcnow().date()))


def open_paths(*, today=None):
    """The paths not yet completed of the people who still hold an appointment on `today`,
    with their people and duty stations."""
    return db.session.scalars(
        select(InductionPath).where(InductionPath.completed_at.is_(None),
                                    _still_appointed(today))
        .options(selectinload(InductionPath.person).selectinload(Person.duty_station))
        .order_by(InductionPath.id)).all()


def open_paths_count(*, today=None):
    """The statement counting the people still appointed on `today` on the induction path who
    have not completed it, as the Office's list counts them, from what each has done (the
    checklist is read to build it)."""
    items = checklist()
    keys = [t.key for t in items.topics]
    guideline_ids = {r.id for r in items.guidelines}
    path = InductionPath
    missing = []
    if items.terms is not None:
        missing.append(path.terms_read_at.is_(None))
    if keys:
        attended = (select(func.count(distinct(TrainingSession.topic)))
                    .join(Registration, Registration.session_id == TrainingSession.id)
                    .join(Attendance, Attendance.registration_id == Registration.id)
                    .where(Registration.person_id == path.person_id,
                           TrainingSession.topic.in_(keys),
                           Attendance.status == AttendanceStatus.present).scalar_subquery())
        missing.append(attended < len(set(keys)))
    if guideline_ids:
        opened = (select(func.count(distinct(InductionOpening.resource_id)))
                  .where(InductionOpening.path_id == path.id,
                         InductionOpening.resource_id.in_(guideline_ids)).scalar_subquery())
        missing.append(opened < len(guideline_ids))
    # An empty checklist: every path is complete.
    return (select(func.count()).select_from(path)
            .where(path.completed_at.is_(None), _still_appointed(today),
                   or_(*missing) if missing else false()))
