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

    threads = [threading.Thread(target=press_register, args=(p,)) for p in person_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
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
