"""The storage's periodic job: delete the import previews never confirmed and the prepared
exports kept long enough."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.core.storage import purge_exports, purge_pending


def _outcome(result):
    return [ngettext("%(num)s expired import preview deleted.",
                     "%(num)s expired import previews deleted.", result.get("previews", 0)),
            ngettext("%(num)s expired export file deleted.",
                     "%(num)s expired export files deleted.", result.get("exports", 0))]


@periodic("storage.purge-pending", JobPage(_l("Removal of expired import previews"), _outcome))
def purge(run):
    return {"previews": purge_pending(now=run.now), "exports": purge_exports(now=run.now)}
