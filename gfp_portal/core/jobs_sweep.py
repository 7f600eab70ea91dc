"""The job engine's own periodic job: a job whose worker crashed is marked as failed, with the
reason, instead of staying "in progress" forever."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.engine import engine
from gfp_portal.core.jobs import JobPage, periodic, sweep_stale


def _outcome(result):
    return [ngettext("%(num)s job whose worker stopped is marked as failed.",
                     "%(num)s jobs whose worker stopped are marked as failed.",
                     result.get("stopped", 0))]


@periodic("jobs.sweep-stale", JobPage(_l("Jobs stopped by a worker's failure"), _outcome))
def sweep(run):
    stale_after = timedelta(seconds=current_app.config["JOBS_STALE_SECONDS"])
    return {"stopped": sweep_stale(engine().last_heartbeat, now=run.now,
                                   stale_after=stale_after)}
