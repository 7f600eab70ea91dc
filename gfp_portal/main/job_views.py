"""The progress page of a job (/jobs/<id>): its state, a progress bar, and what it did or why
it stopped; the file it prepared, if any, is downloaded from there. It refreshes itself while
the job waits or runs, so it needs no JavaScript."""
import re

from flask import Blueprint, abort, flash, redirect, render_template
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.accounts.queries import visible_unct_ids
from gfp_portal.admin.queries import job_by_id
from gfp_portal.core import storage
from gfp_portal.core.auth import signed_in
from gfp_portal.core.downloads import send_download
from gfp_portal.core.engine import engine
from gfp_portal.core.http import found_or_404, job_page
from gfp_portal.core.jobs import PAGES, JobPage, JobState, shown_error

bp = Blueprint("jobs", __name__, url_prefix="/jobs")
REFRESH_SECONDS = 2
JOB_ID = re.compile(r"[0-9a-f]{32}")


def load_visible(job_id):
    """The job, for the person who started it while it is still within what they may see,
    and for the Office; nobody else learns it exists."""
    job = job_by_id(job_id) if JOB_ID.fullmatch(job_id) else None
    if job is None or not (current_user.is_staff or (job.created_by_id == current_user.id
                                                     and _still_in_scope(job))):
        abort(404)
    return job


def _still_in_scope(job):
    """Whether the starter (not of the Office) may still see what a job that read the
    registry (its params name the list's `criteria`) read: the teams it was started for are
    all still theirs. One over the whole network is the Office's alone once they left it,
    and so is every other job (imports, messages, notices: only the Office starts them)."""
    criteria = job.params.get("criteria") if isinstance(job.params, dict) else None
    if not isinstance(criteria, dict):
        return False
    scope = criteria.get("scope_unct_ids")
    return scope is not None and set(scope) <= set(visible_unct_ids(current_user) or ())


@bp.route("/<job_id>")
@signed_in
def detail(job_id):
    job = load_visible(job_id)
    page = PAGES.get(job.kind) or JobPage(title=None)
    done, total = engine().progress(job)
    return render_template(
        "jobs/detail.html", job=job, page=page, done=done, total=total,
        outcome=page.outcome(job.result) if page.outcome and job.result is not None else [],
        back=page.back(job.params) if page.back else None, file=prepared_file(job),
        error=shown_error(job),
        refresh=REFRESH_SECONDS if not job.is_finished else None)


def prepared_file(job):
    """The file a finished job prepared for download ({"key", "filename", "content_type",
    "size"}), or None."""
    if job.state != JobState.done or not isinstance(job.result, dict):
        return None
    prepared = job.result.get("file")
    return prepared if isinstance(prepared, dict) and storage.is_key(prepared.get("key")) \
        else None


@bp.route("/<job_id>/download")
@signed_in
def download(job_id):
    """The file the job prepared: for the person who started it and for the Office."""
    job = load_visible(job_id)
    prepared = found_or_404(prepared_file(job))
    source = storage.stream(prepared["key"])
    if source is None:
        flash(_("This file is no longer kept: start the export again."), "warning")
        return redirect(job_page(job))
    return send_download(source, prepared["filename"], content_type=prepared["content_type"])
