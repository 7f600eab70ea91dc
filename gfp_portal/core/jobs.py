"""Jobs: work done off the request path, and periodic work done once per period.

A domain declares its jobs here by name (`@job("registry.import")`, `@periodic("coverage.remind")`);
the engine (core/engine.py) runs them on the workers. Every job has a row in `jobs` that pages
read for its state, progress, result or failure; the row is written in the caller's transaction
and the job is handed to the workers only when that transaction commits. A job's work and its
"done" state commit together, so a failed job leaves nothing half-written.

Periodic work claims a (name, period) row in `job_runs` in a transaction of its own before it
runs: a second scheduler or worker firing the same period meets the unique constraint and skips.
"""
import logging
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app, has_request_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import UTCDateTime, db, enum_column, on_postgresql, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import current_language

log = logging.getLogger(__name__)

JOBS = {}  # kind -> function(run, **params) -> result (JSON)
PAGES = {}  # kind -> JobPage: how the job's progress page presents it
PERIODIC = {}  # name -> function(run) -> summary (JSON)
PERIODIC_PAGES = {}  # name -> JobPage: how the scheduled-work page presents its runs


class JobState(TitledEnum):
    queued = _l("Waiting to start")
    running = _l("In progress")
    done = _l("Completed")
    failed = _l("Stopped with an error")


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True,
                                    default=lambda: uuid.uuid4().hex)
    kind: Mapped[str] = mapped_column(String(80), index=True)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[JobState] = enum_column(JobState, default=JobState.queued)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    result: Mapped[dict | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The language of the request that asked for the job: a rule that stops it is written in
    # it (none when a command or another job asked: the default language).
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_finished(self):
        return self.state in (JobState.done, JobState.failed)


class JobRun(db.Model):
    """One run of a periodic job for one period (e.g. "2027-03-01T06:00")."""
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("name", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(32))
    state: Mapped[JobState] = enum_column(JobState, default=JobState.queued)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[dict | None] = mapped_column(JSON)
    error_code: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    # How many times it started: the first run, then each time it was taken back.
    attempts: Mapped[int] = mapped_column(default=1, server_default="1")


class JobLock(db.Model):
    """A named lock, held from hold_lock() until the transaction ends."""
    __tablename__ = "job_locks"

    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def hold_lock(name, *, now=None):
    """Wait for, then hold until commit or rollback, the lock called `name`: call it before
    reading anything the work depends on. On PostgreSQL it is a row lock; on SQLite the database
    write lock. Two runs of the same command thus run one after the other, and the second one
    sees what the first one recorded."""
    insert = postgresql.insert if on_postgresql() else sqlite.insert
    taken_at = now or utcnow()
    db.session.execute(insert(JobLock).values(name=name, taken_at=taken_at)
                       .on_conflict_do_update(index_elements=[JobLock.name],
                                              set_={"taken_at": taken_at}))


@dataclass(frozen=True)
class JobPage:
    """How the progress page presents a kind of job, in the viewer's language: its title,
    outcome(result) -> the sentences that say what it did, back(params) -> (url, label) of
    the page it was started from (or (url, label, the label's language) when the label may
    be in another language than the page's: a session's title in English for want of a
    translation), and `details`: a template that shows the result of a finished job in full
    (it gets `job` and `result`)."""
    title: object
    outcome: object = None
    back: object = None
    details: str | None = None


def job(kind, page=None):
    """Declare the function that does the jobs of `kind`: fn(run, **params) -> result;
    `page` (a JobPage) presents them on the progress page."""
    return _declare(JOBS, PAGES, kind, page)


def periodic(name, page=None):
    """Declare a periodic job (its schedule is JOBS_SCHEDULE[name]): fn(run) -> summary;
    `page` (a JobPage) presents its runs on the scheduled-work page."""
    return _declare(PERIODIC, PERIODIC_PAGES, name, page)


def _declare(functions, pages, name, page):
    def register(fn):
        functions[name] = fn
        if page is not None:
            pages[name] = page
        return fn
    return register


# A running job's live progress goes out at most this often (in items and in seconds): a
# progress bar moves well enough, and a long job does not write to the queue every few rows.
PUBLISH_EVERY = 25
PUBLISH_SECONDS = 0.5


@dataclass
class Run:
    """What a job function gets: the time, who asked, progress reports, after-commit work."""
    now: datetime
    job_id: str | None = None
    actor_id: int | None = None
    report: object = None  # callable(job_id, done, total) that publishes live progress
    on_commit: list = field(default_factory=list)
    last: tuple | None = None  # the last (done, total) reported, kept on the row at the end
    clock: object = time.monotonic
    published_at: float | None = None

    def progress(self, done, total=None):
        """Hear how far the job got; call it for every item. A live report goes out first,
        then every PUBLISH_EVERY items once PUBLISH_SECONDS have passed since the last, and
        at the end, so a long job does not write once per item."""
        self.last = (done, total)
        if self.report is None or self.job_id is None:
            return
        if done != total and self.published_at is not None and (
                done % PUBLISH_EVERY or self.clock() - self.published_at < PUBLISH_SECONDS):
            return
        self.published_at = self.clock()
        self.report(self.job_id, done, total)

    def after_commit(self, callback):
        """Do `callback()` once the job's transaction has committed (e.g. remove files)."""
        self.on_commit.append(callback)


# Where a transaction keeps, in its session's info, the jobs (ids) and the periodic runs (name,
# period) that the engine hands to the queue once it commits (core/engine.py).
TO_DISPATCH, TO_FIRE = "jobs.dispatch", "jobs.fire"


def enqueue(kind, params=None, *, actor=None, now=None):
    """Record a job of `kind` in the caller's transaction; the workers get it at commit (not at
    all if the transaction rolls back). Returns the Job, whose id the progress page uses."""
    if kind not in JOBS:
        raise ValueError(f"unknown job kind {kind!r}")
    row = Job(kind=kind, params=dict(params or {}), state=JobState.queued,
              created_by_id=actor.id if actor is not None else None, created_at=now or utcnow(),
              locale=current_language() if has_request_context() else None)
    db.session.add(row)
    db.session.flush()
    db.session.info.setdefault(TO_DISPATCH, []).append(row.id)
    return row


def _finish(run):
    db.session.commit()
    for callback in run.on_commit:
        callback()


def _failure(error):
    if isinstance(error, DomainError):
        return error.code, str(error.message)
    return "internal", f"{type(error).__name__}: {error}"[:2000]


def execute_job(job_id, *, report=None, now=None):
    """Claim the queued job `job_id`, run it, and record its end; in an app context."""
    started = now or utcnow()
    claimed = db.session.execute(update(Job).where(Job.id == job_id, Job.state == JobState.queued)
                                 .values(state=JobState.running, started_at=started)).rowcount
    db.session.commit()
    if not claimed:
        log.info("job %s is not waiting (already run, or never committed): skipped", job_id)
        return None
    row = db.session.get(Job, job_id)
    run = Run(now=started, job_id=job_id, actor_id=row.created_by_id, report=report)
    try:
        result = JOBS[row.kind](run, **row.params)
        row.state, row.result, row.finished_at = JobState.done, result, utcnow()
        if run.last is not None:
            row.done, row.total = run.last
        _finish(run)
    except Exception as error:
        db.session.rollback()
        with force_locale(row.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            code, message = _failure(error)
        log.exception("job %s (%s) failed", job_id, row.kind)
        db.session.execute(update(Job).where(Job.id == job_id).values(
            state=JobState.failed, error_code=code, error=message, finished_at=utcnow()))
        db.session.commit()
    return db.session.get(Job, job_id)


STALE_REASON = _l("The worker doing this job stopped (it was restarted or failed) before the "
                  "job ended.")
UNEXPECTED = _l("An unexpected error stopped the work.")


def shown_error(row):
    """What a page says stopped a failed job or periodic run (a Job or a JobRun), in the
    reader's language: the engine's own reasons by their code; a rule's message as it was
    given; never the technical text of an unexpected error."""
    return {"internal": UNEXPECTED, "stale": STALE_REASON}.get(row.error_code, row.error)


def sweep_stale(last_heartbeat, *, now, stale_after, model=Job):
    """Mark as failed the running jobs (or, with `model=JobRun`, periodic runs) whose worker
    has not been heard from for `stale_after` (`last_heartbeat(row)` -> when it last was, or
    None): a crashed worker's work never committed anything, and its page must not say "in
    progress" forever. Returns how many."""
    cutoff = now - stale_after
    stopped = 0
    for row in db.session.scalars(select(model).where(model.state == JobState.running,
                                                      model.started_at < cutoff)).all():
        seen = last_heartbeat(row) or row.started_at
        if seen < cutoff:
            stopped += db.session.execute(update(model).where(
                model.id == row.id, model.state == JobState.running).values(
                state=JobState.failed, error_code="stale", error=str(STALE_REASON),
                finished_at=now)).rowcount
    return stopped


def dispatch_waiting(dispatch, *, now, waiting_after):
    """Queue again the jobs still waiting to start `waiting_after` after they were recorded
    (`dispatch(job_id)`): their place in the queue was lost (a queue restarted without its
    data, or unreachable when the request committed), and no worker would ever start them. A
    job queued twice runs once (execute_job claims it). Returns how many."""
    waiting = db.session.scalars(select(Job.id).where(
        Job.state == JobState.queued, Job.created_at < now - waiting_after)
        .order_by(Job.id)).all()
    for job_id in waiting:
        dispatch(job_id)
    return len(waiting)


def queue_run_again(name, *, actor, now):
    """Queue again, for its period, the last run of the periodic job `name` when it stopped
    with an error: the run waits to start, and a worker takes it back at commit as it takes a
    run the scheduler fired. Returns the run; DomainError when the last run did not fail."""
    run = db.session.scalars(select(JobRun).where(JobRun.name == name)
                             .order_by(JobRun.id.desc()).limit(1)).first()
    if run is None or run.state != JobState.failed:
        raise DomainError("run_not_failed", _l("Only work whose last run stopped with an error "
                                               "can be run again; this page shows its state "
                                               "now."))
    run.state, run.started_at, run.finished_at = JobState.queued, now, None
    log_action("job.run_again", run, actor=actor, now=now,
               changes={"state": [JobState.failed.value, JobState.queued.value]})
    db.session.info.setdefault(TO_FIRE, []).append((run.name, run.period))
    return run


# The engine's own periodic job (core/jobs_sweep.py).
SWEEP = "jobs.sweep-stale"
# The failures that may pass: an unexpected error (a database or mail server away for a
# moment) or a worker's failure. A rule's refusal would be given again.
PASSING_FAILURES = ("internal", "stale")


def runs_again_by_itself(run, attempts):
    """True when the sweep runs `run` (a job's last run) again: it stopped with a failure that
    may pass, and has had fewer than `attempts` attempts."""
    return run is not None and run.state == JobState.failed and \
        run.error_code in PASSING_FAILURES and run.attempts < attempts


def last_runs():
    """{name: the latest run of that periodic job} (one query)."""
    latest = select(func.max(JobRun.id)).group_by(JobRun.name)
    return {run.name: run for run in db.session.scalars(
        select(JobRun).where(JobRun.id.in_(latest)).order_by(JobRun.id))}


def run_failed_again(fire, *, now, attempts, after_commit):
    """Queue again, for its period, every job's last run that runs_again_by_itself() and
    stopped before `now` (one this sweep marks as failed waits for the next), and
    `fire(name, period)` each once the caller's transaction commits. Returns how many."""
    again = [run for run in last_runs().values()
             if runs_again_by_itself(run, attempts) and run.finished_at < now]
    for run in again:
        run.state, run.started_at, run.finished_at = JobState.queued, now, None
        after_commit(lambda name=run.name, period=run.period: fire(name, period))
    return len(again)


def fire_waiting_runs(fire, *, now, waiting_after):
    """Queue again the periodic runs still waiting to start `waiting_after` after they were
    queued (`fire(name, period)`), as dispatch_waiting does for jobs. Returns how many."""
    waiting = db.session.execute(select(JobRun.name, JobRun.period).where(
        JobRun.state == JobState.queued, JobRun.started_at < now - waiting_after)
        .order_by(JobRun.id)).all()
    for name, period in waiting:
        fire(name, period)
    return len(waiting)


def _claim_period(name, period, now):
    """True when this process runs `name` for `period`: the first to insert the row, or the
    first to take back a failed run or one queued to run again."""
    try:
        db.session.add(JobRun(name=name, period=period, state=JobState.running, started_at=now))
        db.session.commit()
        return True
    except IntegrityError:
        db.session.rollback()
    retried = db.session.execute(update(JobRun).where(
        JobRun.name == name, JobRun.period == period,
        JobRun.state.in_((JobState.failed, JobState.queued)))
        .values(state=JobState.running, started_at=now, error_code=None, error=None,
                attempts=JobRun.attempts + 1)).rowcount
    db.session.commit()
    return bool(retried)


def run_periodic(name, period, *, now=None):
    """Run the periodic job `name` for `period` unless some process already has; returns the
    JobRun this process ran, or None when it skipped. In an app context."""
    now = now or utcnow()
    if not _claim_period(name, period, now):
        log.info("%s for %s already claimed: skipped", name, period)
        return None
    run = Run(now=now)
    try:
        summary = PERIODIC[name](run)
        db.session.execute(update(JobRun).where(JobRun.name == name, JobRun.period == period)
                           .values(state=JobState.done, result=summary, finished_at=utcnow()))
        _finish(run)
    except Exception as error:
        db.session.rollback()
        log.exception("%s for %s failed", name, period)
        code, message = _failure(error)
        db.session.execute(update(JobRun).where(JobRun.name == name, JobRun.period == period)
                           .values(state=JobState.failed, error_code=code, error=message,
                                   finished_at=utcnow()))
        db.session.commit()
    return db.session.scalars(db.select(JobRun).filter_by(name=name, period=period)).one()
