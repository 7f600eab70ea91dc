"""The registry's jobs: checking and applying an import; a large export, prepared for
download; and the periodic one, which lapses ended terms, sends the term alerts and stops the
calendar feeds of those whose last term is over, daily."""
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.accounts.models import Role
from gfp_portal.accounts.services import active_users_with_role, revoke_feeds_after_last_terms
from gfp_portal.core import previews, storage
from gfp_portal.core.http import with_query
from gfp_portal.core.jobs import JobPage, job, periodic
from gfp_portal.registry import queries
from gfp_portal.registry.alerts import send_term_alerts
from gfp_portal.registry.exports import CONTENT_TYPES, file_name, registry_file
from gfp_portal.registry.imports import previewed


def _back_to_import(params):
    return url_for("registry.import_file"), _("Import into the registry")


# The registry's query arguments of the criteria a job keeps (queries.RegistryFilter).
_LIST_ARGS = {"q": "q", "entity": "entity", "unct": "unct", "region": "region", "role": "role",
              "status": "status", "expiring_days": "expiring", "lapsed_days": "lapsed",
              "warning": "warning", "sort": "sort"}


def _back_to_registry(params):
    """The registry as it was filtered when the job was asked for (an export), else all."""
    criteria = params.get("criteria") or {}
    args = {arg: "y" if value is True else value for name, arg in _LIST_ARGS.items()
            if (value := criteria.get(name)) not in (None, "", False)}
    return with_query(url_for("registry.index"), args), _("Registry")


@job(previewed.PREVIEW, JobPage(_l("Check of a registry import"), None,
                                _back_to_import, details="registry/_import_check.html"))
def preview_import(run, *, upload, filename, language="en"):
    """Read the uploaded file from the shared storage and check it against the registry;
    keeps the plan for the confirmation, writes nothing else."""
    return previews.check_in_job(run, previewed.preview, upload, language, filename,
                                 now=run.now, progress=run.progress)


def _apply_outcome(result):
    return [_("Import done: %(people)s, %(appointments)s, %(updated)s.",
              people=ngettext("%(num)s person created", "%(num)s people created",
                              result["created_people"]),
              appointments=ngettext("%(num)s appointment created",
                                    "%(num)s appointments created",
                                    result["created_appointments"]),
              updated=ngettext("%(num)s record updated", "%(num)s records updated",
                               result["updated_people"] + result["updated_appointments"]))]


@job(previewed.APPLY, JobPage(_l("Registry import"), _apply_outcome, _back_to_registry))
def apply_import(run, *, preview, language="en"):
    """Apply what the preview `preview` checked, all or nothing."""
    return previews.apply_in_job(run, previewed.apply_previewed, preview, language)


def _outcome(result):
    return [ngettext("%(num)s term alert sent.", "%(num)s term alerts sent.",
                     result.get("alerts", 0)),
            ngettext("%(num)s appointment marked as lapsed.",
                     "%(num)s appointments marked as lapsed.", result.get("lapsed", 0)),
            ngettext("%(num)s digest sent to coordinators.",
                     "%(num)s digests sent to coordinators.", result.get("digests", 0))]


@periodic("registry.send-alerts", JobPage(_l("Term alerts and lapsed appointments"), _outcome))
def send_alerts(run):
    summary = send_term_alerts(today=run.now.date(), now=run.now,
                               coordinators=active_users_with_role(Role.coordinator))
    # A term whose end was entered ahead ended before its last day: the feed stops after it.
    revoke_feeds_after_last_terms(today=run.now.date())
    return {"alerts": summary.total, "lapsed": summary.lapsed, "digests": summary.digests}


def _export_outcome(result):
    return [ngettext("The file lists %(num)s person; download it below.",
                     "The file lists %(num)s people; download it below.", result["people"])]


@job("registry.export", JobPage(_l("Registry export"), _export_outcome, _back_to_registry))
def prepare_export(run, *, criteria, fmt, today=None):
    """Write the registry file to the storage; the job's page offers it for download. `today`
    the day the list was asked for (a job queued before it was kept: the worker's)."""
    scope = criteria.get("scope_unct_ids")
    criteria = queries.RegistryFilter(**{**criteria, "scope_unct_ids":
                                         None if scope is None else tuple(scope)})
    day = date.fromisoformat(today) if today else run.now.date()
    data, people = registry_file(criteria, fmt, today=day, progress=run.progress)
    key = storage.keep_export(data, fmt)
    return {"people": people, "file": {"key": key, "filename": file_name(fmt, day),
                                       "content_type": CONTENT_TYPES[fmt], "size": len(data)}}
