"""The progress page of a job (/jobs/<id>): its state, a progress bar, and what it did or why
it stopped. It refreshes itself while the job waits or runs, so it needs no JavaScript."""
import re

from flask import Blueprint, abort, render_template
from flask_login import current_user

from gfp_portal.core.auth import signed_in
from gfp_portal.core.engine import engine
from gfp_portal.core.jobs import PAGES, Job, JobPage
from gfp_portal.extensions import db

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
REFRESH_SECONDS = 2
JOB_ID = re.compile(r"[0-9a-f]{32}")


def load_visible(job_id):
    """The job, for the person who started it and for the Office; nobody else learns it
    exists."""
    job = db.session.get(Job, job_id) if JOB_ID.fullmatch(job_id) else None
    if job is None or not (current_user.is_staff or job.created_by_id == current_user.id):
        abort(404)
    return job


@bp.route("/<job_id>")
@signed_in
def detail(job_id):
    job = load_visible(job_id)
    page = PAGES.get(job.kind) or JobPage(title=None)
    done, total = engine().progress(job)
    return render_template(
        "jobs/detail.html", job=job, page=page, done=done, total=total,
        outcome=page.outcome(job.result) if page.outcome and job.result is not None else [],
        back=page.back(job.params) if page.back else None,
        refresh=REFRESH_SECONDS if not job.is_finished else None)
