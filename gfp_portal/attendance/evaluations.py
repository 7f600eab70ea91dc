"""Evaluations: open from the end of a session to the people who attended, one each, answers
kept apart from who gave them; results only from five answers."""
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from gfp_portal.attendance import notices, signals
from gfp_portal.attendance.models import (
    ATTENDED,
    Attendance,
    EvaluationAnswer,
    EvaluationReminder,
    EvaluationResponse,
)
from gfp_portal.core import data_version
from gfp_portal.core.db import savepoint, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.registry.queries import signing_in
from gfp_portal.sessions.models import Registration, SessionStatus, TrainingSeries, TrainingSession
from gfp_portal.sessions.queries import session_year

DEFAULT_SETTINGS = {"evaluations.open_days": 14}

RATINGS = ("poor", "fair", "good", "fantastic")
RATING_TITLES = {"poor": _l("Poor"), "fair": _l("Fair"), "good": _l("Good"),
                 "fantastic": _l("Fantastic")}
MIN_ANSWERS = 5
QUESTIONS = {
    "applicable": _l("The resources are applicable to my duty station."),
    "belonging": _l("I feel a stronger sense of belonging to the network."),
    "empowered": _l("I feel empowered to implement the tools."),
}


def window(session):
    return session.ends_at, session.ends_at + timedelta(
        days=int(get_setting("evaluations.open_days")))


def attended(session, person):
    return db.session.scalars(select(Attendance.id).join(Attendance.registration).where(
        Registration.session_id == session.id, Registration.person_id == person.id,
        Attendance.status.in_(ATTENDED))).first() \
        is not None


def has_answered(session, person):
    return db.session.scalars(select(EvaluationResponse.id).where(
        EvaluationResponse.session_id == session.id,
        EvaluationResponse.person_id == person.id)).first() is not None


def is_open(session, now):
    """Whether the evaluation of `session` is open at `now`: from the end of a session held
    (not cancelled), for the days the settings give."""
    if session.is_cancelled or now < session.ends_at:
        return False  # not open (yet): how long it will stay open need not be read
    return now <= window(session)[1]


def can_answer(session, person, now=None):
    return is_open(session, now or utcnow()) and attended(session, person) and \
        not has_answered(session, person)


def check_window(session, now):
    """Refuse answers to the evaluation of `session` at `now`: a cancelled session, before
    its end or once the evaluation closed."""
    if session.is_cancelled:
        raise DomainError("cancelled", _l("This session was cancelled: it is not evaluated."))
    opens, closes = window(session)
    if now < opens:
        raise DomainError("not_open_yet", _l("The evaluation opens when the session ends."))
    if now > closes:
        raise DomainError("closed", _l("The evaluation of this session is closed."))


def not_attended():
    return DomainError("not_attended", _l("Only people who attended the session evaluate it."))


def already_answered():
    return DomainError("already_answered", _l("You have already evaluated this session; "
                                              "thank you."))


def check_answers(answers):
    if answers.get("rating") not in RATINGS:
        raise DomainError("rating_required", _l("Choose an overall rating."), field="rating")


def day_of(now):
    """The day of an answer, as who answered keeps it: an exact time would let answers be
    matched to people by time."""
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def record_answers(session, answers, *, erasure_key=None):
    """The answers (checked by check_answers), in a row that shares nothing with who gave
    them but the session (and `erasure_key`, for answers whose text is erased with their
    writer: EvaluationAnswer)."""
    comment = (answers.get("comment") or "").strip() or None
    db.session.add(EvaluationAnswer(
        session_id=session.id, applicable=bool(answers.get("applicable")),
        belonging=bool(answers.get("belonging")), empowered=bool(answers.get("empowered")),
        rating=answers["rating"], comment=comment,
        erasure_key=erasure_key if comment else None))
    db.session.flush()


def erase_comments(keys):
    """What was written in the answers of erasure keys `keys` goes (their writers are
    erased); their ratings stay, and keep counting."""
    if keys:
        db.session.execute(update(EvaluationAnswer).where(EvaluationAnswer.erasure_key.in_(
            keys)).values(comment=None, erasure_key=None)
            .execution_options(synchronize_session=False))


def submit(session, person, answers, *, now=None):
    """`answers`: applicable, belonging, empowered (booleans), rating (one of RATINGS),
    comment. Stored in two rows that share nothing but the session."""
    now = now or utcnow()
    check_window(session, now)
    if not attended(session, person):
        raise not_attended()
    if has_answered(session, person):
        raise already_answered()
    check_answers(answers)
    try:  # the same answers sent twice at once (a double click): one is kept
        with savepoint():
            db.session.add(EvaluationResponse(
                session_id=session.id, person_id=person.id, submitted_on=day_of(now)))
    except IntegrityError:
        raise already_answered() from None
    record_answers(session, answers)


