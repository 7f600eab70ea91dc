"""Two requests at once on "Send my evaluation" or "Issue my certificate" (a double click):
one records, the other is told it is done; never a database error (a 500)."""
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from gfp_portal.attendance import certificates, evaluations, services
from gfp_portal.attendance.models import Certificate, EvaluationAnswer
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.helpers import run_together

ANSWER = {"applicable": True, "rating": "good", "belonging": True, "empowered": False}


def _attended_and_ended(app, session_id):
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        services.mark(db.session.scalars(select(Registration)).one(), "present", actor=None)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()


def _twice_at_once(app, running, call):
    outcomes = []

    def press():
        try:
            with app.app_context():
                call(db.session.get(TrainingSession, running["session"]),
                     db.session.get(Person, running["person"]))
                db.session.commit()
                outcomes.append("ok")
        except DomainError as error:
            outcomes.append(error.code)
        except Exception as error:  # noqa: BLE001 — what the user would get as a 500
            outcomes.append(type(error).__name__)
    run_together(press, [(), ()])
    return outcomes


def test_evaluation_sent_twice_at_once(app, running, monkeypatch):
    _attended_and_ended(app, running["session"])
    barrier = threading.Barrier(2)
    checked = evaluations.has_answered

    def has_answered(session, person):  # both requests read "not answered" first
        answered = checked(session, person)
        barrier.wait(timeout=10)
        return answered
    monkeypatch.setattr(evaluations, "has_answered", has_answered)
    outcomes = _twice_at_once(
        app, running, lambda s, p: evaluations.submit(s, p, ANSWER))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EvaluationAnswer)) == 1
    assert sorted(outcomes) == ["already_answered", "ok"], outcomes


def test_certificate_issued_twice_at_once(app, running, monkeypatch):
    _attended_and_ended(app, running["session"])
    barrier = threading.Barrier(2)
    drawn = certificates._new_code

    def new_code():  # both requests found no certificate yet
        barrier.wait(timeout=10)
        return drawn()
    monkeypatch.setattr(certificates, "_new_code", new_code)
    outcomes = _twice_at_once(app, running, certificates.certificate_for)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert outcomes == ["ok", "ok"], outcomes  # the second gets the same certificate
