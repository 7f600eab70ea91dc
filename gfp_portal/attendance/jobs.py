"""Attendance's periodic job: remind those who attended to evaluate the session."""
from gfp_portal.attendance.evaluations import send_reminders
from gfp_portal.core.jobs import periodic


@periodic("sessions.send-evaluation-reminders")
def evaluation_reminders(run):
    return {"reminders": send_reminders(now=run.now)}
