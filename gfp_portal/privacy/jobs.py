"""The daily application of the retention periods."""
from functools import partial

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core import storage
from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.privacy.retention import DAILY_RUN, apply_retention


def _outcome(result):
    return [
        ngettext("%(num)s request to join never confirmed deleted.",
                 "%(num)s requests to join never confirmed deleted.",
                 result.get("unconfirmed_requests", 0)),
        ngettext("%(num)s person who left anonymised.",
                 "%(num)s people who left anonymised.", result.get("contact_data", 0)),
        ngettext("%(num)s guest anonymised.", "%(num)s guests anonymised.",
                 result.get("guest_data", 0)),
        ngettext("Details of %(num)s audit event emptied.",
                 "Details of %(num)s audit events emptied.", result.get("audit_details", 0)),
        ngettext("Text of %(num)s sent email cleared.",
                 "Text of %(num)s sent emails cleared.", result.get("mail_bodies", 0)),
    ]


@periodic(DAILY_RUN, JobPage(_l("Retention periods"), _outcome))
def apply(run):
    counts, keys = apply_retention(now=run.now)
    for key in keys:  # the files go once the rows that named them are committed
        run.after_commit(partial(storage.remove, key))
    return counts
