"""Read-only queries behind the admin pages and the coordinator dashboard."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from gfp_portal.accounts.models import User, UserRole
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import values_of
from gfp_portal.core.jobs import (
    PAGES,
    PERIODIC_PAGES,
    SWEEP,
    Job,
    JobPage,
    JobRun,
    JobState,
    last_runs,
    runs_again_by_itself,
)
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.core.search import matches
from gfp_portal.core.text import email_address
from gfp_portal.core.timezones import day_start
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry.models import Person


def network_counts():
    """The statements of the network's six counters: people, entities, teams, active
    accounts, and emails queued and failed."""
    mails = select(func.count()).select_from(OutboxMessage)
    return {"people": select(func.count(Person.id)),
            "entities": select(func.count(Entity.id)),
            "uncts": select(func.count(Unct.id)),
            "accounts": select(func.count(User.id)).where(User.is_active),
            "mail_queued": mails.where(OutboxMessage.status == MailStatus.queued),
            "mail_failed": mails.where(OutboxMessage.status == MailStatus.failed)}


def dashboard_counts():
    """The network's six counters (network_counts), in one query."""
    return values_of(**network_counts())


def _user_matches(text):
    """The condition "the user's email or name contains `text`", on a statement that has
    joined the user's person."""
    needle = email_address(text).lower()
    return or_(func.lower(User.email).contains(needle, autoescape=True),
               matches(Person.search_key, needle))


def users_query(q=None, role=None, status=None):
    stmt = (select(User).outerjoin(User.person)
            .options(selectinload(User.uncts), selectinload(User.person))
            .order_by(func.lower(User.email)))
    if q:
        stmt = stmt.where(_user_matches(q))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if status == "active":
        stmt = stmt.where(User.is_active)
    elif status == "invited":
        stmt = stmt.where(~User.is_active, User.deactivated_at.is_(None))
    elif status == "deactivated":
        stmt = stmt.where(~User.is_active, User.deactivated_at.is_not(None))
    return stmt


def outbox_query(status=None, template=None):
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return stmt


def failed_mail_counts(template):
    """The statement of (failed emails, failed emails written from `template`)."""
    return (select(func.count(), func.count().filter(OutboxMessage.template == template))
            .where(OutboxMessage.status == MailStatus.failed))


def unfinished_jobs(kinds):
    """The background jobs of these kinds waiting to start or in progress, oldest first."""
    return db.session.scalars(select(Job).where(
        Job.kind.in_(kinds), Job.state.in_((JobState.queued, JobState.running)))
        .order_by(Job.created_at, Job.id)).all()


def audit_query(object_type=None, action=None, *, who=None, since=None, until=None,
                zone=None):
    """The audit events, newest first: of one kind of object, of actions starting with
    `action`, by users whose email or name contains `who`, from the day `since` to the day
    `until` (both included) as they run in the time zone `zone`."""
    stmt = select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEvent.action.startswith(action, autoescape=True))
    if who:
        stmt = stmt.where(AuditEvent.actor_id.in_(
            select(User.id).outerjoin(User.person).where(_user_matches(who))))
    if since:
        stmt = stmt.where(AuditEvent.created_at >= day_start(since, zone))
    if until:
        stmt = stmt.where(AuditEvent.created_at < day_start(until + timedelta(days=1), zone))
    return stmt


@dataclass(frozen=True)
class ScheduledWork:
    name: str
    page: JobPage | None
    cron: str
    last: JobRun | None
    next_run: datetime | None
    # When the sweep runs the last run again by itself (core.jobs.runs_again_by_itself).
    retry_at: datetime | None = None


def scheduled_work(schedules, *, now, attempts):
    """Each periodic job, by its schedule (core.engine.Schedule), with its latest run, the
    next minute it fires, and, for a last run that the sweep runs again (at most `attempts`
    in all), the sweep's next minute."""
    last = last_runs()
    sweep = schedules.get(SWEEP)
    sweeps_at = sweep.next_run(now) if sweep else None
    return [ScheduledWork(name, PERIODIC_PAGES.get(name), schedule.cron, last.get(name),
                          schedule.next_run(now),
                          sweeps_at if runs_again_by_itself(last.get(name), attempts) else None)
            for name, schedule in sorted(schedules.items())]


def describe_schedule(cron):
    """A crontab line in words where it is a plain daily, hourly or every-N-minutes one; else
    None (the page shows the line itself)."""
    minute, hour, day, month, weekday = cron.split()
    if day == month == weekday == hour == "*" and minute.startswith("*/") and \
            minute[2:].isdigit():
        return ngettext("Every %(num)s minute", "Every %(num)s minutes", int(minute[2:]))
    if day == month == weekday == "*" and minute.isdigit():
        if hour.isdigit():
            time = f"{int(hour):02d}:{int(minute):02d}"
            return _("Every day at %(time)s (UTC)", time=time)
        if hour == "*":
            return ngettext("Every hour at %(num)s minute past",
                            "Every hour at %(num)s minutes past", int(minute))
    return None


@dataclass(frozen=True)
class RecentJob:
    job: Job
    page: JobPage | None
    started_by: User | None
    progress: tuple  # (done, total)


def recent_jobs(progress, limit=30):
    """The latest background jobs, newest first, with who started each and how far each got
    (`progress(job)` -> (done, total), live while it runs)."""
    rows = db.session.scalars(select(Job).order_by(Job.created_at.desc()).limit(limit)).all()
    ids = {row.created_by_id for row in rows if row.created_by_id}
    starters = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(ids)).options(selectinload(User.person)))} if ids else {}
    return [RecentJob(row, PAGES.get(row.kind), starters.get(row.created_by_id), progress(row))
            for row in rows]


def settings_events(limit=20):
    """The latest changes to the settings, newest first."""
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.object_type == "settings")
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)).all()


def job_by_id(job_id):
    return db.session.get(Job, job_id)
