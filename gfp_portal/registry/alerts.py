"""Term alerts: which terms end soon or have lapsed and who has been told (the emails themselves:
notices.py)."""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs import hold_lock
from gfp_portal.extensions import db
from gfp_portal.registry import notices, queries
from gfp_portal.registry.models import Appointment, AppointmentAlert, AppointmentStatus
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.services import lapse_ended_terms

# Threshold 0 is the alert sent when a term has lapsed (the run that marks it ended).
LAPSE = 0


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
    signing_in = queries.signing_in({alert.appointment.person_id for alert in alerts})
    for alert in alerts:
        notices.term_alert(alert, signs_in=alert.appointment.person_id in signing_in, now=now)
        summary.sent[alert.threshold] += 1
    for appointment, threshold in covered:
        db.session.add(AppointmentAlert(appointment_id=appointment.id, threshold=threshold,
                                        sent_at=now))
    if alerts:
        summary.digests = notices.term_alerts_digest(alerts, coordinators, now=now)
    db.session.flush()
    return summary
