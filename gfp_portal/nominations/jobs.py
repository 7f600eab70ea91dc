"""Nominations' periodic jobs: the coordinators' daily digest, and the purge of requests to
join whose address was never confirmed."""
from functools import partial

from gfp_portal.core import storage
from gfp_portal.core.jobs import periodic
from gfp_portal.nominations.join import purge_unverified
from gfp_portal.nominations.services import send_digest


@periodic("nominations.send-digest")
def digest(run):
    return {"nominations": send_digest(now=run.now)}


@periodic("nominations.purge-unconfirmed")
def purge_unconfirmed(run):
    purged, keys = purge_unverified(now=run.now)
    for key in keys:  # the memos go once the rows are gone for good
        run.after_commit(partial(storage.remove, key))
    return {"purged": purged}
