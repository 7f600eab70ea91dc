"""The induction mails, once a day: each person on the path not yet complete is invited to the
next induction sessions at a fair hour for them (once per session), and otherwise reminded of
their checklist at most once a week; a path found complete is recorded as such and gets no
more mail."""
from dataclasses import dataclass

from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs import hold_lock
from gfp_portal.extensions import db
from gfp_portal.induction import notices, queries
from gfp_portal.induction.models import InductionInvitation
from gfp_portal.induction.services import mark_completed
from gfp_portal.registry.queries import current_terms, signing_in
from gfp_portal.sessions.notices import recipients

# In days, not seconds: the daily run starts at whatever second the worker picks it up.
REMIND_EVERY_DAYS = 7


@dataclass
class Outcome:
    invited: int = 0
    reminded: int = 0
    completed: int = 0


def send_induction_mails(*, now=None):
    now = now or utcnow()
    hold_lock("induction.remind", now=now)
    outcome = Outcome()
    paths = queries.open_paths(today=now.date())
    if not paths:
        return outcome
    items = queries.checklist()
    progress = queries.progress_of(paths, items)
    upcoming = queries.upcoming_induction_sessions([t.key for t in items.topics], now=now)
    invited = queries.invited_sessions([p.id for p in paths])
    terms = current_terms([p.person_id for p in paths], today=now.date())
    settings = recipients([p.person_id for p in paths])
    signs_in = signing_in({p.person_id for p in paths})
    for path in paths:
        state = progress[path.id]
        if mark_completed(path, state, now=now):
            outcome.completed += 1
            continue
        fair = queries.next_induction_sessions(state, now=now, upcoming=upcoming,
                                               terms=terms.get(path.person_id, ()))
        new = [s for s in fair if s.id not in invited.get(path.id, set())]
        due = path.reminded_at is None or \
            (now.date() - path.reminded_at.date()).days >= REMIND_EVERY_DAYS
        if new:
            kind = "welcome" if path.reminded_at is None else "invitation"
            notices.induction_mail(state, new, kind=kind, now=now, settings=settings,
                                   signs_in=path.person_id in signs_in)
            db.session.add_all(InductionInvitation(path_id=path.id, session_id=s.id, sent_at=now)
                               for s in new)
            outcome.invited += 1
        elif due:
            kind = "welcome" if path.reminded_at is None else "reminder"
            notices.induction_mail(state, fair, kind=kind, now=now, settings=settings,
                                   signs_in=path.person_id in signs_in)
            outcome.reminded += 1
        else:
            continue
        path.reminded_at = now
    db.session.flush()
    return outcome
