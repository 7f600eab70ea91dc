"""Emails of the attendance area, in the recipient's language."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.core.outbox import queue_email
from gfp_portal.core.timezones import moment_in
from gfp_portal.sessions import notices as session_notices


def ask_to_evaluate(person, session, template, *, link, language, zone, closes, now,
                    **options):
    """Ask `person` (a person of the network or a guest) to evaluate `session` through `link`,
    in `language`, until `closes` (read in `zone`); `options` go to queue_email (a link that
    grants access is kept secret)."""
    queue_email(person.email, template, locale=language, now=now,
                subject=_l("Your opinion on the session: %(title)s",
                           title=session.text("title", language)),
                context={"person": person, "title": session.text("title", language),
                         "title_language": session.text_language("title", language),
                         "closes": moment_in(closes, zone, language),
                         "plain_closes": moment_in(closes, zone, language, isolate=False),
                         "link": link}, **options)


def evaluation_reminder(registration, *, closes, now):
    """Invite the person of `registration` to evaluate its session, which they may until
    `closes` (read in their zone)."""
    person, session = registration.person, registration.session
    settings = session_notices.recipients([person.id])
    language, zone = session_notices.language_and_zone(person, settings)
    ask_to_evaluate(person, session, "evaluation_reminder", language=language, zone=zone,
                    closes=closes, now=now,
                    link=url_for("evaluations.detail", session_id=session.id, _external=True))
