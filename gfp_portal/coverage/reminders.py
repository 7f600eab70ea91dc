"""Gap reminders: each Resident Coordinator gets the gaps of their UNCTs, at most once a period
(the email itself: notices.py)."""
from sqlalchemy import func, select

from gfp_portal.accounts.models import Role
from gfp_portal.accounts.services import active_users_with_role
from gfp_portal.core.db import utcnow
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.settings import get_setting
from gfp_portal.coverage import notices
from gfp_portal.coverage.models import CoverageReminder
from gfp_portal.coverage.services import compute_coverage
from gfp_portal.extensions import db

DEFAULT_SETTINGS = {"coverage.reminder_days": 30}


def _last_sent():
    return dict(db.session.execute(
        select(CoverageReminder.user_id, func.max(CoverageReminder.sent_at))
        .group_by(CoverageReminder.user_id)).all())


def send_gap_reminders(*, now=None):
    """Queue one email per active Resident Coordinator whose UNCTs have gaps and who has not
    been reminded within the configured period. Returns the number of emails queued."""
    now = now or utcnow()
    hold_lock("coverage.remind", now=now)
    # In days, not seconds: the daily run starts at whatever second the worker picks it up.
    period = int(get_setting("coverage.reminder_days"))
    last = _last_sent()
    coordinators = active_users_with_role(Role.resident_coordinator)
    queued = 0
    for user in coordinators:
        if not user.uncts or (
                user.id in last and (now.date() - last[user.id].date()).days < period):
            continue
        # The teams in the order of the recipient's language, which the job runs in none of.
        coverage = compute_coverage(unct_ids=[u.id for u in user.uncts], today=now.date(),
                                    language=mail_locale(user.locale))
        teams = [(unct, coverage.by_unct[unct.id],
                  [c for c in coverage.cells_of(unct) if c.state != "covered"])
                 for unct in coverage.uncts]
        gaps = sum(len(cells) for _, _, cells in teams)
        if not gaps:
            continue
        notices.gap_reminder(user, teams, gaps, now=now)
        db.session.add(CoverageReminder(user_id=user.id, sent_at=now, gaps=gaps))
        queued += 1
    db.session.flush()
    return queued
