"""The registry's periodic job: lapse ended terms and send the term alerts, daily."""
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.core.jobs import JobPage, periodic
from gfp_portal.registry.alerts import send_term_alerts


def _outcome(result):
    return [ngettext("%(num)s term alert sent.", "%(num)s term alerts sent.",
                     result.get("alerts", 0)),
            ngettext("%(num)s appointment marked as lapsed.",
                     "%(num)s appointments marked as lapsed.", result.get("lapsed", 0)),
            ngettext("%(num)s digest sent to coordinators.",
                     "%(num)s digests sent to coordinators.", result.get("digests", 0))]


@periodic("registry.send-alerts", JobPage(_l("Term alerts and lapsed appointments"), _outcome))
def send_alerts(run):
    summary = send_term_alerts(today=run.now.date(), now=run.now)
    return {"alerts": summary.total, "lapsed": summary.lapsed, "digests": summary.digests}
