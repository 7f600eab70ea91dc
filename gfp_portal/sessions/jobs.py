"""Sessions' periodic job: remind registered people of a session that starts soon."""
from gfp_portal.core.jobs import periodic
from gfp_portal.sessions.services import send_reminders


@periodic("sessions.send-reminders")
def reminders(run):
    return {"reminders": send_reminders(now=run.now)}
