"""Demo attendance for the past demo sessions: statuses and minutes, evaluations (enough for
results to show), and certificates, among them the demo focal point's, who also has a recent
session still open for evaluation."""
import random

from sqlalchemy import select

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.attendance import certificates, evaluations, services
from gfp_portal.attendance.models import Attendance
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession

COMMENTS = ("Very practical; I will share the checklist with my head of office.",
            "More time for questions from the field would help.",
            "The examples from other country teams were the most useful part.")


def seed_attendance(*, now, seed=2026):
    """Add the demo attendance once; returns the number of attendance records added."""
    if db.session.scalar(select(Attendance.id).limit(1)) is not None:
        return 0
    rng = random.Random(seed)  # noqa: S311 — synthetic data, not secrets
    office = find_user_by_email("coordinator@demo.gfp")
    lucia = find_user_by_email("fp@demo.gfp")
    added = 0
    past = db.session.scalars(select(TrainingSession).where(
        TrainingSession.ends_at < now).order_by(TrainingSession.starts_at)).all()
    for session in past:
        rows = db.session.scalars(select(Registration).where(
            Registration.session_id == session.id,
            Registration.status == RegistrationStatus.registered)).all()
        for row in rows:
            draw = rng.random()
            mine = lucia is not None and row.person_id == lucia.person_id
            status = "present" if mine or draw < 0.78 else "partial" if draw < 0.9 else \
                "absent"
            minutes = session.duration_minutes if status == "present" else \
                session.duration_minutes // 2 if status == "partial" else 0
            services.mark(row, status, minutes=minutes, actor=office, now=session.ends_at)
            added += 1
            opens, closes = evaluations.window(session)
            # The demo focal point leaves the sessions whose evaluation is still open for the
            # visitor to answer.
            if status != "absent" and rng.random() < 0.55 and not (mine and now <= closes):
                evaluations.submit(session, row.person, {
                    "applicable": rng.random() < 0.95,
                    "rating": rng.choice(("fantastic", "good", "good", "fair")),
                    "belonging": rng.random() < 0.9, "empowered": rng.random() < 0.85,
                    "comment": rng.choice(COMMENTS) if rng.random() < 0.2 else None},
                    now=min(closes, max(opens, now)))
            if status == "present" and (mine or rng.random() < 0.1):
                certificates.certificate_for(session, row.person, now=session.ends_at)
    return added
