"""Emails to guests, in the guest's language: the confirmation link of a place, the
invitation (with its calendar part), later notices and reminder of the session, as everyone
gets them, and the link to its evaluation."""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.attendance.notices import ask_to_evaluate
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email
from gfp_portal.sessions import notices as session_notices


def place_link(registration, raw, *, days, now):
    """The guest's own link: to confirm the address, or (already registered) to reach the
    place again. It grants access, so the message is kept secret."""
    guest, session = registration.guest, registration.session
    language = mail_locale(guest.preferred_language)
    registered = registration.status == "registered"
    title = session.text("title", language)
    subject = _l("Your place at %(title)s", title=title) if registered else \
        _l("Confirm your place: %(title)s", title=title)
    queue_email(guest.email, "guest_place_link", locale=language, now=now, secret=True,
                valid_until=registration.token_expires_at, subject=subject,
                context={"guest": guest, "title": title, "registered": registered,
                         "title_language": session.text_language("title", language),
                         "days": days, "link": url_for("programme.place", token=raw,
                                                       lang=language, _external=True)})


def session_notice(registration, kind, *, now, memo=None):
    """The email of `kind` ("confirmed", "updated", "cancelled") with its invitation; the
    times in the session's own zone (a guest gives none). A guest has no account: the email
    names the Office's mailbox to write to, as it does to a registered person who cannot sign
    in, rather than the session's page. An anonymised guest has no address left: nothing is
    written to them (their place stays, for the session's figures)."""
    guest, session = registration.guest, registration.session
    if guest.anonymised_at is not None:
        return
    session_notices.keep_invitation(registration, kind)
    session_notices.send_to(session, kind, email=guest.email, name=guest.name,
                            language=mail_locale(guest.preferred_language),
                            zone=session.time_zone, now=now, memo=memo,
                            office=current_app.config["ORGANIZER_EMAIL"])


def evaluation_request(registration, raw, *, closes, now):
    """Ask the guest of `registration`, who attended, to evaluate the session through their
    own link (`raw`), until `closes` (read in the session's zone: a guest gives none). The
    link grants access: the message is kept secret."""
    guest, session = registration.guest, registration.session
    language = mail_locale(guest.preferred_language)
    ask_to_evaluate(guest, session, "guest_evaluation", language=language,
                    zone=session.time_zone, closes=closes, now=now, secret=True,
                    valid_until=closes,
                    link=url_for("programme.evaluation", token=raw, lang=language,
                                 _external=True))
