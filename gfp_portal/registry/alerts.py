"""Term alerts: tell focal points and coordinators that a term ends soon or has lapsed."""
from dataclasses import dataclass, field
from datetime import timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gfp_portal.core.db import utcnow
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.outbox import queue_email
from gfp_portal.extensions import db
from gfp_portal.registry.models import Appointment, AppointmentAlert, AppointmentStatus
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.services import lapse_ended_terms

# Threshold 0 is the alert sent when a term has lapsed (the run that marks it ended).
LAPSE = 0

SUBJECT_ENDING = _l("Your appointment in the Gender Focal Point network ends soon")
SUBJECT_LAPSED = _l("Your appointment in the Gender Focal Point network has ended")


@dataclass
class Alert:
    appointment: Appointment
    threshold: int
    days_left: int

    @property
    def is_lapse(self):
        return self.threshold == LAPSE


@dataclass
class AlertSummary:
    sent: dict = field(default_factory=dict)  # threshold -> alerts sent
    lapsed: int = 0
    digests: int = 0

    @property
    def total(self):
        return sum(self.sent.values())


def person_link(person):
    return url_for("registry.person", person_id=person.id, _external=True)


def _sent_thresholds(appointment_ids):
    """{appointment id: thresholds already sent}; `appointment_ids` is a list or a select."""
    rows = db.session.execute(select(AppointmentAlert.appointment_id, AppointmentAlert.threshold)
                              .where(AppointmentAlert.appointment_id.in_(appointment_ids))).all()
    sent = {}
    for appointment_id, threshold in rows:
        sent.setdefault(appointment_id, set()).add(threshold)
    return sent


def _due(appointment, thresholds, sent, today):
    """The one alert to send now, and every threshold it covers (larger ones are superseded:
    a 90-day alert never follows the 30-day one)."""
    days_left = (appointment.end_date - today).days
    passed = [t for t in thresholds if days_left <= t]
    if not passed or min(passed) in sent:
        return None, []
    return Alert(appointment, min(passed), days_left), [t for t in passed if t not in sent]


def _with_details(stmt):
    return stmt.options(selectinload(Appointment.person), selectinload(Appointment.entity),
                        selectinload(Appointment.unct))


def _queue_person_alert(alert, now):
    person = alert.appointment.person
    queue_email(person.email, "term_alert",
                subject=SUBJECT_LAPSED if alert.is_lapse else SUBJECT_ENDING,
                locale=mail_locale(person.preferred_language), now=now,
                context={"alert": alert, "appointment": alert.appointment, "person": person,
                         "profile_link": url_for("accounts.me", _external=True)})


def _queue_digests(alerts, coordinators, now):
    alerts = sorted(alerts, key=lambda a: (a.appointment.end_date, a.appointment.id))
    links = {a.appointment.person_id: person_link(a.appointment.person) for a in alerts}
    for user in coordinators:
        queue_email(user.email, "term_alerts_digest",
                    subject=lazy_ngettext("Term alerts: %(num)s appointment ends soon or has "
                                          "ended", "Term alerts: %(num)s appointments end soon "
                                          "or have ended", len(alerts)),
                    locale=mail_locale(user.locale), now=now,
                    context={"user": user, "alerts": alerts, "links": links})
    return len(coordinators)


def send_term_alerts(*, today, coordinators, now=None):
    """Lapse the terms that ended before `today`, then queue the alerts that are due: one per
    appointment (the most urgent threshold passed and not yet sent) to the person, and one
    digest of the whole run to each of the `coordinators` (active users; accounts, above the
    registry, knows who they are). Flushes; the caller commits."""
    now = now or utcnow()
    hold_lock("registry.send-alerts", now=now)
    policy = Policy.current()
    thresholds = sorted({int(t) for t in policy.alert_days if int(t) > 0})
    alerts, covered = [], []

    lapsed = lapse_ended_terms(today=today, now=now)
    sent = _sent_thresholds([a.id for a in lapsed])
    for appointment in lapsed:
        done = sent.get(appointment.id, set())
        if LAPSE not in done:
            alerts.append(Alert(appointment, LAPSE, (appointment.end_date - today).days))
            covered += [(appointment, t) for t in [LAPSE, *thresholds] if t not in done]

    if thresholds:
        window = (Appointment.status == AppointmentStatus.active,
                  Appointment.end_date.is_not(None),
                  Appointment.end_date <= today + timedelta(days=max(thresholds)))
        candidates = db.session.scalars(_with_details(select(Appointment).where(*window))
                                        .order_by(Appointment.end_date, Appointment.id)).all()
        sent = _sent_thresholds(select(Appointment.id).where(*window))
        for appointment in candidates:
            alert, thresholds_covered = _due(appointment, thresholds,
                                             sent.get(appointment.id, set()), today)
            if alert is not None:
                alerts.append(alert)
                covered += [(appointment, t) for t in thresholds_covered]

    summary = AlertSummary(sent={t: 0 for t in [*reversed(thresholds), LAPSE]},
                           lapsed=len(lapsed))
    for alert in alerts:
        _queue_person_alert(alert, now)
        summary.sent[alert.threshold] += 1
    for appointment, threshold in covered:
        db.session.add(AppointmentAlert(appointment_id=appointment.id, threshold=threshold,
                                        sent_at=now))
    if alerts:
        summary.digests = _queue_digests(alerts, coordinators, now)
    db.session.flush()
    return summary
