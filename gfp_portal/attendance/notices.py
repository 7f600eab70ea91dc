"""Emails of the attendance area, in the recipient's language."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.core.outbox import queue_email
from gfp_portal.core.timezones import moment_in
from gfp_portal.sessions import notices as session_notices


def evaluation_reminder(registration, *, closes, now):
    """Invite the person of `registration` to evaluate its session, which they may until
    `closes` (read in their zone)."""
    person, session = registration.person, registration.session
    settings = session_notices.recipients([person.id])
    language, zone = session_notices.language_and_zone(person, settings)
    queue_email(person.email, "evaluation_reminder", locale=language, now=now,
                subject=_l("Your opinion on the session: %(title)s",
                           title=session.text("title", language)),
                context={"person": person, "title": session.text("title", language),
                         "title_language": session.text_language("title", language),
                         "closes": moment_in(closes, zone, language),
                         "plain_closes": moment_in(closes, zone, language, isolate=False),
                         "link": url_for("evaluations.detail", session_id=session.id,
                                         _external=True)})
