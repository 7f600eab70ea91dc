"""The registry's periodic job: lapse ended terms and send the term alerts, daily."""
from gfp_portal.core.jobs import periodic
from gfp_portal.registry.alerts import send_term_alerts


@periodic("registry.send-alerts")
def send_alerts(run):
    summary = send_term_alerts(today=run.now.date(), now=run.now)
    return {"alerts": summary.total, "lapsed": summary.lapsed, "digests": summary.digests}
