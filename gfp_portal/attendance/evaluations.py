"""Evaluations: open from the end of a session to the people who attended, one each, answers
kept apart from who gave them; results only from five answers."""
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from gfp_portal.attendance import notices
from gfp_portal.attendance.models import (
    Attendance,
    AttendanceStatus,
    EvaluationAnswer,
    EvaluationReminder,
    EvaluationResponse,
)
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Registration, TrainingSeries, TrainingSession
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
        Attendance.status.in_([AttendanceStatus.present, AttendanceStatus.partial]))).first() \
        is not None


def has_answered(session, person):
    return db.session.scalars(select(EvaluationResponse.id).where(
        EvaluationResponse.session_id == session.id,
        EvaluationResponse.person_id == person.id)).first() is not None


def can_answer(session, person, now=None):
    now = now or utcnow()
    if now < session.ends_at:  # not open yet: how long it will stay open need not be read
        return False
    opens, closes = window(session)
    return opens <= now <= closes and attended(session, person) and \
        not has_answered(session, person)


def submit(session, person, answers, *, now=None):
    """`answers`: applicable, belonging, empowered (booleans), rating (one of RATINGS),
    comment. Stored in two rows that share nothing but the session."""
    now = now or utcnow()
    opens, closes = window(session)
    if now < opens:
        raise DomainError("not_open_yet", _l("The evaluation opens when the session ends."))
    if now > closes:
        raise DomainError("closed", _l("The evaluation of this session is closed."))
    if not attended(session, person):
        raise DomainError("not_attended", _l("Only people who attended the session evaluate "
                                             "it."))
    if has_answered(session, person):
        raise DomainError("already_answered", _l("You have already evaluated this session; "
                                                 "thank you."))
    if answers.get("rating") not in RATINGS:
        raise DomainError("rating_required", _l("Choose an overall rating."), field="rating")
    db.session.add(EvaluationResponse(session_id=session.id, person_id=person.id,
                                      submitted_on=now.replace(hour=0, minute=0, second=0,
                                                               microsecond=0)))
    db.session.add(EvaluationAnswer(
        session_id=session.id, applicable=bool(answers.get("applicable")),
        belonging=bool(answers.get("belonging")), empowered=bool(answers.get("empowered")),
        rating=answers["rating"], comment=(answers.get("comment") or "").strip() or None))
    db.session.flush()


@dataclass
class Results:
    answers: int
    shares: dict          # question -> share of "yes", 0..1
    ratings: dict         # rating -> share, 0..1
    comments: list

    @property
    def shown(self):
        return self.answers >= MIN_ANSWERS


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


def _count_answers(key, *, joined=False):
    """{key: (answers, yes per question, answers per rating)} counted in the database, grouped
    by `key` (an SQL expression; `joined`: it reads the session, which is then joined)."""
    counts = [func.count().filter(getattr(EvaluationAnswer, q)) for q in QUESTIONS]
    by_rating = [func.count().filter(EvaluationAnswer.rating == r) for r in RATINGS]
    stmt = select(key, func.count(), *counts, *by_rating).select_from(EvaluationAnswer)
    if joined:
        stmt = stmt.join(TrainingSession, TrainingSession.id == EvaluationAnswer.session_id)
    return {row[0]: (row[1], dict(zip(QUESTIONS, row[2:2 + len(QUESTIONS)], strict=True)),
                     Counter(dict(zip(RATINGS, row[2 + len(QUESTIONS):], strict=True))))
            for row in db.session.execute(stmt.group_by(key).order_by(key))}


def _results(counts):
    """Results of the summed counts of several groups (no comments)."""
    total, yes, ratings = 0, Counter(), Counter()
    for answers, group_yes, group_ratings in counts:
        total += answers
        yes.update(group_yes)
        ratings.update(group_ratings)
    return from_counts(total, yes, ratings)


def results_per_year():
    """[(year, Results)] of the sessions that started in each year, counted in the database
    (one query; no comments)."""
    return [(int(year), _results([counts]))
            for year, counts in _count_answers(session_year(), joined=True).items()]


def send_reminders(*, now=None):
    """Remind, once, everyone who attended a session whose evaluation is open and who has
    not answered. Returns how many were reminded."""
    now = now or utcnow()
    hold_lock("sessions.send-evaluation-reminders", now=now)
    days = int(get_setting("evaluations.open_days"))
    sessions = db.session.scalars(select(TrainingSession).where(
        TrainingSession.ends_at <= now,
        TrainingSession.ends_at >= now - timedelta(days=days))).all()
    sent = 0
    for session in sessions:
        reminded = set(db.session.scalars(select(EvaluationReminder.person_id).where(
            EvaluationReminder.session_id == session.id)))
        answered = set(db.session.scalars(select(EvaluationResponse.person_id).where(
            EvaluationResponse.session_id == session.id)))
        people = db.session.scalars(select(Registration).join(
            Attendance, Attendance.registration_id == Registration.id).where(
            Registration.session_id == session.id,
            Attendance.status.in_([AttendanceStatus.present, AttendanceStatus.partial]))).all()
        for row in people:
            if row.person_id in reminded or row.person_id in answered:
                continue
            notices.evaluation_reminder(row, now=now)
            db.session.add(EvaluationReminder(session_id=session.id, person_id=row.person_id,
                                              sent_at=now))
            sent += 1
    db.session.flush()
    return sent


def overview():
    """Results per year, per series and per session (no comments), counted per session in the
    database: five queries, whatever the number of answers."""
    per_session = _count_answers(EvaluationAnswer.session_id)
    answered = db.session.scalars(
        select(TrainingSession).where(TrainingSession.id.in_(per_session))
        .options(joinedload(TrainingSession.series))
        .order_by(TrainingSession.starts_at.desc())).all()
    series = {}
    for session in answered:
        series.setdefault(session.series_id, []).append(per_session[session.id])
    per_year = _count_answers(session_year(), joined=True)
    all_years = db.session.scalars(select(session_year()).distinct()).all()
    latest = func.max(TrainingSession.starts_at)
    all_series = db.session.scalars(
        select(TrainingSeries).join(TrainingSession).group_by(TrainingSeries.id)
        .order_by(latest.desc())).all()
    return {"years": [(int(year), _results([per_year[year]] if year in per_year else []))
                      for year in sorted(set(all_years), reverse=True)],
            "series": [(s, _results(series.get(s.id, []))) for s in all_series],
            "sessions": [(s, _results([per_session[s.id]])) for s in answered]}
