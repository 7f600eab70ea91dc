"""The emails of the registry, each in its recipient's language: term alerts to the person and
their digest to the coordinators."""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext

from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email

SUBJECT_ENDING = _l("Your appointment in the Gender Focal Point network ends soon")
SUBJECT_LAPSED = _l("Your appointment in the Gender Focal Point network has ended")


def _person_link(person):
    return url_for("registry.person", person_id=person.id, _external=True)


def term_alert(alert, *, signs_in, now):
    """To the person: their term ends soon, or has ended (`alert.is_lapse`). One who
    `signs_in` to the portal is sent to their profile; anyone else (no account, or one they
    cannot sign in with) to the Office's mailbox."""
    person = alert.appointment.person
    queue_email(person.email, "term_alert",
                subject=SUBJECT_LAPSED if alert.is_lapse else SUBJECT_ENDING,
                locale=mail_locale(person.preferred_language), now=now,
                context={"alert": alert, "appointment": alert.appointment, "person": person,
                         "profile_link": url_for("accounts.me", _external=True)
                         if signs_in else None,
                         "office": current_app.config["ORGANIZER_EMAIL"]})


def term_alerts_digest(alerts, coordinators, *, now):
    """To each coordinator: every alert of the run, soonest end first. Returns how many were
    queued."""
    alerts = sorted(alerts, key=lambda a: (a.appointment.end_date, a.appointment.id))
    links = {a.appointment.person_id: _person_link(a.appointment.person) for a in alerts}
    for user in coordinators:
        queue_email(user.email, "term_alerts_digest",
                    subject=lazy_ngettext("Term alerts: %(num)s appointment ends soon or has "
                                          "ended", "Term alerts: %(num)s appointments end soon "
                                          "or have ended", len(alerts)),
                    locale=mail_locale(user.locale), now=now,
                    context={"user": user, "alerts": alerts, "links": links})
    return len(coordinators)
