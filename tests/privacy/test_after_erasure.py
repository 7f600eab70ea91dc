"""Once a person or a guest is anonymised, nothing the Office does later writes to them: a
correction or the cancellation of a session they held a place in, the removal of their place.
Their places stay (the figures of the sessions), their addresses are gone or erased."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.privacy import retention
from gfp_portal.privacy.anonymise import ANONYMOUS_DOMAIN, anonymise_person
from gfp_portal.programme import guests as programme
from gfp_portal.programme.models import Guest, GuestRegistration
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, EndReason
from gfp_portal.sessions import registration as registrations
from gfp_portal.sessions import services as sessions
from tests.helpers import NOW, signed_in
from tests.markup import filled_form

CORRECTED = "Enabling environment (corrected)"
LATER = NOW + timedelta(days=10)


def fields(session, **changes):
    """What the session's edit form sends: its values, with `changes`."""
    keys = ("title_en", "topic", "format", "starts_at", "ends_at", "time_zone", "join_url",
            "capacity", "audience", "languages", "venue", "description_en")
    return {**{key: getattr(session, key) for key in keys}, **changes}


def written_since(last_id):
    """(recipient, template) of the emails queued after the message `last_id`."""
    return [(m.recipient, m.template) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id > (last_id or 0))
        .order_by(OutboxMessage.id))]


def last_message():
    return db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))


def to_nobody_anonymised(written):
    return [row for row in written if row[0] is None or row[0].endswith(ANONYMOUS_DOMAIN)]


def guest_of(session, name, email):
    guest = Guest(name=name, email=email, organisation="Universidad de Lima",
                  sector="academia", created_at=session.starts_at - timedelta(days=20))
    db.session.add(guest)
    place = GuestRegistration(session=session, guest=guest, status="registered",
                              attendance="present")
    db.session.add(place)
    return guest, place


@pytest.fixture
def past_with_anonymised_guest(ctx, reference, coordinator, make_session):
    """A session over for 100 days whose guest the guest data period (30 days) anonymised;
    a guest of a session to come stays."""
    past = make_session(starts_in=-timedelta(days=100))
    _guest, place = guest_of(past, "Ana Guest Example", "ana@uni.example")
    update_settings({"privacy.guest_data_days": 30}, actor=None, now=NOW)
    db.session.commit()
    assert retention.clear_guest_data(now=NOW)[0] == 1
    db.session.commit()
    return past, place


def test_a_correction_of_the_session_writes_to_no_anonymised_guest(
        past_with_anonymised_guest, coordinator):
    past, _place = past_with_anonymised_guest
    before = last_message()
    _changes, notified, _job = sessions.update_session(
        past, fields(past, title_en=CORRECTED), actor=coordinator, now=NOW)
    db.session.commit()
    assert (notified.guests, to_nobody_anonymised(written_since(before))) == (0, [])


def test_the_cancellation_of_the_session_writes_to_no_anonymised_guest(
        past_with_anonymised_guest, coordinator):
    past, _place = past_with_anonymised_guest
    assert sessions.notified_by_change(past).guests == 0
    before = last_message()
    notified, _job = sessions.cancel_session(past, reason="Recorded twice.",
                                             actor=coordinator, now=NOW)
    db.session.commit()
    assert (notified.guests, to_nobody_anonymised(written_since(before))) == (0, [])


def test_the_removal_of_an_anonymised_guest_s_place_writes_to_nobody(
        past_with_anonymised_guest, coordinator):
    _past, place = past_with_anonymised_guest
    before = last_message()
    programme.cancel_place(db.session.get(GuestRegistration, place.id), actor=coordinator,
                           now=NOW)
    db.session.commit()
    assert written_since(before) == []


