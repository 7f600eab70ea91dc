"""The storage's periodic job: delete the import previews never confirmed."""
from gfp_portal.core.jobs import periodic
from gfp_portal.core.storage import purge_pending


@periodic("storage.purge-pending")
def purge(run):
    return {"previews": purge_pending(now=run.now)}
