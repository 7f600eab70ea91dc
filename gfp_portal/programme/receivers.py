"""Guests hear of a session's changes and are reminded of it as everyone registered is, and
are counted among those a change will tell; invitations carry the agenda; the agenda and the
guests' links (and reminders) move with their session; a deleted draft takes its agenda and its
guest invitation links with it; guests who attended are asked to evaluate the session, and
counted among those who may answer it and who did."""
from gfp_portal.attendance.signals import evaluation_respondents, evaluations_due
from gfp_portal.programme import guest_evaluations
from gfp_portal.programme.agenda import delete_agenda, follow_session, invitation_lines
from gfp_portal.programme.guests import (
    delete_invitations,
    keep_links_past,
    notify_guests,
    reached_guest_count,
    remind_again,
    send_reminders,
)
from gfp_portal.sessions.notices import INVITATION_EXTRAS
from gfp_portal.sessions.signals import (
    draft_deleting,
    notice_reach,
    reminders_due,
    session_moved,
    session_notified,
)

if invitation_lines not in INVITATION_EXTRAS:
    INVITATION_EXTRAS.append(invitation_lines)


@session_notified.connect
def _tell_guests(session, *, kind, now, since=None, **_extra):
    return notify_guests(session, kind=kind, now=now, since=since)


@notice_reach.connect
def _count_guests(session, **_extra):
    return reached_guest_count(session)


@session_moved.connect
def _move_programme(session, *, starts_before, actor, now, **_extra):
    follow_session(session, starts_before, actor=actor, now=now)
    keep_links_past(session)
    remind_again(session, starts_before)


@reminders_due.connect
def _remind_guests(_sender, *, now, until, **_extra):
    return send_reminders(now=now, until=until)


@draft_deleting.connect
def _delete_programme(session, *, actor, now, **_extra):
    delete_agenda(session, actor=actor, now=now)
    delete_invitations(session, actor=actor, now=now)


@evaluations_due.connect
def _ask_guests(_sender, *, sessions, now, **_extra):
    return guest_evaluations.send_requests(sessions, now=now)


@evaluation_respondents.connect
def _count_guest_respondents(_sender, *, sessions, **_extra):
    return guest_evaluations.respondents(sessions)
