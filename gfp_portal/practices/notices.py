"""The emails of the good-practice workflow, each in its recipient's language."""
from flask import url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.core.i18n import choose_version, mail_locale
from gfp_portal.core.outbox import queue_email


def decision(practice, *, actor_id, now):
    """To the submitter: the Office published their practice, or asks for changes."""
    user = practice.submitter
    if user is None or user.id == actor_id:
        return  # nobody to tell, or the Office deciding on what it submitted itself
    language = mail_locale(user.locale)
    # Its title in the submitter's language when the practice has it, as its page shows it.
    version, __ = choose_version(practice, language)
    title = version.title if version is not None else str(practice)
    subject = _l("Your good practice is published: %(title)s", title=title) \
        if practice.state == "published" else \
        _l("Changes requested to your good practice: %(title)s", title=title)
    queue_email(user.email, "practice_decision", locale=language, now=now,
                subject=subject,
                context={"user": user, "practice": practice, "title": title,
                         "link": url_for("practices.detail", practice_id=practice.id,
                                         _external=True)})
