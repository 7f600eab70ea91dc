"""The parity figures' jobs: checking an import file, then applying what was checked."""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core import previews
from gfp_portal.core.jobs import JobPage, job
from gfp_portal.parity import imports


def _back_to_import(params):
    return url_for("parity.import_file"), _("Import parity figures")


def _back_to_overview(params):
    return url_for("parity.index"), _("Gender parity")


@job(imports.PREVIEW, JobPage(_l("Check of a parity figures file"), None, _back_to_import,
                              details="parity/_import_check.html"))
def preview_import(run, *, upload, filename, language="en"):
    """Read the uploaded file from the shared storage and check it; keeps the figures for the
    confirmation, writes nothing else."""
    return previews.check_in_job(run, imports.preview, upload, language, filename,
                                 progress=run.progress)


def _apply_outcome(result):
    if result.get("unchanged"):
        return [_("This file had already been imported; nothing has changed.")]
    return [ngettext("Import done: %(num)s figure written.",
                     "Import done: %(num)s figures written.", result["figures"])]


@job(imports.APPLY, JobPage(_l("Parity figures import"), _apply_outcome, _back_to_overview))
def apply_import(run, *, preview, language="en"):
    """Write what the check `preview` checked, all or nothing."""
    return previews.apply_in_job(run, imports.apply_previewed, preview, language)
