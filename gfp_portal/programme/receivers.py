"""Guests hear of a session's changes as everyone registered does."""
from gfp_portal.programme.guests import notify_guests
from gfp_portal.sessions.signals import session_notified


@session_notified.connect
def _tell_guests(session, *, kind, now, **_extra):
    notify_guests(session, kind=kind, now=now)
