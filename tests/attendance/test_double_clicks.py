"""Two requests at once on "Send my evaluation", "Issue my certificate" or "Check in" (a double
click), a check-in as the host marks everyone present, a walk-in added or a register saved by
two hosts: one records, the other is told it is done or finds it recorded; never a database
error (a 500)."""
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from gfp_portal.attendance import certificates, evaluations, register, services, walk_ins
from gfp_portal.attendance.models import Attendance, Certificate, EvaluationAnswer
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry_services
from gfp_portal.registry.models import Person
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.helpers import at_once, entity, meet_first, run_together, signed_in
from tests.markup import filled_form

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


def _marks(app):
    with app.app_context():
        return db.session.execute(select(Attendance.status, Attendance.source)).all()


def _check_in_code(app, session_id):
    with app.app_context():
        return services.check_in_code(db.session.get(TrainingSession, session_id))


def test_check_in_sent_twice_at_once(app, running, monkeypatch):
    code = _check_in_code(app, running["session"])
    url = f"/sessions/{running['session']}/check-in"
    person = [signed_in(app, "amina.diallo@example.org") for _ in range(2)]
    meet_first(monkeypatch, services, "attendance_of", caller="mark")  # both found no mark
    answers = at_once([(person[0], "post", url, {"code": code}),
                       (person[1], "post", url, {"code": code})])
    assert [answer[0] for answer in answers] == [302, 302], answers
    assert [(s.value, source.value) for s, source in _marks(app)] == [
        ("present", "self_check_in")]


def test_check_in_as_the_host_marks_everyone_present(app, running, monkeypatch):
    """Whichever request records its mark first, the other marks the same row: the host's
    batch is kept whole."""
    code, session = _check_in_code(app, running["session"]), running["session"]
    person = signed_in(app, "amina.diallo@example.org")
    host = signed_in(app, "coord@example.org")
    meet_first(monkeypatch, services, "attendance_of", caller="mark")
    answers = at_once([
        (host, "post", f"/sessions/{session}/attendance/all-present", {"confirmed": "1"}),
        (person, "post", f"/sessions/{session}/check-in", {"code": code})])
    assert [answer[0] for answer in answers] == [302, 302], answers
    assert [status.value for status, _ in _marks(app)] == ["present"]


def test_walk_in_added_twice_at_once(app, running, create_user, monkeypatch):
    create_user("coord2@example.org", roles=["coordinator"])
    with app.app_context():
        person_id = registry_services.create_person(
            {"given_name": "Jonas", "family_name": "Berg", "email": "jonas.berg@undp.org",
             "entity": entity("UNDP")}, actor=None).id
        db.session.commit()
    hosts = signed_in(app, "coord@example.org"), signed_in(app, "coord2@example.org")
    meet_first(monkeypatch, walk_ins, "registration_of")  # both found no registration
    url = f"/sessions/{running['session']}/attendance/walk-in"
    answers = at_once([(host, "post", url, {"person": str(person_id)}) for host in hosts])
    assert [answer[0] for answer in answers] == [302, 302], answers
    with app.app_context():
        registrations = db.session.scalars(select(Registration).filter_by(
            person_id=person_id)).all()
        assert [r.status.value for r in registrations] == ["registered"]
        assert db.session.scalar(select(Attendance.status).filter_by(
            registration_id=registrations[0].id)).value == "present"


def test_one_mark_changed_by_two_hosts_at_once(app, running, create_user, monkeypatch):
    """Both pages showed the person present; one host records excused, the other absent, at
    the same moment. The later save is judged on the mark the first recorded, not the one
    both pages showed: refused, saying so, and the first mark stays."""
    create_user("coord2@example.org", roles=["coordinator"])
    with app.app_context():
        row = db.session.scalars(select(Registration)).one()
        services.mark(row, "present", minutes=90, actor=None)
        db.session.commit()
        row_id = row.id
    hosts = signed_in(app, "coord@example.org"), signed_in(app, "coord2@example.org")
    url = f"/sessions/{running['session']}/attendance"
    pages = [filled_form(host.get(url).get_data(as_text=True), f"status-{row_id}")
             for host in hosts]
    pages[0][f"status-{row_id}"], pages[1][f"status-{row_id}"] = "excused", "absent"
    # Both read the marks before either writes, unless the first keeps the second waiting.
    meet_first(monkeypatch, register, "_marks_now", caller="mark_register", timeout=2)
    answers = at_once([(host, "post", url + "?lang=en", page)
                       for host, page in zip(hosts, pages, strict=True)])
    assert sorted(answer[0] for answer in answers) == [200, 302], answers
    kept = "excused" if answers[0][0] == 302 else "absent"
    assert [status.value for status, _ in _marks(app)] == [kept]
    assert "While this page was open" in next(a.page for a in answers if a[0] == 200)
