"""Implementation plans' periodic job: remind the responsible focal points of the deadline."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.plans.reminders import send_deadline_reminders


def _outcome(result):
    return [ngettext("%(num)s implementation plan reminded of its deadline.",
                     "%(num)s implementation plans reminded of their deadline.",
                     result.get("reminders", 0))]


@periodic("plans.remind", JobPage(_l("Implementation plan deadline reminders"), _outcome))
def remind(run):
    return {"reminders": send_deadline_reminders(today=run.now.date(), now=run.now)}
