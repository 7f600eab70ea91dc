"""Attendance's periodic job: remind those who attended to evaluate the session."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.attendance.evaluations import send_reminders
from gfp_portal.core.jobs import JobPage, periodic


def _outcome(result):
    return [ngettext("%(num)s evaluation reminder sent.", "%(num)s evaluation reminders sent.",
                     result.get("reminders", 0))]


@periodic("sessions.send-evaluation-reminders", JobPage(_l("Evaluation reminders"), _outcome))
def evaluation_reminders(run):
    return {"reminders": send_reminders(now=run.now)}
