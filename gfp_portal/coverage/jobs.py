"""Coverage's periodic job: remind Resident Coordinators of their gaps."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.coverage.reminders import send_gap_reminders


def _outcome(result):
    return [ngettext("%(num)s Resident Coordinator reminded of coverage gaps.",
                     "%(num)s Resident Coordinators reminded of coverage gaps.",
                     result.get("reminders", 0))]


@periodic("coverage.remind", JobPage(_l("Coverage gap reminders to Resident Coordinators"),
                                     _outcome))
def remind(run):
    return {"reminders": send_gap_reminders(now=run.now)}
