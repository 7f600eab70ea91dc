"""Implementation plans' periodic job: remind the responsible focal points of the deadline,
after taking off the plans those whose last day of a term ended ahead has passed."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.plans.reminders import send_deadline_reminders
from gfp_portal.plans.services import release_plans_after_last_days


def _outcome(result):
    return [ngettext("%(num)s implementation plan reminded of its deadline.",
                     "%(num)s implementation plans reminded of their deadline.",
                     result.get("reminders", 0))]


@periodic("plans.remind", JobPage(_l("Implementation plan deadline reminders"), _outcome))
def remind(run):
    # A term whose end was entered ahead ended before its last day: its holder is taken off
    # the plans after it, before the reminders are written.
    release_plans_after_last_days(today=run.now.date(), now=run.now)
    return {"reminders": send_deadline_reminders(today=run.now.date(), now=run.now)}
