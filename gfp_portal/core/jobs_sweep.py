"""The job engine's own periodic job: a job or a periodic run whose worker crashed is marked as
failed, with the reason, instead of staying "in progress" forever; a job or a run queued again
that lost its place in the queue is queued again, instead of "waiting to start" forever; a
periodic run that an unexpected error stopped is run again, a few times, for its period."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.engine import engine
from gfp_portal.core.jobs import (
    SWEEP,
    JobPage,
    JobRun,
    dispatch_waiting,
    fire_waiting_runs,
    periodic,
    run_failed_again,
    sweep_stale,
)


def _outcome(result):
    return [ngettext("%(num)s job whose worker stopped is marked as failed.",
                     "%(num)s jobs whose worker stopped are marked as failed.",
                     result.get("stopped", 0)),
            ngettext("%(num)s job that no worker had started is queued again.",
                     "%(num)s jobs that no worker had started are queued again.",
                     result.get("queued_again", 0)),
            ngettext("%(num)s scheduled run stopped by an unexpected error is run again.",
                     "%(num)s scheduled runs stopped by an unexpected error are run again.",
                     result.get("run_again", 0))]


@periodic(SWEEP, JobPage(_l("Jobs stopped by a worker's failure or lost by the queue, and "
                            "scheduled runs stopped by an error"), _outcome))
def sweep(run):
    stale_after = timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    stopped = sweep_stale(engine().last_heartbeat, now=run.now, stale_after=stale_after) + \
        sweep_stale(engine().last_run_heartbeat, now=run.now, stale_after=stale_after,
                    model=JobRun)
    queued_again = dispatch_waiting(engine().dispatch, now=run.now, waiting_after=stale_after) \
        + fire_waiting_runs(engine().fire_run, now=run.now, waiting_after=stale_after)
    run_again = run_failed_again(engine().fire_run, now=run.now, after_commit=run.after_commit,
                                 attempts=current_app.config["JOBS_RUN_ATTEMPTS"])
    return {"stopped": stopped, "queued_again": queued_again, "run_again": run_again}
