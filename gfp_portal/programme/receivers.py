"""Guests hear of a session's changes as everyone registered does; invitations carry the
agenda; the agenda moves with its session."""
from gfp_portal.programme.agenda import follow_session, invitation_lines
from gfp_portal.programme.guests import notify_guests
from gfp_portal.sessions.notices import INVITATION_EXTRAS
from gfp_portal.sessions.signals import session_moved, session_notified

if invitation_lines not in INVITATION_EXTRAS:
    INVITATION_EXTRAS.append(invitation_lines)


@session_notified.connect
def _tell_guests(session, *, kind, now, **_extra):
    notify_guests(session, kind=kind, now=now)


@session_moved.connect
def _move_agenda(session, *, starts_before, actor, now, **_extra):
    follow_session(session, starts_before, actor=actor, now=now)
