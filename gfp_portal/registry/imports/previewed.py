"""A registry import as two jobs: the check of the uploaded file (the preview, which keeps
its plan for the confirmation), then, once confirmed, the apply of the plan it kept."""
from gfp_portal.core import previews
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.registry.imports import applying, planning
from gfp_portal.registry.imports.loaded import check_version
from gfp_portal.registry.imports.reading import read_table

PREVIEW, APPLY = "registry.import-preview", "registry.import-apply"
REPORT_LISTS = ("created_people", "updated_people", "unchanged_people", "created_appointments",
                "updated_appointments", "unchanged_appointments")


def start_preview(data, filename, *, actor, language, now=None):
    """Keep the uploaded file in the shared storage and queue its check; returns the Job.
    The name and size are refused here, at once; the content is read by the job."""
    return previews.start_check(PREVIEW, data, filename, actor=actor, language=language,
                                now=now)


def report_result(report, filename):
    """The report as the preview job keeps it (JSON), messages in the current language."""
    return {"ok": report.ok, "filename": filename, "rows": report.rows,
            "errors": [{"line": e.line, "column": e.column, "code": e.code,
                        "message": str(e.message)} for e in report.errors],
            **{name: [list(item) for item in getattr(report, name)] for name in REPORT_LISTS}}


def preview(upload, filename, *, now=None, progress=None):
    """The preview job's work: read the kept upload, plan it, keep the plan; the result."""
    data = previews.uploaded(upload)
    try:
        rows = read_table(filename, data)
    except DomainError as error:
        return {"ok": False, "filename": filename, "rows": 0, "file_error": str(error.message),
                "errors": [], **{name: [] for name in REPORT_LISTS}}
    if progress:
        progress(0, len(rows))
    report = planning.plan_import(rows, now=now, progress=progress)
    if progress:  # the rows planned may be fewer than the rows read (bad ones are not)
        progress(len(rows), len(rows))
    result = report_result(report, filename)
    if report.ok:
        result["plan"] = previews.keep_plan({"version": report.version, "steps": report.steps})
        result["changes"] = report.changes
    return result


def start_apply(preview_job_id, *, actor, language, now=None):
    """Queue the import of what the preview `preview_job_id` checked; refused when the
    preview has expired or was applied, or when the registry changed since. Returns the Job."""
    return previews.queue_apply(PREVIEW, APPLY, preview_job_id, actor=actor, language=language,
                                now=now, check_plan=lambda plan: check_version(plan["version"]))


def apply_previewed(preview_job_id, *, actor, now=None, progress=None):
    """The apply job's work: the stored plan, applied all or nothing; the counts, and the
    plan's token (to drop once the import is committed)."""
    now = now or utcnow()
    job, plan = previews.checked_plan(preview_job_id, PREVIEW, now)
    applying.apply_plan(plan["steps"], plan["version"], actor=actor, now=now, progress=progress)
    counts = {name: len(job.result[name]) for name in REPORT_LISTS}
    return {"preview": job.id, "filename": job.result["filename"], **counts}, \
        job.result["plan"]