@dataclass
class Results:
    answers: int
    shares: dict          # question -> share of "yes", 0..1
    ratings: dict         # rating -> share, 0..1
    comments: list

    @property
    def shown(self):
        return self.answers >= MIN_ANSWERS


@dataclass
class Response:
    """Who answered the evaluation of one session: `answers` in all, `from_guests` of them
    given by participants apart from the registrations (guests), out of the `may_answer`
    who attended (people registered and the `guests_attended`)."""
    answers: int
    from_guests: int
    may_answer: int
    guests_attended: int = 0

    @property
    def with_guests(self):
        """Whether guests had a part in the session (attended, or answered before their
        attendance was corrected): only then do the results speak of guests."""
        return bool(self.guests_attended or self.from_guests)

    @property
    def rate(self):
        """The share of those who attended who answered, 0..1; None when nobody attended.
        An answer stays when its writer's attendance is corrected afterwards: never above
        1."""
        return min(1, self.answers / self.may_answer) if self.may_answer else None


def response(session):
    """The Response of `session`'s evaluation (responses)."""
    return responses([session])[session.id]


def responses(sessions):
    """{session id: Response} of the evaluations of `sessions`: their answers, and those who
    attended counted by the attendance recorded (the registrations'), and by the domains that
    record their own participants' (attendance.signals.evaluation_respondents). The one count
    every page that says how many answered and attended reads (two queries, and the
    domains', whatever the sessions)."""
    ids = [session.id for session in sessions]  # none: the same queries, nothing found
    answers = dict(db.session.execute(
        select(EvaluationAnswer.session_id, func.count())
        .where(EvaluationAnswer.session_id.in_(ids))
        .group_by(EvaluationAnswer.session_id)).all())
    attended_count = dict(db.session.execute(
        select(Registration.session_id, func.count())
        .join(Attendance, Attendance.registration_id == Registration.id)
        .where(Registration.session_id.in_(ids), Attendance.status.in_(ATTENDED))
        .group_by(Registration.session_id)).all())
    came, from_guests = Counter(), Counter()
    for _receiver, result in signals.evaluation_respondents.send(None, sessions=sessions):
        for session_id, (attended_there, answered_there) in (result or {}).items():
            came[session_id] += attended_there
            from_guests[session_id] += answered_there
    return {session_id: Response(answers=answers.get(session_id, 0),
                                 from_guests=from_guests[session_id],
                                 may_answer=attended_count.get(session_id, 0) + came[session_id],
                                 guests_attended=came[session_id])
            for session_id in ids}


def results(session_ids):
    """Percentages over the answers of the given sessions (one, a series, a year)."""
    return summarize(db.session.scalars(select(EvaluationAnswer).where(
        EvaluationAnswer.session_id.in_(session_ids))).all())


def summarize(rows):
    return from_counts(len(rows), {q: sum(getattr(row, q) for row in rows) for q in QUESTIONS},
                       Counter(row.rating for row in rows),
                       sorted(row.comment for row in rows if row.comment))


def from_counts(total, yes, ratings, comments=()):
    """Results from counts: `yes` per question, `ratings` per rating; none below
    MIN_ANSWERS."""
    if total < MIN_ANSWERS:
        return Results(total, {}, {}, [])
    return Results(total, {q: yes[q] / total for q in QUESTIONS},
                   {r: ratings.get(r, 0) / total for r in RATINGS}, list(comments))


def _count_columns():
    """Answers, "yes" to each question and answers per rating, as SQL counts."""
    return [func.count(), *(func.count().filter(getattr(EvaluationAnswer, q)) for q in QUESTIONS),
            *(func.count().filter(EvaluationAnswer.rating == r) for r in RATINGS)]


def _count_per_session():
    """[(year, series id, counts)] of each session with at least MIN_ANSWERS answers, the
    counts as `_count_columns()` gives them (one query). A session with fewer is left out of
    every sum: its results would be the sum's less those of the sessions shown. The answers are
    counted per session, then the sessions read: grouping every answer by its session's year or
    series would read the session once an answer."""
    per_session = select(EvaluationAnswer.session_id, *_count_columns()) \
        .group_by(EvaluationAnswer.session_id).having(func.count() >= MIN_ANSWERS).subquery()
    return [(int(year), series_id, row)
            for year, series_id, *row in db.session.execute(
                select(session_year(), TrainingSession.series_id,
                       *list(per_session.c)[1:])
                .join(per_session, per_session.c.session_id == TrainingSession.id))]


