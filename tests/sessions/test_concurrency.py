"""Forty people press "register" at once for fifteen seats: exactly fifteen get a seat, the
others wait in the order they arrived, and a withdrawal promotes exactly the first of them.
Each thread has its own application context, hence its own database connection."""
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Person
from gfp_portal.sessions import registration, services
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession
from tests.helpers import run_together

PEOPLE, SEATS = 40, 15


def test_forty_at_once_for_fifteen_seats(app, reference, create_user):
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    start = datetime.now(UTC) + timedelta(days=5)
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        person_ids = []
        for n in range(PEOPLE):
            person = registry.create_person({"given_name": "P", "family_name": str(n),
                                             "email": f"p{n}@undp.org"}, actor=coordinator)
            registry.appoint(person, {"role": "alternate", "entity": undp, "unct": None},
                             actor=coordinator)
            person_ids.append(person.id)
        session = services.create_session({
            "title_en": "Popular", "topic": "sexual_harassment", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
            "join_url": "https://meet.example.org/x", "capacity": SEATS}, actor=coordinator)
        services.publish_session(session, actor=coordinator)
        db.session.commit()
        session_id = session.id

    barrier = threading.Barrier(PEOPLE)
    errors = []

    def press_register(person_id):
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                registration.register(db.session.get(TrainingSession, session_id),
                                      db.session.get(Person, person_id), actor=None)
                db.session.commit()
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(repr(error))

    run_together(press_register, [(p,) for p in person_ids])
    assert errors == []

    with app.app_context():
        rows = db.session.scalars(select(Registration).where(
            Registration.session_id == session_id).order_by(Registration.id)).all()
        assert len(rows) == PEOPLE
        registered = [r for r in rows if r.status == RegistrationStatus.registered]
        waiting = [r for r in rows if r.status == RegistrationStatus.waitlisted]
        assert (len(registered), len(waiting)) == (SEATS, PEOPLE - SEATS)
        # Rows are written while the seat lock is held: their order is the order of arrival.
        assert registered == rows[:SEATS] and waiting == rows[SEATS:]
        queue = registration.waitlist(db.session.get(TrainingSession, session_id))
        assert queue == waiting
        assert [r.waitlisted_at for r in queue] == sorted(r.waitlisted_at for r in queue)

        registration.cancel(registered[0], actor=None)
        db.session.commit()
        statuses = [db.session.get(Registration, r.id).status for r in waiting]
        assert statuses[0] == RegistrationStatus.registered
        assert all(s == RegistrationStatus.waitlisted for s in statuses[1:])
        assert registration.registered_count(
            db.session.get(TrainingSession, session_id)) == SEATS


def _method(message):
    """REQUEST or CANCEL for a session notice with an invitation, else None."""
    return message.parts[0]["params"]["method"] if message.parts else None


def press_withdraw(app, registration_id, barrier, errors):
    try:
        with app.app_context():
            # As the withdraw page does: the registration is loaded first.
            mine = db.session.get(Registration, registration_id)
            assert mine.status != RegistrationStatus.cancelled
            barrier.wait(timeout=30)
            registration.cancel(mine, actor=None)
            db.session.commit()
    except Exception as error:  # noqa: BLE001 — reported below
        errors.append(repr(error))


def test_concurrent_withdrawals_refill_every_seat_in_order(app, reference, create_user):
    """Ten people withdraw at once, round after round: six seated and the first four waiting.
    Each withdrawer's registration is read as the page reads it, before the seat lock, so a
    waiting person can be promoted by another withdrawal in between; the decision must follow
    the state under the lock: every seat is refilled in waiting-list order, and whoever got an
    invitation gets exactly one CANCEL."""
    from gfp_portal.core.outbox import OutboxMessage

    rounds, seated_leaving, waiting_leaving = 4, 6, 4
    people = SEATS + rounds * (seated_leaving + 2 * waiting_leaving) + 2
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    start = datetime.now(UTC) + timedelta(days=5)
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        session = services.create_session({
            "title_en": "Popular", "topic": "sexual_harassment", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
            "join_url": "https://meet.example.org/x", "capacity": SEATS}, actor=coordinator)
        services.publish_session(session, actor=coordinator)
        for n in range(people):
            person = registry.create_person({"given_name": "P", "family_name": str(n),
                                             "email": f"p{n}@undp.org"}, actor=coordinator)
            registry.appoint(person, {"role": "alternate", "entity": undp, "unct": None},
                             actor=coordinator)
            registration.register(session, person, actor=None)
        db.session.commit()
        session_id = session.id

    for _round in range(rounds):
        with app.app_context():
            session = db.session.get(TrainingSession, session_id)
            seated = db.session.scalars(select(Registration).where(
                Registration.session_id == session_id,
                Registration.status == RegistrationStatus.registered)
                .order_by(Registration.id)).all()
            queue = registration.waitlist(session)
            leaving = [r.id for r in seated[:seated_leaving] + queue[:waiting_leaving]]
            staying = [r.id for r in queue[waiting_leaving:]]
            expected_seated = ({r.id for r in seated[seated_leaving:]} |
                               set(staying[:seated_leaving]))
            expected_waiting = staying[seated_leaving:]
        barrier = threading.Barrier(len(leaving))
        errors = []

        run_together(press_withdraw, [(app, r, barrier, errors) for r in leaving])
        assert errors == []

        with app.app_context():
            session = db.session.get(TrainingSession, session_id)
            rows = db.session.scalars(select(Registration).where(
                Registration.session_id == session_id)).all()
            status = {r.id: r.status for r in rows}
            assert all(status[r] == RegistrationStatus.cancelled for r in leaving)
            assert {r for r, s in status.items() if s == RegistrationStatus.registered} \
                == expected_seated
            assert [r.id for r in registration.waitlist(session)] == expected_waiting

    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage)).all()
        for row in db.session.scalars(select(Registration).where(
                Registration.session_id == session_id)):
            methods = [_method(m) for m in mails if m.recipient == row.person.email]
            invited = methods.count("REQUEST") > 0
            if row.status == RegistrationStatus.cancelled:
                assert methods.count("CANCEL") == (1 if invited else 0), row.person.email
            else:
                assert methods.count("CANCEL") == 0
                assert methods.count("REQUEST") == (
                    1 if row.status == RegistrationStatus.registered else 0)
