"""The job engine: Huey carries the jobs declared in core/jobs.py to worker processes.

Its queue lives in a SQLite file under instance/ on one machine (the embedded default: nothing
else to install) or in Redis, shared by the workers of every machine. The queue only carries
job ids and periodic firings; what a job is and how it ended lives in the database.
"""
import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import current_app, g
from huey import MemoryHuey, RedisHuey, SqliteHuey, crontab
from redis import ConnectionPool

from gfp_portal.core import jobs, redis_clients
from gfp_portal.core.db import kept_for_transaction, utcnow
from gfp_portal.core.mail_cli import drain
from gfp_portal.core.transports import transport_from_config

log = logging.getLogger(__name__)
QUEUE_NAME = "gfp-portal"
PERIOD_FORMAT = "%Y-%m-%dT%H:%M"  # a periodic run's period: the minute it was scheduled for
# An idle worker asks Redis for a job and waits this long for one to come (at most half the
# Redis timeout, so that the wait is never taken for a Redis that does not answer).
REDIS_WAIT_SECONDS = 1


def make_huey(config):
    """The Huey for JOBS_URL (sqlite:///path or redis://…); immediate in the test config."""
    url = config["JOBS_URL"]
    if config["JOBS_IMMEDIATE"]:
        return MemoryHuey(QUEUE_NAME, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        timeouts = redis_clients.timeouts(config)
        return RedisHuey(QUEUE_NAME, results=False,
                         connection_pool=ConnectionPool.from_url(url, **timeouts),
                         read_timeout=min(REDIS_WAIT_SECONDS, timeouts["socket_timeout"] / 2))
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)
    raise RuntimeError(f"JOBS_URL must start with sqlite:/// or redis://, not {url!r}")


@dataclass(frozen=True)
class Schedule:
    """When a periodic job runs: a crontab line (minute hour day month weekday), in UTC."""
    name: str
    cron: str

    @property
    def matches(self):
        fields = self.cron.split()
        if len(fields) != 5:
            raise ValueError("five fields expected")
        return crontab(*fields, strict=True)

    def next_run(self, after):
        """The first minute strictly after `after` that the schedule matches (within a year)."""
        minute, matches = after.replace(second=0, microsecond=0), self.matches
        for _ in range(366 * 24 * 60):
            minute += timedelta(minutes=1)
            if matches(minute):
                return minute
        return None


def _schedules(config):
    schedules = {name: Schedule(name, cron) for name, cron in config["JOBS_SCHEDULE"].items()}
    for schedule in schedules.values():
        try:
            schedule.matches  # noqa: B018 — parsed now, so a bad line stops the start
        except ValueError as error:
            raise RuntimeError(f"JOBS_SCHEDULE[{schedule.name!r}] = {schedule.cron!r} is not "
                               f"a crontab line (minute hour day month weekday): {error}") \
                from None
    unscheduled = sorted(set(jobs.PERIODIC) - set(schedules))
    if unscheduled:
        raise RuntimeError("JOBS_SCHEDULE has no schedule for: " + ", ".join(unscheduled))
    unknown = sorted(set(schedules) - set(jobs.PERIODIC))
    if unknown:
        raise RuntimeError("JOBS_SCHEDULE names no periodic job: " + ", ".join(unknown))
    return schedules