def _results(counts):
    """Results of the summed `_count_columns()` of several groups (no comments)."""
    if not counts:
        return from_counts(0, {}, {})
    total, *sums = [sum(column) for column in zip(*counts, strict=True)]
    return from_counts(total, dict(zip(QUESTIONS, sums[:len(QUESTIONS)], strict=True)),
                       dict(zip(RATINGS, sums[len(QUESTIONS):], strict=True)))


def _sum_per(rows, group):
    """{group(row): Results} of the per-session counts summed by group."""
    grouped = {}
    for row in rows:
        grouped.setdefault(group(row), []).append(row[2])
    return {key: _results(counts) for key, counts in grouped.items()}


def results_per_year():
    """[(year, Results)] of the sessions that started in each year, in order (one query; no
    comments)."""
    return sorted(_sum_per(_count_per_session(), lambda row: row[0]).items())


def send_reminders(*, now=None):
    """Remind, once, everyone who attended a session held (not cancelled) whose evaluation
    is open and who has not answered, unless anonymised since. The evaluation is answered on
    its page, behind the sign-in: someone who cannot sign in (no account, or one invited and
    not yet activated, or deactivated) is not sent there, until a later run finds they can.
    Guests are asked through attendance.signals.evaluations_due. Returns how many were
    reminded."""
    now = now or utcnow()
    hold_lock("sessions.send-evaluation-reminders", now=now)
    days = int(get_setting("evaluations.open_days"))
    sessions = db.session.scalars(select(TrainingSession).where(
        TrainingSession.status == SessionStatus.published, TrainingSession.ends_at <= now,
        TrainingSession.ends_at >= now - timedelta(days=days))).all()
    sent = 0
    for session in sessions:
        closes = window(session)[1]
        reminded = set(db.session.scalars(select(EvaluationReminder.person_id).where(
            EvaluationReminder.session_id == session.id)))
        answered = set(db.session.scalars(select(EvaluationResponse.person_id).where(
            EvaluationResponse.session_id == session.id)))
        people = db.session.scalars(select(Registration).join(
            Attendance, Attendance.registration_id == Registration.id).join(
            Person, Person.id == Registration.person_id).where(
            Registration.session_id == session.id, Attendance.status.in_(ATTENDED),
            Person.anonymised_at.is_(None))).all()
        signers = signing_in({row.person_id for row in people})
        for row in people:
            if row.person_id in reminded or row.person_id in answered or \
                    row.person_id not in signers:
                continue
            notices.evaluation_reminder(row, closes=closes, now=now)
            db.session.add(EvaluationReminder(session_id=session.id, person_id=row.person_id,
                                              sent_at=now))
            sent += 1
    db.session.flush()
    return sent + sum(count or 0 for _receiver, count in signals.evaluations_due.send(
        None, sessions=sessions, now=now))


def _summed():
    """(Results per year, every year a session starts in, newest first; Results per series
    id): summed from the answers counted per session in the database (two queries)."""
    rows = _count_per_session()
    per_year = _sum_per(rows, lambda row: row[0])
    none = _results([])
    all_years = db.session.scalars(select(session_year()).distinct()).all()
    return ([(year, per_year.get(year, none)) for year in sorted({int(y) for y in all_years},
                                                                  reverse=True)],
            _sum_per(rows, lambda row: row[1]))


def overview():
    """Results per year and per series (no comments): summed once per data version
    (core.data_version), then the series read (one query)."""
    years, per_series = data_version.reuse("evaluation overview", lambda: (_summed(), None),
                                           now=utcnow())
    none = _results([])
    latest = func.max(TrainingSession.starts_at)
    all_series = db.session.scalars(
        select(TrainingSeries).join(TrainingSession).group_by(TrainingSeries.id)
        .order_by(latest.desc())).all()
    return {"years": years, "series": [(s, per_series.get(s.id, none)) for s in all_series]}


def answered_sessions():
    """The sessions with answers, the latest first: a statement to read a page of."""
    answered = select(EvaluationAnswer.id).where(
        EvaluationAnswer.session_id == TrainingSession.id).exists()
    return select(TrainingSession).where(answered).order_by(TrainingSession.starts_at.desc(),
                                                            TrainingSession.id.desc())


def results_of(sessions):
    """[(session, Results)] of these sessions, in their order (one query)."""
    counted = {session_id: row for session_id, *row in db.session.execute(
        select(EvaluationAnswer.session_id, *_count_columns())
        .where(EvaluationAnswer.session_id.in_([session.id for session in sessions]))
        .group_by(EvaluationAnswer.session_id))}
    return [(session, _results([counted[session.id]])) for session in sessions]
