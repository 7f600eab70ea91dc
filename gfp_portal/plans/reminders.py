"""Deadline reminders: the responsible focal points of a plan not yet submitted or updated are
reminded N days before its period's deadline, once per plan and threshold (the emails
themselves: notices.py)."""
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.plans import notices
from gfp_portal.plans.models import DONE, ImplementationPlan, PlanPeriod, PlanReminder

DEFAULT_SETTINGS = {"plans.reminder_days": [30, 7]}


def send_deadline_reminders(*, today, now=None):
    """Queue the reminders due on `today`: for each plan not submitted or updated whose
    deadline is at most the largest threshold away and not passed, the most urgent threshold
    passed and not yet sent (the larger ones it covers are recorded too, never sent after it).
    Returns the number of plans reminded."""
    now = now or utcnow()
    hold_lock("plans.remind", now=now)
    thresholds = sorted({int(t) for t in get_setting("plans.reminder_days") if int(t) > 0})
    if not thresholds:
        return 0
    window = (ImplementationPlan.status.not_in(DONE), PlanPeriod.deadline >= today,
              PlanPeriod.deadline <= today + timedelta(days=max(thresholds)))
    plans = db.session.scalars(
        select(ImplementationPlan).join(ImplementationPlan.period).where(*window)
        .options(selectinload(ImplementationPlan.responsible),
                 selectinload(ImplementationPlan.entity),
                 selectinload(ImplementationPlan.period))
        .order_by(ImplementationPlan.id)).all()
    sent = {}
    for plan_id, threshold in db.session.execute(
            select(PlanReminder.plan_id, PlanReminder.threshold)
            .where(PlanReminder.plan_id.in_([p.id for p in plans]))):
        sent.setdefault(plan_id, set()).add(threshold)
    reminded = 0
    for plan in plans:
        days_left = (plan.period.deadline - today).days
        passed = [t for t in thresholds if days_left <= t]
        done = sent.get(plan.id, set())
        if not passed or min(passed) in done or not notices.recipients(plan, today=today):
            continue
        recipients = notices.deadline_reminder(plan, days_left, now=now)
        for threshold in passed:
            if threshold not in done:
                db.session.add(PlanReminder(plan_id=plan.id, threshold=threshold, sent_at=now,
                                            recipients=recipients))
        reminded += 1
    db.session.flush()
    return reminded