class JobEngine:
    """One per app (app.extensions["jobs"]); its Huey tasks run inside the app's context."""

    def __init__(self, app):
        self.app = app
        self.huey = make_huey(app.config)
        self.schedules = _schedules(app.config)
        self._job_task = self.huey.task(name="gfp.job")(self._run_job)
        self._periodic_task = self.huey.task(name="gfp.periodic")(self._run_periodic)

    # What the workers run.
    def _run_job(self, job_id):
        with self._beating(self._heartbeat_key(job_id)), self.app.app_context():
            jobs.execute_job(job_id, report=self.report_progress)
        self.huey.delete(self._progress_key(job_id))

    @contextmanager
    def _beating(self, key):
        """While the block runs, say beside the queue, under `key`, that this worker is alive;
        the key goes once it has ended."""
        stopping = threading.Event()
        beating = start_thread(self._beat, key, stopping)
        try:
            yield
        finally:
            stopping.set()
            beating.join()
            self.huey.delete(key)

    def _beat(self, key, stopping):
        interval = max(self.app.config["JOBS_STALE_SECONDS"] / 4, 0.05)
        while True:
            try:
                self.huey.put(key, time.time())
            except Exception:
                log.exception("the heartbeat %s could not be recorded", key)
            if stopping.wait(interval):
                return

    def _run_periodic(self, name, period):
        with self._beating(self._run_heartbeat_key(name, period)), self.app.app_context():
            jobs.run_periodic(name, period)

    # What the web processes and the scheduler call.
    def dispatch(self, job_id):
        self._job_task(job_id)

    def fire(self, minute):
        """Queue every periodic job scheduled for `minute`; returns their names."""
        minute = minute.replace(second=0, microsecond=0)
        due = [name for name, schedule in self.schedules.items() if schedule.matches(minute)]
        for name in due:
            self._periodic_task(name, minute.strftime(PERIOD_FORMAT))
        return due

    def fire_run(self, name, period):
        """Queue the periodic job `name` for `period` (a run taken back: core.jobs)."""
        self._periodic_task(name, period)

    # Live progress: kept beside the queue, which every machine reaches.
    @staticmethod
    def _progress_key(job_id):
        return f"job-progress:{job_id}"

    @staticmethod
    def _heartbeat_key(job_id):
        return f"job-heartbeat:{job_id}"

    @staticmethod
    def _run_heartbeat_key(name, period):
        return f"periodic-heartbeat:{name}:{period}"

    def last_heartbeat(self, job):
        """When the worker running `job` last said it was alive (UTC), or None."""
        return self._heard(self._heartbeat_key(job.id))

    def last_run_heartbeat(self, run):
        """When the worker running the periodic `run` (a JobRun) last said it was alive."""
        return self._heard(self._run_heartbeat_key(run.name, run.period))

    def _heard(self, key):
        beat = self.huey.get(key, peek=True)
        return None if beat is None else datetime.fromtimestamp(beat, UTC)

    def report_progress(self, job_id, done, total):
        self.huey.put(self._progress_key(job_id), (done, total))

    def progress(self, job):
        """(done, total) of a job: live while it runs, as recorded once it has ended. A queue
        that does not answer (Redis down or hanging) leaves the live count out: the page shows
        what the database holds rather than fail, and asks no more for the rest of its
        request, so that a hanging Redis holds it for one timeout, not one per job."""
        if job.state == jobs.JobState.running and not _queue_silent():
            try:
                live = self.huey.get(self._progress_key(job.id), peek=True)
            except Exception as error:
                _fell_silent(error)
            else:
                if live is not None:
                    return tuple(live)
        return job.done, job.total


def engine():
    return current_app.extensions["jobs"]


# Set on `g` once the queue did not answer a request's read of live progress.
_SILENT = "job_queue_silent"


def _queue_silent():
    return g.get(_SILENT, False)


def _fell_silent(error):
    log.warning("the live progress of jobs could not be read from the queue (%s: %s); the "
                "page shows what the database holds", type(error).__name__, error)
    setattr(g, _SILENT, True)


def init_app(app):
    app.extensions["jobs"] = JobEngine(app)


# The jobs and periodic runs a transaction saved go to the queue once it has committed. A queue
# that does not answer then (Redis, or its SQLite file) must not turn a saved change into an
# error page: the job or run stays waiting, its page says so, and the sweep queues it again
# once the queue answers (core.jobs.dispatch_waiting and fire_waiting_runs).
def _dispatch_committed_jobs(job_ids):
    for job_id in job_ids:
        try:
            engine().dispatch(job_id)
        except Exception:
            log.warning("job %s could not be queued; it waits for the sweep to queue it again",
                        job_id, exc_info=True)


