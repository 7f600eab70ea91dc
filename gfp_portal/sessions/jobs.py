"""Sessions' jobs: registering a group, the notices of a changed or cancelled session, and
the periodic reminders."""
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import current_language
from gfp_portal.core.jobs import JobPage, job, periodic
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.sessions import registration
from gfp_portal.sessions.models import RegistrationStatus, SessionStatus, TrainingSession
from gfp_portal.sessions.services import Notified, send_notices, send_reminders


def _session(session_id):
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise DomainError("no_session", _l("This session no longer exists."))
    return session


def _back_to(endpoint):
    def back(params):
        session = db.session.get(TrainingSession, params["session_id"])
        if session is None:
            return None
        language = current_language()
        return (url_for(endpoint, session_id=session.id), session.text("title", language),
                session.text_language("title", language))
    return back


def _group_outcome(result):
    lines = [ngettext("%(registered)s registered and %(waitlisted)s on the waiting list, out "
                      "of %(num)s person matching.",
                      "%(registered)s registered and %(waitlisted)s on the waiting list, out "
                      "of %(num)s people matching.", result["matching"],
                      registered=result["registered"], waitlisted=result["waitlisted"]),
             ngettext("%(num)s invitation is queued for sending.",
                      "%(num)s invitations are queued for sending.", result["invitations"])]
    # A job that ran before people were left out has no "term_ends_before".
    if result.get("term_ends_before"):
        lines.append(ngettext(
            "%(num)s person is left out: their term ends before the session.",
            "%(num)s people are left out: their terms end before the session.",
            result["term_ends_before"]))
    return lines


@job("sessions.register-group", JobPage(_l("Group registration"), _group_outcome,
                                        _back_to("sessions.manage.roster")))
def register_group(run, *, session_id, person_ids):
    """Register the people `person_ids` (in that order) for the session, all or none."""
    session = _session(session_id)
    people = {p.id: p for p in db.session.scalars(select(Person).where(
        Person.id.in_(person_ids)))}
    actor = db.session.get(User, run.actor_id) if run.actor_id else None
    run.progress(0, len(person_ids))
    counts = registration.register_group(
        session, [people[i] for i in person_ids if i in people], actor=actor, now=run.now,
        progress=run.progress)
    return {"session_id": session_id, "matching": len(person_ids),
            "registered": counts[RegistrationStatus.registered],
            "waitlisted": counts[RegistrationStatus.waitlisted],
            "invitations": counts["invitations"],
            "term_ends_before": counts["term_ends_before"]}


def _notices_outcome(result):
    if result["kind"] == "updated" and result.get("superseded"):
        return [_("The session was cancelled in the meantime: its cancellation notice "
                  "replaces the update.")]
    # A job that ran before guests were counted has no "guests".
    notified = Notified(result["notified"], result.get("guests", 0))
    if notified.guests:
        return [_("The updated invitation is queued for %(people)s and %(guests)s.",
                  **notified.counted()) if result["kind"] == "updated" else
                _("The cancellation is queued for %(people)s and %(guests)s.",
                  **notified.counted())]
    if result["kind"] == "updated":
        return [ngettext("The updated invitation is queued for %(num)s registered person.",
                         "The updated invitation is queued for %(num)s registered people.",
                         notified.people)]
    return [ngettext("The cancellation is queued for %(num)s registered person.",
                     "The cancellation is queued for %(num)s registered people.",
                     notified.people)]


@job("sessions.notify-change", JobPage(_l("Notices of a session change"), _notices_outcome,
                                       _back_to("sessions.detail")))
def notify_change(run, *, session_id, kind, since=None):
    """Send the notice of `kind` ("updated" or "cancelled") to everyone registered who does
    not hold the change's SEQUENCE (`since`; a job queued without it: the session's) or a
    later one, with the SEQUENCE the session has now: a later change sends the later one."""
    session = _session(session_id)
    registration.lock_seats(session)
    result = {"session_id": session_id, "kind": kind, "sequence": session.ical_sequence}
    if kind == "updated" and session.status != SessionStatus.published:
        return {**result, "notified": 0, "superseded": True}
    notified = send_notices(session, kind, now=run.now, since=since, progress=run.progress)
    return {**result, "notified": notified.people, "guests": notified.guests}


def _reminders_outcome(result):
    return [ngettext("%(num)s session reminder sent.", "%(num)s session reminders sent.",
                     result.get("reminders", 0))]


@periodic("sessions.send-reminders", JobPage(_l("Session reminders"), _reminders_outcome))
def reminders(run):
    return {"reminders": send_reminders(now=run.now)}
