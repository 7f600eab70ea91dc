"""The programme's periodic job: the removal of guests' requests never confirmed."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.programme.guests import purge_unconfirmed


def _purge_outcome(result):
    return [ngettext("%(num)s unconfirmed request for a guest place deleted.",
                     "%(num)s unconfirmed requests for a guest place deleted.",
                     result.get("purged", 0))]


@periodic("programme.purge-unconfirmed",
          JobPage(_l("Removal of unconfirmed requests for a guest place"), _purge_outcome))
def purge(run):
    return {"purged": purge_unconfirmed(now=run.now)}
