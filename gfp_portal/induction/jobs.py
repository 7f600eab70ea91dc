"""The induction path's periodic job: invitations to induction sessions and weekly reminders."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.induction.reminders import send_induction_mails


def _outcome(result):
    return [ngettext("%(num)s person invited to induction sessions.",
                     "%(num)s people invited to induction sessions.", result.get("invited", 0)),
            ngettext("%(num)s person reminded of their induction path.",
                     "%(num)s people reminded of their induction path.",
                     result.get("reminded", 0)),
            ngettext("%(num)s induction path completed.", "%(num)s induction paths completed.",
                     result.get("completed", 0))]


@periodic("induction.remind", JobPage(_l("Induction invitations and reminders"), _outcome))
def remind(run):
    outcome = send_induction_mails(now=run.now)
    return {"invited": outcome.invited, "reminded": outcome.reminded,
            "completed": outcome.completed}
