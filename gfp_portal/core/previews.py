"""Imports checked before they are applied: the upload kept in the shared storage for its
check (a job), and the check's plan kept for the confirmation, refused once applied or
expired; and the pages and jobs that run them, the same for every import of a table."""
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from flask import current_app, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gfp_portal.core import storage
from gfp_portal.core.db import db, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.http import job_page, run_action, save_form
from gfp_portal.core.i18n import current_language
from gfp_portal.core.jobs import Job, JobState, enqueue
from gfp_portal.core.reading import MAX_BYTES
from gfp_portal.core.text import uploaded_name

SUFFIXES = (".csv", ".txt", ".xlsx")


@dataclass(frozen=True)
class JobActor:
    """Who started a job, as the audit records it."""
    id: int | None


def in_words(call, *args, **kwargs):
    """call(), its refusal worded in the language in force (the job's page shows it later)."""
    try:
        return call(*args, **kwargs)
    except DomainError as error:
        raise DomainError(error.code, str(error.message), field=error.field) from error


def start_check(kind, data, filename, *, actor, language, now=None):
    """Keep the uploaded file in the shared storage and queue its check, a job of `kind`;
    returns the Job. The name and size are refused here, at once; the job reads the content."""
    if len(data) > MAX_BYTES:
        raise DomainError("file_too_large", _l("The file is larger than %(mb)s MB.",
                                               mb=MAX_BYTES // (1024 * 1024)), field="file")
    suffix = Path(filename or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise DomainError("bad_file", _l("Upload a .csv or .xlsx file."), field="file")
    upload = storage.keep_pending(data, suffix=suffix)
    return enqueue(kind, {"upload": upload, "filename": filename, "language": language},
                   actor=actor, now=now)


def uploaded(upload):
    """The bytes of the upload a check job reads; refused once used or purged."""
    data = storage.pending(upload)
    if data is None:
        raise DomainError("upload_gone", _l("This import has already been applied or has "
                                            "expired. Upload the file again."))
    return data


def keep_plan(plan):
    """Keep a check's plan (plain data) for the confirmation; returns its token."""
    return storage.keep_pending(json.dumps(plan).encode(), suffix=".json")


def checked(job_id, kind, now):
    """The finished check job `job_id` of `kind` whose plan is still kept; refused when there
    is none, or when it expired or was applied."""
    job = db.session.get(Job, job_id) if isinstance(job_id, str) else None
    if job is None or job.kind != kind or job.state != JobState.done or \
            not (job.result or {}).get("plan"):
        raise DomainError("no_preview", _l("There is no checked file to import. Upload the "
                                           "file again."))
    hours = current_app.config["PENDING_PREVIEW_HOURS"]
    if job.finished_at is None or job.finished_at < now - timedelta(hours=hours) or \
            not storage.exists(f"pending/{job.result['plan']}"):
        raise DomainError("preview_expired", _l("This import has already been applied or has "
                                                "expired. Upload the file again."))
    return job


def queue_apply(check_kind, apply_kind, job_id, *, actor, language, now=None, check_plan=None):
    """Queue the apply job (`apply_kind`) of what the check job `job_id` checked; refused when
    the check has expired or was applied, or when `check_plan(plan)` refuses. Returns the Job."""
    now = now or utcnow()
    job = checked(job_id, check_kind, now)
    if check_plan is not None:
        check_plan(stored_plan(job))
    return enqueue(apply_kind, {"preview": job.id, "language": language}, actor=actor, now=now)


def stored_plan(job):
    """The plan the check job `job` kept."""
    data = storage.pending(job.result["plan"])
    if data is None:
        raise DomainError("preview_expired", _l("This import has already been applied or has "
                                                "expired. Upload the file again."))
    return json.loads(data)


def checked_plan(job_id, kind, now):
    """(the check job, the plan it kept) that the apply job of the check `job_id` of `kind`
    applies; refused as `checked` and `stored_plan` refuse."""
    job = checked(job_id, kind, now)
    return job, stored_plan(job)


# --- the pages and jobs of an import --------------------------------------------------------

def upload_page(form, start, template, **context):
    """The upload page of an import (`template`, given `context`): on a valid upload,
    `start(data, filename, actor=, language=)` queues the check and the browser goes to its
    job's page."""
    upload = form.file.data
    return save_form(form, lambda: start(
        upload.read(MAX_BYTES + 1), uploaded_name(upload.filename, "upload"),
        actor=current_user, language=current_language()), to=job_page) or \
        render_template(template, form=form, **context)


def confirm_page(start_apply, upload_endpoint):
    """The confirmation (a POST) of a checked import: `start_apply(job_id, actor=, language=)`
    queues the apply job; a refusal goes back to the upload page."""
    return run_action(start_apply, request.form.get("job", ""), actor=current_user,
                      language=current_language(), back=url_for(upload_endpoint), to=job_page)


def check_in_job(run, check, upload, language, *args, **kwargs):
    """A check job's work: `check(upload, *args, **kwargs)` in the job's language; the
    upload is dropped once the job commits."""
    with force_locale(language):
        result = in_words(check, upload, *args, **kwargs)
    run.after_commit(lambda: storage.drop_pending(upload))
    return result


def apply_in_job(run, apply, preview, language):
    """An apply job's work: `apply(preview, actor=, now=, progress=)` -> (result, plan token)
    in the job's language; the plan is dropped once the job commits."""
    with force_locale(language):
        result, plan = in_words(apply, preview, actor=JobActor(run.actor_id), now=run.now,
                                progress=run.progress)
    run.after_commit(lambda: storage.drop_pending(plan))
    return result
