"""Two coordinators save the same thing at the same moment (two focal points for one scope,
one person added twice): the database keeps one; the other coordinator is told that nothing
was saved, on the page with what they typed, never a server error."""
import logging

from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.extensions import db
from gfp_portal.registry import services
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from tests.helpers import at_once, entity, meet_first, signed_in

COLLIDED = "Someone else changed this at the same moment"


def _coordinators(create_user):
    create_user("coord1@example.org", roles=["coordinator"])
    create_user("coord2@example.org", roles=["coordinator"])


def _one_refused(answers):
    """The answer that was refused (a page shown again); the other saved (a redirect)."""
    assert sorted(str(answer[0]) for answer in answers) == ["200", "302"], answers
    refused, = (answer for answer in answers if answer.status == 200)
    return refused.page


def test_two_focal_points_appointed_for_one_scope_at_once(app, reference, create_user,
                                                          monkeypatch):
    _coordinators(create_user)
    with app.app_context():
        ids = [services.create_person({"given_name": given, "family_name": "Test",
                                       "email": f"{given.lower()}@undp.org",
                                       "entity": entity("UNDP")}, actor=None).id
               for given in ("Amina", "Jonas")]
        db.session.commit()
    meet_first(monkeypatch, services, "check_new_appointment")  # both found the scope free
    form = {"role": "focal_point", "entity": "UNDP", "scope": "HQ",
            "start_date": "2026-01-01", "appointed_by_name": "Achim Steiner"}
    page = _one_refused(at_once([
        (signed_in(app, f"coord{n}@example.org"), "post",
         f"/registry/people/{person_id}/appointments/new", form)
        for n, person_id in ((1, ids[0]), (2, ids[1]))]))
    assert COLLIDED in page
    assert 'value="Achim Steiner"' in page  # what the coordinator typed is kept
    with app.app_context():
        assert db.session.scalar(select(func.count(Appointment.id)).where(
            Appointment.status == AppointmentStatus.active)) == 1
        assert db.session.scalar(select(func.count(AuditEvent.id)).filter_by(
            action="appointment.create")) == 1


def _add_zoe_twice_at_once(app, create_user, monkeypatch):
    """The page refused to one of two coordinators adding the same person at the same
    moment."""
    _coordinators(create_user)
    meet_first(monkeypatch, services, "find_person_by_email")  # both found the address free
    form = {"given_name": "Zoë", "family_name": "van der Berg", "email": "zoe@unicef.org",
            "entity": "UNICEF", "duty_station": 0, "preferred_language": "fr",
            "time_zone": "Africa/Nairobi"}
    return _one_refused(at_once([(signed_in(app, f"coord{n}@example.org"), "post",
                                  "/registry/people/new", form) for n in (1, 2)]))


def test_one_person_added_twice_at_once(app, reference, create_user, monkeypatch):
    page = _add_zoe_twice_at_once(app, create_user, monkeypatch)
    assert COLLIDED in page
    assert 'value="van der Berg"' in page
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id)).filter_by(
            email="zoe@unicef.org")) == 1
        assert db.session.scalar(select(func.count(AuditEvent.id)).filter_by(
            action="person.create")) == 1


def test_the_log_of_a_collision_names_no_address(app, reference, create_user, monkeypatch,
                                                  caplog):
    """The database names the key it refused with its value (PostgreSQL: "Key
    (lower(email))=(zoe@unicef.org) already exists"): the log says which key and whose save,
    by account id, never the address."""
    caplog.set_level(logging.WARNING, logger="gfp_portal")
    assert COLLIDED in _add_zoe_twice_at_once(app, create_user, monkeypatch)
    logged, = (r.getMessage() for r in caplog.records if "same moment" in r.getMessage())
    assert "zoe@unicef.org" not in caplog.text, logged
    with app.app_context():
        accounts = db.session.scalars(select(User.id).where(User.email.in_(
            ["coord1@example.org", "coord2@example.org"]))).all()
    assert any(f"account {account}" in logged for account in accounts), logged