def _fire_committed_runs(runs):
    for name, period in runs:
        try:
            engine().fire_run(name, period)
        except Exception:
            log.warning("%s for %s could not be queued; it waits for the sweep to queue it "
                        "again", name, period, exc_info=True)


kept_for_transaction(jobs.TO_DISPATCH, on_commit=_dispatch_committed_jobs)
kept_for_transaction(jobs.TO_FIRE, on_commit=_fire_committed_runs)


# The scheduler fires every minute it has not fired yet, in order: a minute the queue refused
# is tried again, and a minute the process slept through (a stalled host, a slow queue call) is
# caught up. It catches up at most this many minutes, so one woken after a long stop does not
# replay the day; what it leaves out is logged. A minute fired twice runs its work once
# (core.jobs.run_periodic claims each period).
CATCH_UP_MINUTES = 60
# After the queue refused a minute, it is tried again this many seconds later.
RETRY_SECONDS = 10
MINUTE = timedelta(minutes=1)


def run_scheduler(app, stopping):
    """Fire the periodic jobs at each minute until `stopping` (a threading.Event) is set.

    A scheduler fires from the minute it started in: the minutes no scheduler ran for are not
    fired (the sweep takes back the runs that were queued and lost, not those never fired)."""
    jobs_engine = app.extensions["jobs"]
    unfired = None  # the first minute not fired yet
    refused = False
    while not stopping.is_set():
        now = utcnow()
        minute = now.replace(second=0, microsecond=0)
        if unfired is None or minute < unfired - MINUTE:  # started, or the clock was set back
            unfired = minute
        unfired = _skip_beyond_catch_up(unfired, minute)
        caught_up = minute - unfired
        while unfired <= minute and not stopping.is_set():
            try:
                due = jobs_engine.fire(unfired)
            except Exception:
                log.warning("the scheduler could not queue the jobs of %s; trying again in %s "
                            "seconds", unfired.strftime(PERIOD_FORMAT), RETRY_SECONDS,
                            exc_info=not refused)
                refused = True
                break
            refused = False
            if due:
                log.info("queued %s for %s", ", ".join(due), unfired.strftime(PERIOD_FORMAT))
            unfired += MINUTE
        if unfired > minute and caught_up:
            log.info("caught up the minutes from %s to %s, not fired in time (%s in all)",
                     (minute - caught_up).strftime(PERIOD_FORMAT),
                     (minute - MINUTE).strftime(PERIOD_FORMAT), caught_up // MINUTE)
        until_next_minute = 60.5 - now.second - now.microsecond / 1e6
        stopping.wait(min(RETRY_SECONDS, until_next_minute) if refused else until_next_minute)


def _skip_beyond_catch_up(unfired, minute):
    """The first minute to fire now: `unfired`, or the oldest one CATCH_UP_MINUTES allow."""
    oldest = minute - (CATCH_UP_MINUTES - 1) * MINUTE
    if unfired >= oldest:
        return unfired
    log.warning("the jobs of the minutes from %s to %s were not queued and will not be: the "
                "scheduler catches up at most %s minutes", unfired.strftime(PERIOD_FORMAT),
                (oldest - MINUTE).strftime(PERIOD_FORMAT), CATCH_UP_MINUTES)
    return oldest


class StopFlag:
    """A threading.Event seen as a truth value, as drain() in mail_cli expects."""

    def __init__(self, event_):
        self.event = event_

    def __bool__(self):
        return self.event.is_set()


def run_mail_delivery(app, stopping, interval):
    """Deliver the outbox beside the job workers until `stopping` is set."""
    transport = transport_from_config(app.config)
    while not stopping.is_set():
        with app.app_context():
            try:
                sent, failed = drain(transport, StopFlag(stopping))
                if sent or failed:
                    log.info("outbox: sent %s, failed attempts %s", sent, failed)
            except Exception:
                log.exception("outbox delivery failed; trying again")
        stopping.wait(interval)


def start_thread(target, *args):
    thread = threading.Thread(target=target, args=args, daemon=True)
    thread.start()
    return thread
