"""`flask jobs schedule|worker|scheduler`: the schedule, and the processes that run the jobs."""
import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from gfp_portal.core.db import db, utcnow
from gfp_portal.core.engine import run_mail_delivery, run_scheduler, start_thread
from gfp_portal.core.jobs import JobRun
from gfp_portal.core.mail_cli import require_server_name
from gfp_portal.core.request_log import formatter_for

jobs_cli = AppGroup("jobs", help="Background and periodic jobs.")


def _log_to_console():
    """The job engine's own lines (huey) in the portal's LOG_FORMAT; the portal's loggers keep
    their handler and are not written twice through the root logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(current_app.config["LOG_FORMAT"]))
    handler.addFilter(lambda record: not record.name.startswith("gfp_portal"))
    logging.basicConfig(level=logging.INFO, handlers=[handler])


@jobs_cli.command("schedule")
def schedule():
    """List the periodic jobs, their schedule (UTC), next run and last run."""
    engine, now = current_app.extensions["jobs"], utcnow()
    last = dict(db.session.execute(select(JobRun.name, func.max(JobRun.period))
                                   .group_by(JobRun.name)).all())
    click.echo(f"{'job':<36} {'schedule (UTC)':<16} {'next run':<18} last run")
    for name, entry in sorted(engine.schedules.items()):
        upcoming = entry.next_run(now)
        click.echo(f"{name:<36} {entry.cron:<16} "
                   f"{upcoming.strftime('%Y-%m-%d %H:%M') if upcoming else '-':<18} "
                   f"{last.get(name, '-').replace('T', ' ')}")


@jobs_cli.command("worker")
@click.option("--workers", type=int, default=None, help="Job threads (default JOBS_WORKERS).")
@click.option("--mail/--no-mail", default=None,
              help="Also deliver the outbox (default JOBS_DELIVER_MAIL).")
def worker(workers, mail):
    """Run the jobs as they are queued (and deliver the outbox) until stopped."""
    require_server_name()
    _log_to_console()
    app = current_app._get_current_object()
    config = app.config
    mail = config["JOBS_DELIVER_MAIL"] if mail is None else mail
    stopping = threading.Event()
    if mail:
        start_thread(run_mail_delivery, app, stopping, config["MAIL_POLL_SECONDS"])
    consumer = app.extensions["jobs"].huey.create_consumer(
        workers=workers or config["JOBS_WORKERS"], worker_type="thread", periodic=False,
        # An idle worker polls a SQLite queue at least every second (Redis wakes it at once),
        # so a job started from a page begins without a noticeable wait.
        max_delay=1.0)
    click.echo(f"Job worker started ({workers or config['JOBS_WORKERS']} threads"
               f"{', delivering the outbox' if mail else ''}).")
    try:
        consumer.run()
    finally:
        stopping.set()
    click.echo("Job worker stopped.")


@jobs_cli.command("scheduler")
def scheduler():
    """Queue each periodic job when its schedule says, until stopped. Any number of
    schedulers may run: each period of a job runs once."""
    _log_to_console()
    app = current_app._get_current_object()
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    click.echo(f"Scheduler started ({len(app.extensions['jobs'].schedules)} periodic jobs).")
    run_scheduler(app, stopping)
    click.echo("Scheduler stopped.")
