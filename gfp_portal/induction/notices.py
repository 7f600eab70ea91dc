"""The emails of the induction path, in the person's language: the first message, invitations
to the next induction sessions at a fair hour for them, and the weekly reminder."""
from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from gfp_portal.core.i18n import choose_version
from gfp_portal.core.outbox import queue_email
from gfp_portal.sessions.notices import language_and_zone, recipients
from gfp_portal.sessions.times import spans

SUBJECTS = {
    "welcome": _l("Welcome to the network: your induction path"),
    "invitation": _l("Your induction: sessions at a good time for you"),
    "reminder": _l("Your induction path: the steps still to do"),
}


def _steps(progress, language):
    """(done, text) of each step, in `language` (inside force_locale)."""
    lines = []
    for step in progress.steps:
        if step.kind == "session":
            lines.append((step.done, step.topic.name(language), "session"))
        else:
            version, _fallback = choose_version(step.resource, language)
            lines.append((step.done, version.title if version else step.resource.slug,
                          step.kind))
    return lines


def induction_mail(progress, sessions, *, kind, now, signs_in, settings=None):
    """To the person on the path: their checklist, and `sessions` (the next induction sessions
    within the working day of their duty station) with links to register; the times read in
    the person's own zone, as in every email about a session (`settings`: recipients() of
    many people at once). The links lead behind the sign-in: only one who `signs_in` gets
    them, anyone else (no account, or one they cannot sign in with) the Office's mailbox."""
    person = progress.path.person
    language, zone = language_and_zone(
        person, recipients([person.id]) if settings is None else settings)
    with force_locale(language):
        listed = [{"title": s.text("title", language),
                   "readings": spans(s, zone, language, isolate=False),
                   "link": url_for("sessions.detail", session_id=s.id, _external=True)
                   if signs_in else None}
                  for s in sessions]
    queue_email(person.email, "induction_reminder", locale=language, now=now,
                subject=SUBJECTS[kind],
                context={"person": person, "kind": kind, "steps": _steps(progress, language),
                         "done": progress.done, "total": progress.total, "sessions": listed,
                         "link": url_for("induction.mine", _external=True) if signs_in else None,
                         "office": current_app.config["ORGANIZER_EMAIL"]})
