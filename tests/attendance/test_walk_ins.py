"""Walk-ins: people who joined a session without registering, added after its start and
marked present, by hand or from a meeting report."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.attendance import imports, walk_ins
from gfp_portal.attendance.models import Attendance
from gfp_portal.attendance.services import attendance_of
from gfp_portal.core.audit import events_for
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.sessions import registration
from gfp_portal.sessions.models import Registration
from tests.helpers import ATTENDANCE_FILES, refused

TEAMS = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()


def mails():
    return db.session.scalar(select(func.count(OutboxMessage.id)))


@pytest.fixture
def walker(make_appointee):
    person = make_appointee(given="Kofi")
    person.email = "host.person@example.org"  # the host of the shipped reports
    db.session.flush()
    return person


def test_a_walk_in_is_added_after_the_start_and_marked_present(held, walker, coordinator):
    session, people = held  # full: four seats taken, Zoe waiting
    before = mails()
    during = session.starts_at + timedelta(minutes=20)
    row = walk_ins.add_walk_in(session, walker, actor=coordinator, now=during)
    assert row.status == "registered" and row.registered_at == during
    attendance = attendance_of(row)
    assert (attendance.status, attendance.source, attendance.recorded_by_id) == \
        ("present", "manual", coordinator.id)
    assert registration.registration_of(session, people["Zoe"]).status == "waitlisted"
    assert registration.registered_count(session) == 5  # beyond capacity: nobody lost a seat
    assert mails() == before  # no invitation for a session already under way
    event, = [e for e in events_for("registrations", row.id)
              if e.action == "registration.walk_in"]
    assert event.actor_id == coordinator.id and event.changes["status"] == [None, "registered"]


def test_no_walk_in_before_the_start_or_for_a_cancelled_session(held, walker, coordinator):
    session, _people = held
    refused("not_started", walk_ins.add_walk_in, session, walker, actor=coordinator,
            now=session.starts_at - timedelta(minutes=1))
    session.status = "cancelled"
    refused("not_held", walk_ins.add_walk_in, session, walker, actor=coordinator,
            now=session.ends_at)
    assert db.session.scalar(select(func.count(Registration.id)).where(
        Registration.person_id == walker.id)) == 0


def test_a_waiting_or_withdrawn_person_comes_back_as_a_walk_in(held, coordinator):
    session, people = held
    after = session.ends_at + timedelta(hours=1)
    row = walk_ins.add_walk_in(session, people["Zoe"], actor=coordinator, now=after)
    assert row.status == "registered" and attendance_of(row).status == "present"
    registration.cancel(registration.registration_of(session, people["Li"]),
                        actor=coordinator, now=after, by_coordinator=True)
    row = walk_ins.add_walk_in(session, people["Li"], actor=coordinator, now=after)
    assert row.status == "registered" and attendance_of(row).status == "present"
    assert db.session.scalar(select(func.count(Registration.id))) == 5  # no duplicate


def test_the_candidates_are_found_by_name_or_email_and_exclude_the_registered(
        held, walker, coordinator):
    session, _people = held
    assert [p.id for p in walk_ins.candidates(session, "kofi")] == [walker.id]
    assert [p.id for p in walk_ins.candidates(session, "HOST.PERSON@")] == [walker.id]
    assert walk_ins.candidates(session, "Amina") == []  # already registered
    assert walk_ins.candidates(session, " ") == []


def test_the_import_offers_people_of_the_registry_as_walk_ins(held, walker, coordinator):
    session, _people = held
    _report, lines = imports.plan(session, TEAMS)
    host, = [line for line in lines if line.registration is None]
    assert host.walk_in == walker
    imports.apply(session, TEAMS, filename="a.csv", confirmed={}, actor=coordinator)
    assert registration.registration_of(session, walker) is None  # not ticked: left out


def test_confirmed_walk_ins_of_a_report_are_added_and_marked(held, walker, coordinator):
    session, _people = held
    before = mails()
    _report, lines = imports.plan(session, TEAMS)
    host, = [line for line in lines if line.registration is None]
    record, marked = imports.apply(session, TEAMS, filename="a.csv", confirmed={},
                                   walk_ins={host.number: walker.id}, actor=coordinator,
                                   now=session.ends_at)
    row = registration.registration_of(session, walker)
    attendance = attendance_of(row)
    assert (row.status, attendance.status, attendance.minutes, attendance.source) == \
        ("registered", "present", 90, "import")
    assert attendance.import_id == record.id and marked == 4
    assert mails() == before


def test_a_walk_in_ticked_for_someone_else_is_ignored(held, walker, coordinator, make_appointee):
    session, _people = held
    other = make_appointee(given="Other")
    _report, lines = imports.plan(session, TEAMS)
    host, = [line for line in lines if line.registration is None]
    imports.apply(session, TEAMS, filename="a.csv", confirmed={},
                  walk_ins={host.number: other.id, 999: walker.id}, actor=coordinator,
                  now=session.ends_at)
    assert registration.registration_of(session, other) is None
    assert registration.registration_of(session, walker) is None
    assert db.session.scalar(select(func.count(Attendance.id))) == 3