def test_the_edit_page_of_a_past_session_saves_after_its_guests_were_anonymised(
        app, reference, create_user):
    """The coordinator corrects the title of a session whose guest the retention period
    anonymised (no address left): the page saves and redirects."""
    now = datetime.now(UTC)
    with app.app_context():
        coordinator = db.session.get(User, create_user("coord@example.org",
                                                       roles=["coordinator"]))
        session = sessions.create_session({
            "title_en": "Enabling environment", "topic": "enabling_environment",
            "format": "virtual", "starts_at": now - timedelta(days=100),
            "ends_at": now - timedelta(days=100) + timedelta(hours=2),
            "time_zone": "Europe/Zurich", "join_url": "https://meet.example.org/gfp",
            "languages": "en", "capacity": 10, "audience": "both"},
            actor=coordinator, now=now - timedelta(days=120))
        sessions.publish_session(session, actor=coordinator, now=now - timedelta(days=120))
        guest_of(session, "Ana Guest Example", "ana@uni.example")
        update_settings({"privacy.guest_data_days": 30}, actor=None, now=now)
        db.session.commit()
        assert retention.clear_guest_data(now=now)[0] == 1
        db.session.commit()
        session_id = session.id
    client = signed_in(app, "coord@example.org")
    data = filled_form(client.get(f"/sessions/{session_id}/edit").get_data(as_text=True),
                       "title_en")
    data["title_en"] = CORRECTED
    response = client.post(f"/sessions/{session_id}/edit", data=data)
    assert response.status_code == 302, response.status_code


@pytest.fixture
def past_with_anonymised_person(ctx, reference, coordinator, make_appointee, make_session):
    """A session held the day after NOW: one person who attended it left five days later and
    was anonymised ten days later (their place stays); another, still in office, attended
    too."""
    session = make_session(starts_in=timedelta(days=1))
    leaving, staying = make_appointee(), make_appointee()
    for person in (leaving, staying):
        registrations.register(session, person, actor=coordinator, now=NOW)
    term = db.session.scalars(select(Appointment).filter_by(person_id=leaving.id)).one()
    registry.end_appointment(term, reason=EndReason.left_entity,
                             ended_on=NOW.date() + timedelta(days=5), actor=coordinator,
                             now=NOW + timedelta(days=5))
    db.session.commit()
    anonymise_person(leaving, actor=coordinator, now=LATER)
    db.session.commit()
    return session, leaving, staying


def test_a_correction_of_the_session_writes_to_no_anonymised_person(
        past_with_anonymised_person, coordinator):
    session, _leaving, staying = past_with_anonymised_person
    before = last_message()
    _changes, notified, _job = sessions.update_session(
        session, fields(session, title_en=CORRECTED), actor=coordinator, now=LATER)
    db.session.commit()
    assert (notified.people, written_since(before)) == (
        1, [(staying.email, "session_notice")])


def test_the_cancellation_of_the_session_writes_to_no_anonymised_person(
        past_with_anonymised_person, coordinator):
    session, _leaving, staying = past_with_anonymised_person
    assert sessions.notified_by_change(session).people == 1
    before = last_message()
    notified, _job = sessions.cancel_session(session, reason="Recorded twice.",
                                             actor=coordinator, now=LATER)
    db.session.commit()
    assert (notified.people, written_since(before)) == (
        1, [(staying.email, "session_notice")])


def test_the_removal_of_an_anonymised_person_s_place_writes_to_nobody(
        past_with_anonymised_person, coordinator):
    session, leaving, _staying = past_with_anonymised_person
    place = registrations.registration_of(session, leaving)
    assert registrations.removal_preview(place, now=LATER)["emailed"] is False
    before = last_message()
    registrations.cancel(place, actor=coordinator, now=LATER, by_coordinator=True)
    db.session.commit()
    assert written_since(before) == []


def test_a_session_moved_ahead_reminds_no_anonymised_person(past_with_anonymised_person,
                                                             coordinator):
    """The Office moves the session held to a later date (it was recorded on the wrong
    one): the people anonymised since keep their place, and are neither told nor reminded."""
    session, _leaving, staying = past_with_anonymised_person
    starts = LATER + timedelta(hours=20)
    before = last_message()
    sessions.update_session(session, fields(session, starts_at=starts,
                                            ends_at=starts + timedelta(hours=2)),
                            actor=coordinator, now=LATER)
    update_settings({"sessions.reminder_hours": 24}, actor=None, now=LATER)
    assert sessions.send_reminders(now=LATER) == 1
    db.session.commit()
    assert to_nobody_anonymised(written_since(before)) == []
    assert {row[0] for row in written_since(before)} == {staying.email}
