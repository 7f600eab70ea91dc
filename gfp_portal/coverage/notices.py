"""The emails of coverage, in the recipient's language: the gap reminder to a Resident
Coordinator."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.core.outbox import queue_email


def gap_reminder(user, teams, gaps, *, now):
    """To a Resident Coordinator: the `gaps` of their UN Country Teams (`teams`: (unct, its
    coverage, its cells not covered))."""
    queue_email(user.email, "coverage_reminder",
                subject=_l("Focal points missing in your UN Country Team"),
                locale=user.locale, now=now,
                context={"user": user, "teams": teams, "gaps": gaps,
                         "links": {u.id: url_for("coverage.unct", iso3=u.iso3,
                                                 _external=True) for u in user.uncts}})
