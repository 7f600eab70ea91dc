"""Two runs of a periodic command at once (two schedulers, a scheduler and an operator): every
alert and reminder goes out once and neither run fails. Each run has its own application
context, hence its own database connection, and both have read what is due before either
writes: a run waits (up to a few seconds) at its first write for the other to get there."""
import contextlib
import threading
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.sessions import registration, services
from tests.helpers import run_together


def race(app, call, runs=2):
    """Run `call()` in `runs` threads, each in its own app context, committing like the
    command does; the threads meet at their first flush. Returns the errors raised."""
    barrier = threading.Barrier(runs)
    local, errors = threading.local(), []

    def meet(session, flush_context, instances):
        if not getattr(local, "met", False):
            local.met = True
            # A broken barrier: the other run is held back until this one commits.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2)

    def one_run():
        try:
            with app.app_context():
                call()
                db.session.commit()
        except Exception as error:  # noqa: BLE001 — reported to the test
            errors.append(repr(error))

    event.listen(Session, "before_flush", meet)
    try:
        run_together(one_run, [()] * runs)
    finally:
        event.remove(Session, "before_flush", meet)
    return errors


def _entity(acronym):
    return db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()


def _count(template, recipient=None):
    stmt = select(func.count(OutboxMessage.id)).where(OutboxMessage.template == template)
    if recipient is not None:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    return db.session.scalar(stmt)


def test_two_session_reminder_runs_remind_each_person_once(app, reference, create_user):
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    start = datetime.now(UTC) + timedelta(hours=3)
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        session = services.create_session({
            "title_en": "Soon", "topic": "sexual_harassment", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
            "join_url": "https://meet.example.org/x", "capacity": 10}, actor=coordinator)
        services.publish_session(session, actor=coordinator)
        for n in range(3):
            person = registry.create_person({"given_name": "P", "family_name": str(n),
                                             "email": f"p{n}@undp.org"}, actor=coordinator)
            registry.appoint(person, {"role": "alternate", "entity": _entity("UNDP"),
                                      "unct": None}, actor=coordinator)
            registration.register(session, person, actor=None)
        db.session.commit()
        invitations = _count("session_notice")

    assert race(app, services.send_reminders) == []
    with app.app_context():
        assert _count("session_notice") - invitations == 3
        for n in range(3):
            assert _count("session_notice", f"p{n}@undp.org") == 2  # invitation + reminder


def test_two_gap_reminder_runs_mail_each_resident_coordinator_once(app, reference,
                                                                  create_user):
    from gfp_portal.coverage.reminders import send_gap_reminders

    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        kenya.members = [_entity("UNDP"), _entity("WHO")]  # nobody appointed: two gaps
        db.session.commit()
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])

    assert race(app, send_gap_reminders) == []
    with app.app_context():
        assert _count("coverage_reminder", "rc@example.org") == 1


def test_two_term_alert_runs_alert_once_and_neither_fails(app, reference, create_user):
    from gfp_portal.accounts.models import Role
    from gfp_portal.accounts.services import active_users_with_role
    from gfp_portal.registry.alerts import send_term_alerts
    from gfp_portal.registry.models import AppointmentAlert

    today = datetime.now(UTC).date()
    create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        person = registry.create_person({"given_name": "Amina", "family_name": "Diallo",
                                         "email": "amina@undp.org"}, actor=None)
        registry.appoint(person, {"role": "focal_point", "entity": _entity("UNDP"),
                                  "unct": None, "start_date": date(2025, 1, 1),
                                  "end_date": today + timedelta(days=20)}, actor=None)
        db.session.commit()

    assert race(app, lambda: send_term_alerts(
        today=today, coordinators=active_users_with_role(Role.coordinator))) == []
    with app.app_context():
        assert _count("term_alert", "amina@undp.org") == 1
        assert _count("term_alerts_digest", "coord@example.org") == 1
        assert db.session.scalar(select(func.count(AppointmentAlert.id))) == 2  # 30 and 90
