"""Forty people press "register" at once for fifteen seats: exactly fifteen get a seat, the
others wait in the order of the waiting-list policy (arrival, or a priority first), and a
withdrawal promotes exactly the first of them. Under every policy. Each thread has its own
application context, hence its own database connection."""
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.attendance import services as attendance
from gfp_portal.core.tables import to_csv
from gfp_portal.extensions import db
from gfp_portal.parity import imports
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Person
from gfp_portal.sessions import registration, services
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession
from tests.helpers import run_together

PEOPLE, SEATS = 40, 15
POLICIES = ("first_come", "coverage_gap", "not_trained", "below_parity")


class Crowd:
    """People for a popular session under `policy`: alternates of UNDP (whose focal point at
    headquarters makes their scope covered), and trained on the topic; under a priority policy,
    every third one is someone it puts first (the focal point of an entity with no alternate,
    someone never trained on the topic, or an alternate of UNFPA, whose figures are below the
    parity range where UNDP's are within it)."""

    def __init__(self, coordinator, policy, start):
        self.coordinator, self.policy, self.start = coordinator, policy, start
        self.entities = iter(db.session.scalars(
            select(Entity).where(Entity.acronym != "UNDP").order_by(Entity.id)).all())
        self.undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        self.unfpa = db.session.scalars(select(Entity).filter_by(acronym="UNFPA")).one()
        self.first = set()  # the ids of the people the policy puts first
        head = registry.create_person({"given_name": "Head", "family_name": "UNDP",
                                       "email": "fp@undp.org"}, actor=coordinator)
        registry.appoint(head, {"role": "focal_point", "entity": self.undp, "unct": None},
                         actor=coordinator)
        self.earlier = self.session("Earlier", start - timedelta(days=2))
        imports.import_whole("parity.csv", to_csv([
            ["entity", "period", "grade", "station", "women", "men"],
            ["UNFPA", "2024-Q4", "P-4", "HQ", 30, 70], ["UNDP", "2024-Q4", "P-4", "HQ", 50, 50]]),
            actor=None)

    def session(self, title, start, policy="first_come"):
        session = services.create_session({
            "title_en": title, "topic": "sexual_harassment", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
            "join_url": "https://meet.example.org/x", "capacity": 1000,
            "waitlist_policy": policy}, actor=self.coordinator)
        services.publish_session(session, actor=self.coordinator)
        return session

    def person(self, n):
        person = registry.create_person({"given_name": "P", "family_name": str(n),
                                         "email": f"p{n}@undp.org"}, actor=self.coordinator)
        priority = self.policy != "first_come" and n % 3 == 1
        if priority and self.policy == "coverage_gap":
            registry.appoint(person, {"role": "focal_point", "entity": next(self.entities),
                                      "unct": None}, actor=self.coordinator)
        elif priority and self.policy == "below_parity":
            registry.appoint(person, {"role": "alternate", "entity": self.unfpa,
                                      "unct": None}, actor=self.coordinator)
        else:
            registry.appoint(person, {"role": "alternate", "entity": self.undp, "unct": None},
                             actor=self.coordinator)
        if not (priority and self.policy == "not_trained"):
            attendance.mark(registration.register(self.earlier, person, actor=None,
                                                  notify=False),
                            "present", actor=self.coordinator)
        if priority:
            self.first.add(person.id)
        return person

    def popular(self, seats):
        """The session they crowd into; the earlier one on its topic is over by then."""
        self.earlier.starts_at = datetime.now(UTC) - timedelta(days=3)
        self.earlier.ends_at = self.earlier.starts_at + timedelta(hours=1)
        session = self.session("Popular", self.start, self.policy)
        session.capacity = seats
        return session

    def in_order(self, waiting):
        """`waiting` (in order of arrival) in the order the policy gives seats."""
        return sorted(waiting, key=lambda r: r.person_id not in self.first)


@pytest.mark.parametrize("policy", POLICIES)
def test_forty_at_once_for_fifteen_seats(app, reference, create_user, policy):
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    start = datetime.now(UTC) + timedelta(days=5)
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        crowd = Crowd(coordinator, policy, start)
        person_ids = [crowd.person(n).id for n in range(PEOPLE)]
        session = crowd.popular(SEATS)
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
        assert queue == crowd.in_order(waiting)
        if policy != "first_come":  # the priority changes the order: some were put first
            assert queue != waiting and queue[0].person_id in crowd.first
        first = [r for r in queue if r.person_id in crowd.first]
        assert [r.waitlisted_at for r in first] == sorted(r.waitlisted_at for r in first)

        registration.cancel(registered[0], actor=None)
        db.session.commit()
        statuses = [db.session.get(Registration, r.id).status for r in queue]
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


@pytest.mark.parametrize("policy", POLICIES)
def test_concurrent_withdrawals_refill_every_seat_in_order(app, reference, create_user,
                                                           policy):
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
        crowd = Crowd(coordinator, policy, start)
        crowd_people = [crowd.person(n) for n in range(people)]
        session = crowd.popular(SEATS)
        for person in crowd_people:
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
            if policy != "first_come":  # a priority person heads the queue while one waits
                assert (queue[0].person_id in crowd.first) == \
                    any(r.person_id in crowd.first for r in queue)
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
