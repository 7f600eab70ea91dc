"""Nominations' periodic jobs: the coordinators' daily digest, and the purge of requests to
join whose address was never confirmed."""
from functools import partial

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core import storage
from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.nominations.join import purge_unverified
from gfp_portal.nominations.services import send_digest


def _digest_outcome(result):
    return [ngettext("%(num)s nomination reported to coordinators.",
                     "%(num)s nominations reported to coordinators.",
                     result.get("nominations", 0))]


def _purge_outcome(result):
    return [ngettext("%(num)s unconfirmed request to join deleted.",
                     "%(num)s unconfirmed requests to join deleted.", result.get("purged", 0))]


@periodic("nominations.send-digest", JobPage(_l("Daily digest of nominations"),
                                             _digest_outcome))
def digest(run):
    return {"nominations": send_digest(now=run.now)}


@periodic("nominations.purge-unconfirmed",
          JobPage(_l("Removal of unconfirmed requests to join"), _purge_outcome))
def purge_unconfirmed(run):
    purged, keys = purge_unverified(now=run.now)
    for key in keys:  # the memos go once the rows are gone for good
        run.after_commit(partial(storage.remove, key))
    return {"purged": purged}
