"""A session's page says what can still be done: nothing to join or book once it is over, and
how to open registration while it is a draft."""
import re
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import format_date
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.attendance import services as attendance
from gfp_portal.attendance.models import Attendance
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from gfp_portal.sessions import registration, services
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import appoint_undp_alternate, login


@pytest.fixture
def people(app, reference, create_user):
    ids = {"coordinator": create_user("coord@example.org", roles=["coordinator"]),
           "fp": create_user("fp@example.org", roles=["focal_point"])}
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, ids["fp"]))
        db.session.commit()
    return ids


def _session(app, ids, *, starts, publish=True, register=False, cancel=False):
    with app.app_context():
        coordinator = db.session.get(User, ids["coordinator"])
        before = starts - timedelta(days=20)
        session = services.create_session({
            "title_en": "Bystander intervention", "topic": "bystander_intervention",
            "format": "virtual", "starts_at": starts, "ends_at": starts + timedelta(hours=1),
            "time_zone": "Africa/Nairobi", "join_url": "https://meet.example.org/secret-room",
            "languages": "en", "capacity": 30, "audience": "both"},
            actor=coordinator, now=before)
        if publish:
            services.publish_session(session, actor=coordinator, now=before)
        if register:
            fp = db.session.get(User, ids["fp"])
            registration.register(session, fp.person, actor=fp, now=before, notify=False)
        if cancel:
            services.cancel_session(session, reason="The speaker is ill", actor=coordinator,
                                    now=before)
        db.session.commit()
        return session.id


def _page(client, session_id):
    return client.get(f"/sessions/{session_id}").get_data(as_text=True)


@pytest.mark.parametrize("who", ["fp", "coordinator"])
def test_a_past_session_offers_no_seats_join_link_or_calendar(app, client, people, login_as,
                                                              who):
    session_id = _session(app, people, starts=datetime.now(UTC) - timedelta(days=3),
                          register=True)
    login(client, "fp@example.org" if who == "fp" else "coord@example.org")
    page = _page(client, session_id)
    assert "This session has ended; registration is closed." in page
    assert ("You were registered." in page) is (who == "fp")
    assert "You are registered." not in page
    assert "seats left" not in page and "seat left" not in page
    assert "secret-room" not in page
    assert f"/sessions/{session_id}.ics" not in page and "Add to my calendar" not in page


def test_an_upcoming_session_still_offers_them(app, client, people):
    session_id = _session(app, people, starts=datetime.now(UTC) + timedelta(days=3),
                          register=True)
    login(client, "fp@example.org")
    page = _page(client, session_id)
    assert "29 seats left" in page and "secret-room" in page and "Add to my calendar" in page
    assert "has ended" not in page


def test_a_draft_says_how_to_open_registration(app, client, people):
    session_id = _session(app, people, starts=datetime.now(UTC) + timedelta(days=3),
                          publish=False)
    login(client, "coord@example.org")
    page = _page(client, session_id).replace("&#34;", '"')
    assert "only the Office sees it and nobody can register yet" in page
    assert "choose “Publish” to open registration" in page


def test_a_cancelled_session_hands_out_no_join_link_nor_check_in(app, client, people):
    """The cancellation email leaves the join link out: so do the page, the .ics and the
    personal calendar feed of the person registered; nobody checks in either."""
    session_id = _session(app, people, starts=datetime.now(UTC) + timedelta(minutes=5),
                          register=True, cancel=True)
    login(client, "fp@example.org")
    page = _page(client, session_id)
    assert "This session is cancelled." in page
    assert "secret-room" not in page and "Shown once you are registered" not in page
    assert f'href="/sessions/{session_id}/check-in"' not in page
    assert "secret-room" not in client.get(f"/sessions/{session_id}.ics").get_data(as_text=True)
    feed = re.search(r"https?://[^/\s\"<]+(/calendar/[^<\s\"]+\.ics)",
                     client.post("/me/calendar").get_data(as_text=True)).group(1)
    calendar = client.get(feed).get_data(as_text=True)
    assert "STATUS:CANCELLED" in calendar and "secret-room" not in calendar
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        fp = db.session.get(User, people["fp"])
        with pytest.raises(DomainError) as refused:
            attendance.check_in(session, fp.person, attendance.check_in_code(session))
        assert refused.value.code == "cancelled"
        assert db.session.scalars(select(Attendance)).all() == []


def test_the_list_offers_no_seats_of_a_session_under_way(app, client, people):
    """Its page says registration is closed; the list no longer counts its seats left."""
    running = _session(app, people, starts=datetime.now(UTC) - timedelta(minutes=10))
    coming = _session(app, people, starts=datetime.now(UTC) + timedelta(days=3))
    login(client, "fp@example.org")
    listing = client.get("/sessions/?lang=en").get_data(as_text=True)
    rows = {int(m.group(1)): m.group(2) for m in re.finditer(
        r'href="/sessions/(\d+)(?:\?[^"]*)?"(.*?)</li>', listing, re.S)}
    assert "seat" not in rows[running] and "30 seats left" in rows[coming]


def test_the_learning_record_says_a_session_was_cancelled(app, client, people):
    _session(app, people, starts=datetime.now(UTC) + timedelta(days=3), register=True,
             cancel=True)
    login(client, "fp@example.org")
    record = client.get("/me?lang=en").get_data(as_text=True).split(
        'id="learning-record"')[1].split("</section>")[0]
    assert "Registered" in record and "Cancelled" in record


def test_a_session_after_the_last_day_of_a_term_ended_ahead_offers_no_seat(app, client,
                                                                           people):
    """The alternate's end of term is entered ahead: they serve for ten days more. A session
    within those days is still theirs to register for; the page of one after them says when
    their term ends instead of offering a seat the registration would refuse."""
    last_day = datetime.now(UTC).date() + timedelta(days=10)
    with app.app_context():
        term = db.session.get(User, people["fp"]).person.appointments[0]
        term.start_date = last_day - timedelta(days=100)
        registry.end_appointment(term, reason=EndReason.left_entity, ended_on=last_day,
                                 actor=None)
        db.session.commit()
    within = _session(app, people, starts=datetime.now(UTC) + timedelta(days=3))
    after = _session(app, people, starts=datetime.now(UTC) + timedelta(days=30))
    login(client, "fp@example.org")
    assert f'action="/sessions/{within}/register"' in _page(client, within)
    page = _page(client, after)
    assert f'action="/sessions/{after}/register"' not in page
    assert "Register for the whole series" not in page
    with app.test_request_context():
        day = format_date(last_day, "long")
    assert f"Your term ends on {day}, before this session." in page
