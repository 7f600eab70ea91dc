"""Coverage's periodic job: remind Resident Coordinators of their gaps."""
from gfp_portal.core.jobs import periodic
from gfp_portal.coverage.reminders import send_gap_reminders


@periodic("coverage.remind")
def remind(run):
    return {"reminders": send_gap_reminders(now=run.now)}
