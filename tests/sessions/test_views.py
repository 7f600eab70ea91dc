"""Session pages: access, times in the viewer's zone, registering, the calendar files, the
feed, the Office's pages, and a fixed number of queries for the list."""
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, get_timezone_location
from icalendar import Calendar
from markupsafe import escape
from sqlalchemy import func, insert, select

from gfp_portal.accounts.models import User
from gfp_portal.core.db import utcnow
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry_services
from gfp_portal.sessions import registration, services
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.helpers import (
    appoint_undp_alternate,
    at_once,
    breadcrumb_links,
    csrf_token_from,
    entity,
    login,
    meet_first,
    opened_from,
    outbox,
    signed_in,
    switch_to,
)
from tests.markup import markup_problems, parse
from tests.sessions.libical import libical_errors

START = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=30)


@pytest.fixture
def network(app, reference, create_user):
    """A coordinator; a focal point with an account and an appointment; a published session
    in Nairobi time, 10:00–11:30 local."""
    ids = {"coordinator": create_user("coord@example.org", roles=["coordinator"]),
           "fp": create_user("fp@example.org", roles=["focal_point"], time_zone="Asia/Tokyo")}
    with app.app_context():
        coordinator = db.session.get(User, ids["coordinator"])
        fp = db.session.get(User, ids["fp"])
        appoint_undp_alternate(fp, actor=coordinator)
        start = START.replace(hour=7)  # 10:00 in Nairobi (UTC+3)
        session = services.create_session({
            "title_en": "Bystander intervention", "title_ar": "تدخل المارة",
            "topic": "bystander_intervention", "format": "virtual", "starts_at": start,
            "ends_at": start + timedelta(minutes=90), "time_zone": "Africa/Nairobi",
            "join_url": "https://meet.example.org/secret-room", "languages": "en ar",
            "capacity": 1, "audience": "both"}, actor=coordinator)
        services.publish_session(session, actor=coordinator)
        db.session.commit()
        ids["session"] = session.id
    return ids


@pytest.mark.parametrize("lang, other", [("en", "fr"), ("fr", "ar"), ("ar", "es"),
                                         ("es", "en")])
def test_switching_language_on_the_withdrawal_confirmation_shows_it_again_unconfirmed(
        app, client, network, lang, other):
    """Not "405 Method not allowed" (a link to the address of the POST): the confirmation,
    in the other language, still waiting to be confirmed."""
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}"
    assert client.post(f"{url}/register").status_code == 302
    client.get(f"/?lang={lang}")
    confirmation = client.post(f"{url}/withdraw").get_data(as_text=True)

    switched = switch_to(client, confirmation, other)

    assert switched.status_code == 200
    page = switched.get_data(as_text=True)
    assert f'<html lang="{other}"' in page and "data-confirmation" in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.cancelled_at.is_(None))) == 1


def test_times_are_shown_in_the_viewers_zone_and_the_sessions(app, client, network,
                                                               create_user):
    # City names are CLDR's, in the installed Babel's spelling ("Bogota" or "Bogotá").
    def city(zone, locale="en"):
        return escape(get_timezone_location(ZoneInfo(zone), locale=locale, return_city=True))

    login(client, "fp@example.org")  # Asia/Tokyo, UTC+9
    html = client.get(f"/sessions/{network['session']}").get_data(as_text=True)
    assert f"4:00\u202fPM–5:30\u202fPM {city('Asia/Tokyo')} (\u2066UTC+9\u2069)" in html
    assert f"10:00\u202fAM–11:30\u202fAM {city('Africa/Nairobi')} (\u2066UTC+3\u2069)" in html
    client.post("/logout")
    create_user("bogota@example.org", roles=["focal_point"], time_zone="America/Bogota")
    login(client, "bogota@example.org")
    html = client.get(f"/sessions/{network['session']}").get_data(as_text=True)
    assert f"2:00\u202fAM–3:30\u202fAM {city('America/Bogota')} (\u2066UTC−5\u2069)" in html
    html = client.get(f"/sessions/{network['session']}?lang=fr").get_data(as_text=True)
    assert f"02:00–03:30 {city('America/Bogota', 'fr')} (\u2066UTC−5\u2069)" in html
    assert f"10:00–11:30 {city('Africa/Nairobi', 'fr')} (\u2066UTC+3\u2069)" in html


def test_the_list_names_the_readers_zone_as_every_page_does(client, network):
    """Not the database's "Asia/Tokyo": the city in the reader's language, with its offset."""
    login(client, "fp@example.org")  # Asia/Tokyo, UTC+9
    html = client.get("/sessions/?lang=ar").get_data(as_text=True)
    tokyo = get_timezone_location(ZoneInfo("Asia/Tokyo"), locale="ar", return_city=True)
    assert f"({escape(tokyo)} (\u2066UTC+9\u2069))" in html
    assert "Asia/Tokyo" not in html


def test_register_then_withdraw(app, client, network):
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}"
    assert "secret-room" not in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/register").status_code == 302
    html = client.get(url).get_data(as_text=True)
    assert "secret-room" in html and "You are registered." in html
    html = client.post(f"{url}/withdraw").get_data(as_text=True)
    assert "Your seat is given up; the cancellation is emailed to you." in html
    assert "You are registered." in client.get(url).get_data(as_text=True)
    assert client.post(f"{url}/withdraw", data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        methods = [m.parts[0]["params"]["method"] for m in db.session.scalars(
            select(OutboxMessage).order_by(OutboxMessage.id))]
    assert methods == ["REQUEST", "CANCEL"]


def test_a_series_registration_sent_twice_at_once_is_no_server_error(app, network,
                                                                    monkeypatch):
    """A double click, or a retry after a timeout: both requests read the seats, then write.
    On SQLite the second was refused at once as "database is locked" (a 500) rather than
    waiting for the first: each had begun its savepoint reading, and neither could then write
    while the other read."""
    with app.app_context():
        coordinator = db.session.get(User, network["coordinator"])
        series = services.create_series({"title_en": "Global Annual Meeting"},
                                        actor=coordinator)
        db.session.get(TrainingSession, network["session"]).series_id = series.id
        db.session.commit()
        series_id = series.id
    # Where the first request's lock keeps the second from reading, it goes on after 2 s.
    meet_first(monkeypatch, registration, "seats_left", caller="register_series", timeout=2)
    clients = [signed_in(app, "fp@example.org") for _ in range(2)]
    url = f"/sessions/series/{series_id}/register"
    answers = at_once([(client, "post", url, {}) for client in clients])
    assert [answer[0] for answer in answers] == [302, 302], answers
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id)).join(Registration.person)
                                 .filter_by(email="fp@example.org")) == 1


def test_registering_for_a_series_takes_a_seat_where_there_is_one(app, client, network):
    """The series of two sessions: the session of the fixture (one seat) taken by someone
    else, and a second one with room."""
    with app.app_context():
        coordinator = db.session.get(User, network["coordinator"])
        first = db.session.get(TrainingSession, network["session"])
        series = services.create_series({"title_en": "Global Annual Meeting"},
                                        actor=coordinator)
        first.series_id = series.id
        other = services.create_session({
            "title_en": "Day 2", "topic": "bystander_intervention", "format": "virtual",
            "starts_at": first.starts_at + timedelta(days=1),
            "ends_at": first.ends_at + timedelta(days=1), "time_zone": "Africa/Nairobi",
            "join_url": "https://meet.example.org/day-2",
            "capacity": 5, "audience": "both", "series_id": series.id}, actor=coordinator)
        services.publish_session(other, actor=coordinator)
        taken = registry_services.create_person({"given_name": "Seat", "family_name": "Holder",
                                                 "email": "seat@example.org"}, actor=None)
        registration.register(first, taken, actor=None, by_coordinator=True, notify=False)
        db.session.commit()
        series_id, other_id = series.id, other.id
    login(client, "fp@example.org")
    html = client.post(f"/sessions/series/{series_id}/register",
                       follow_redirects=True).get_data(as_text=True)
    assert "You are registered for 1 session of the series." in html
    assert "1 session had no seat left or was not open." in html
    with app.app_context():
        mine = db.session.scalars(select(Registration).join(Registration.person)
                                  .filter_by(email="fp@example.org")).all()
        assert [(r.session_id, r.status.value) for r in mine] == [(other_id, "registered")]


def test_a_series_says_which_of_its_sessions_come_after_the_last_day_of_a_term(
        app, client, network):
    """The alternate leaves UNDP in ten days (their end of term entered ahead). Of a series,
    they are registered for the session before their last day; the one after it is refused
    them, and the page says why, not that it had no seat left."""
    last_day = datetime.now(UTC).date() + timedelta(days=10)
    with app.app_context():
        coordinator = db.session.get(User, network["coordinator"])
        after = db.session.get(TrainingSession, network["session"])
        series = services.create_series({"title_en": "Global Annual Meeting"},
                                        actor=coordinator)
        after.series_id = series.id
        starts = utcnow().replace(microsecond=0) + timedelta(days=3)
        before = services.create_session({
            "title_en": "Day 1", "topic": "bystander_intervention", "format": "virtual",
            "starts_at": starts, "ends_at": starts + timedelta(hours=1),
            "time_zone": "Africa/Nairobi", "join_url": "https://meet.example.org/day-1",
            "capacity": 5, "audience": "both", "series_id": series.id}, actor=coordinator)
        services.publish_session(before, actor=coordinator)
        term = db.session.scalars(select(User).filter_by(email="fp@example.org")).one() \
            .person.appointments[0]
        registry_services.end_appointment(term, reason="left_entity", ended_on=last_day,
                                          actor=coordinator)
        db.session.commit()
        series_id, before_id = series.id, before.id
    login(client, "fp@example.org")
    html = client.post(f"/sessions/series/{series_id}/register",
                       follow_redirects=True).get_data(as_text=True)
    assert "You are registered for 1 session of the series." in html
    assert "no seat left" not in html
    assert f"Your term ends on {format_date(last_day, 'long', locale='en')}, before 1 session " \
        "of the series: you are not registered for it." in html
    with app.app_context():
        mine = db.session.scalars(select(Registration).join(Registration.person)
                                  .filter_by(email="fp@example.org")).all()
        assert [(r.session_id, r.status.value) for r in mine] == [(before_id, "registered")]


def test_the_add_to_calendar_file_is_a_publish(client, network):
    login(client, "fp@example.org")
    response = client.get(f"/sessions/{network['session']}.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    assert calendar["METHOD"] == "PUBLISH" and "ATTENDEE" not in calendar.walk("VEVENT")[0]
    assert libical_errors(response.data) == []


def test_the_personal_feed_lives_and_dies_with_its_address(app, client, network):
    login(client, "fp@example.org")
    client.post(f"/sessions/{network['session']}/register")
    html = client.get("/me").get_data(as_text=True)
    assert "Create my subscription address" in html
    html = client.post("/me/calendar").get_data(as_text=True)  # shown once, in the answer
    link = re.search(r"http://portal\.test(/calendar/[^<\s]+\.ics)", html).group(1)
    assert "webcal://portal.test/calendar/" in html
    assert "/calendar/" not in client.get("/me").get_data(as_text=True).split(
        "me-calendar")[1].split("</section>")[0].replace('action="/me/calendar"', "")
    client.post("/logout")
    feed = client.get(link)
    assert feed.status_code == 200
    assert "Bystander intervention" in feed.get_data(as_text=True)
    assert libical_errors(feed.data) == []
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in feed.data
    login(client, "fp@example.org")
    client.post("/me/calendar", data={"confirmed": "1"})
    client.post("/logout")
    assert client.get(link).status_code == 404  # the old address stops at once
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_a_focal_point_cannot_use_the_offices_pages(client, network):
    login(client, "fp@example.org")
    for path in ("/sessions/new", f"/sessions/{network['session']}/edit",
                 f"/sessions/{network['session']}/roster", "/sessions/series/new"):
        assert client.get(path).status_code == 403
    assert client.post(f"/sessions/{network['session']}/cancel").status_code == 403


def create_draft(app):
    """A draft session of the network's coordinator; returns its id."""
    with app.app_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        draft = services.create_session({
            "title_en": "Draft", "topic": "anti_racism", "format": "virtual",
            "starts_at": START, "ends_at": START + timedelta(hours=1), "time_zone": "UTC",
            "capacity": 5}, actor=coordinator)
        db.session.commit()
        return draft.id


def test_a_draft_is_hidden_from_focal_points(app, client, network):
    draft_id = create_draft(app)
    login(client, "fp@example.org")
    assert client.get(f"/sessions/{draft_id}").status_code == 404
    assert "Draft" not in client.get("/sessions/").get_data(as_text=True)


@pytest.mark.parametrize("page", ["evaluation", "check-in"])
def test_a_drafts_evaluation_and_check_in_pages_are_hidden_from_focal_points(
        app, client, network, page):
    draft_id = create_draft(app)
    login(client, "fp@example.org")
    response = client.get(f"/sessions/{draft_id}/{page}")
    assert response.status_code == 404
    assert "Draft" not in response.get_data(as_text=True)
    client.post("/logout")
    login(client, "coord@example.org")  # the Office still reads a draft's results
    assert client.get(f"/sessions/{draft_id}/evaluation").status_code == 200


def _edited(**changed):
    data = {"title_en": "Bystander intervention", "title_ar": "تدخل المارة",
            "topic": "bystander_intervention", "format": "virtual",
            "time_zone": "Africa/Nairobi", "starts_at": START.strftime("%Y-%m-%dT10:00"),
            "ends_at": START.strftime("%Y-%m-%dT11:30"), "languages": ["en", "ar"],
            "join_url": "https://meet.example.org/secret-room", "capacity": "1",
            "audience": "both", "series": "0"}
    return data | changed


def test_the_edit_form_says_how_many_will_be_notified_and_they_are(app, client, network):
    login(client, "fp@example.org")
    client.post(f"/sessions/{network['session']}/register")
    client.post("/logout")
    login(client, "coord@example.org")
    url = f"/sessions/{network['session']}/edit"
    html = client.get(url).get_data(as_text=True)
    assert "sends the updated invitation to the 1 person registered" in html
    response = client.post(url, data=_edited(
        title_en="Bystander intervention (new time)",
        starts_at=START.strftime("%Y-%m-%dT11:00"), ends_at=START.strftime("%Y-%m-%dT12:30")))
    assert response.status_code == 302
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        assert session.ical_sequence == 1
        assert session.starts_at == START.replace(hour=8)  # 11:00 in Nairobi
        updates = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.subject.like("Updated%"))).all()
        assert [m.recipient for m in updates] == ["fp@example.org"]


def test_the_roster_of_a_session_of_one_seat_counts_it_in_the_singular(client, network):
    login(client, "coord@example.org")
    html = client.get(f"/sessions/{network['session']}/roster?lang=en").get_data(as_text=True)
    assert "0 of 1 seat taken · 0 on the waiting list" in html and "1 seats" not in html


def test_the_roster_says_since_when_each_person_is_in_their_status(app, client, network):
    """A withdrawal on 3 March of a seat taken on 1 March: the roster's "Since" says 3 March
    beside "Cancelled", not the day the seat was taken."""
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        person = db.session.get(User, network["fp"]).person
        taken = datetime(2026, 3, 1, 9, tzinfo=UTC)
        row = registration.register(session, person, actor=None, now=taken, notify=False)
        registration.cancel(row, actor=None, now=taken + timedelta(days=2))
        db.session.commit()
    login(client, "coord@example.org")
    html = client.get(f"/sessions/{network['session']}/roster").get_data(as_text=True)
    assert "3/3/26" in html and "3/1/26" not in html


def test_each_remove_button_of_the_roster_names_the_person_it_removes(app, client, network):
    """Forty buttons read out "Remove": each says whom, in words a screen reader reads (the
    row already shows the name)."""
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        person = db.session.get(User, network["fp"]).person
        registration.register(session, person, actor=None, notify=False)
        db.session.commit()
        name = person.full_name
    login(client, "coord@example.org")
    html = client.get(f"/sessions/{network['session']}/roster?lang=en").get_data(as_text=True)
    remove, = (e for e in parse(html) if e.tag == "button" and "Remove" in e.all_text())
    assert " ".join(remove.all_text().split()) == f"Remove {name}"
    hidden, = (e for e in remove.children if e.tag == "span")
    assert "visually-hidden" in hidden.attrs["class"].split()
    assert markup_problems(html) == []


def test_the_office_is_told_why_a_leaver_is_not_added(app, client, network):
    """The alternate left UNDP yesterday: the Office adding them by their address is told
    that their term is over, in its language, and the roster stays empty."""
    yesterday = utcnow().date() - timedelta(days=1)
    with app.app_context():
        fp = db.session.get(User, network["fp"])
        term, = fp.person.appointments
        term.start_date = yesterday - timedelta(days=100)
        registry_services.end_appointment(term, reason="left_entity", ended_on=yesterday,
                                          actor=db.session.get(User, network["coordinator"]))
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{network['session']}/roster"
    html = client.post(f"{url}/add?lang=fr", data={"email": "fp@example.org"},
                       follow_redirects=True).get_data(as_text=True)
    day = format_date(yesterday, "long", locale="fr")
    assert f"La période de désignation de Test Person a pris fin le {day}" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_the_office_creates_publishes_and_sees_the_roster(app, client, network):
    login(client, "coord@example.org")
    response = client.post("/sessions/new", data={
        "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "in_person",
        "time_zone": "Europe/Zurich", "starts_at": START.strftime("%Y-%m-%dT09:00"),
        "ends_at": START.strftime("%Y-%m-%dT08:00"), "languages": ["en"], "capacity": "20",
        "audience": "both", "series": "0", "venue": "Palais des Nations"})
    assert "The session must end after it starts." in response.get_data(as_text=True)
    assert 'value="Parity dashboard"' in response.get_data(as_text=True)
    response = client.post("/sessions/new", data={
        "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "in_person",
        "time_zone": "Europe/Zurich", "starts_at": START.strftime("%Y-%m-%dT09:00"),
        "ends_at": START.strftime("%Y-%m-%dT12:00"), "languages": ["en"], "capacity": "20",
        "audience": "both", "series": "0", "venue": "Palais des Nations"})
    session_url = response.headers["Location"]
    assert client.post(session_url + "/publish").status_code == 302
    assert client.get(session_url + "/roster").status_code == 200
    response = client.post(session_url + "/roster/group",
                           data={"role": "alternate", "confirmed": "1"})
    assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Registration)).all()
        assert [r.person.email for r in rows] == ["fp@example.org"]


def test_the_list_runs_a_fixed_number_of_queries(app, client, network, count_queries):
    login(client, "fp@example.org")
    client.get("/sessions/")

    def add(n):
        with app.app_context():
            db.session.execute(insert(TrainingSession), [{
                "title_en": f"Session {i}", "topic": "anti_racism", "format": "virtual",
                "starts_at": START + timedelta(hours=i), "time_zone": "UTC",
                "ends_at": START + timedelta(hours=i, minutes=45), "capacity": 30,
                "languages": "en", "audience": "both", "status": "published",
                "ical_sequence": 0, "seats_version": 0, "created_at": START,
                "updated_at": START} for i in range(n)])
            db.session.commit()

    add(9)
    with count_queries() as ten:
        assert client.get("/sessions/").status_code == 200
    add(990)
    with count_queries() as thousand:
        html = client.get("/sessions/?page=2").get_data(as_text=True)
    assert thousand.count == ten.count
    assert "Page 2 of 40" in html


def test_csrf_protects_registration(app, client, network, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "fp@example.org", "password": "correct horse battery",
                                "csrf_token": csrf_token_from(login_page)})
    assert client.post(f"/sessions/{network['session']}/register").status_code == 400


def test_duplicating_makes_a_new_draft_without_registrations(app, client, network):
    login(client, "fp@example.org")
    client.post(f"/sessions/{network['session']}/register")
    client.post("/logout")
    login(client, "coord@example.org")
    url = f"/sessions/{network['session']}/duplicate"
    html = client.get(url).get_data(as_text=True)
    assert 'value="Bystander intervention"' in html
    response = client.post(url, data={
        "title_en": "Bystander intervention", "title_fr": "Intervention des témoins",
        "topic": "bystander_intervention", "format": "virtual", "time_zone": "America/Bogota",
        "starts_at": START.strftime("%Y-%m-%dT09:00"), "ends_at": START.strftime(
            "%Y-%m-%dT10:30"), "languages": ["fr"], "capacity": "30", "audience": "both",
        "series": "0", "join_url": "https://meet.example.org/other"})
    assert response.status_code == 302
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        copy = db.session.get(TrainingSession, copy_id)
        assert copy.status == "draft" and copy.registrations == []
        assert copy.language_codes == ["fr"] and copy.time_zone == "America/Bogota"


def test_a_group_excludes_people_who_already_attended_the_topic(app, client, network):
    from gfp_portal.attendance.services import mark
    from gfp_portal.sessions.models import Registration as Row

    with app.app_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        fp = db.session.scalars(select(User).filter_by(email="fp@example.org")).one()
        past_start = START - timedelta(days=60)
        past = services.create_session({
            "title_en": "Bystander intervention (earlier)", "topic": "bystander_intervention",
            "format": "virtual", "starts_at": past_start, "ends_at": past_start +
            timedelta(hours=1), "time_zone": "UTC", "capacity": 5}, actor=coordinator)
        row = Row(session=past, person=fp.person, status="registered", created_at=past_start)
        db.session.add(row)
        db.session.flush()
        mark(row, "present", actor=coordinator)
        db.session.commit()
    login(client, "coord@example.org")
    client.post(f"/sessions/{network['session']}/roster/group",
                data={"not_attended": "bystander_intervention", "confirmed": "1"})
    with app.app_context():
        assert db.session.scalars(select(Registration).where(
            Registration.session_id == network["session"])).all() == []


def test_a_title_typed_with_a_line_break_is_kept_on_one_line(app, client, network):
    login(client, "coord@example.org")
    response = client.post("/sessions/new", data={
        "title_en": "Parity dashboard\r\nBcc: everyone@example.org", "topic": "parity_dashboard",
        "format": "in_person", "time_zone": "Europe/Zurich",
        "starts_at": START.strftime("%Y-%m-%dT09:00"),
        "ends_at": START.strftime("%Y-%m-%dT12:00"), "languages": ["en"], "capacity": "20",
        "audience": "both", "series": "0", "venue": "Palais des Nations\r\nRoom XVII"})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalars(select(TrainingSession).order_by(
            TrainingSession.id.desc())).first()
        assert session.title_en == "Parity dashboard Bcc: everyone@example.org"
        assert session.venue == "Palais des Nations Room XVII"


def test_a_title_in_english_keeps_its_punctuation_at_its_end_on_arabic_lists(app, client,
                                                                            network):
    """An English title on an Arabic page runs left to right in its own isolate: otherwise its
    closing "?" goes to the other end of the line ("?Bystander intervention: what works")."""
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        session.title_en, session.title_ar = "Bystander intervention: what works?", None
        db.session.commit()
    login(client, "fp@example.org")
    listed = client.get("/sessions/?lang=ar").get_data(as_text=True)
    assert 'lang="en" dir="auto">Bystander intervention: what works?</a>' in listed


def _one_seated_two_waiting(app, network, create_user):
    """The session's one seat taken by the focal point, then Amina Waits and Omar Later on the
    waiting list: their registrations' ids, and the focal point's name."""
    waiting_ids = [create_user("waiting@example.org", given_name="Amina", family_name="Waits"),
                   create_user("later@example.org", given_name="Omar", family_name="Later")]
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        coordinator = db.session.get(User, network["coordinator"])
        users = [db.session.get(User, user_id) for user_id in [network["fp"], *waiting_ids]]
        rows = []
        for user in users:
            if user.person.appointments == []:
                appoint_undp_alternate(user, actor=coordinator)
            rows.append(registration.register(session, user.person, actor=user))
        db.session.commit()
        return [r.id for r in rows], users[0].person.full_name


def test_removing_a_person_asks_first_saying_who_is_emailed_and_who_gets_the_seat(
        app, client, network, create_user):
    """Removing someone from a session emails them and gives their seat away: the first click
    says so and changes nothing; the confirmed one does it."""
    (seated_id, waiting_id, later_id), name = _one_seated_two_waiting(app, network,
                                                                      create_user)
    with app.app_context():
        mails = len(outbox())
    login(client, "coord@example.org")
    url = f"/sessions/registrations/{seated_id}/remove"
    html = client.post(url).get_data(as_text=True)
    assert f"Remove {name} from the session" in html
    assert f"{name} loses their seat and is sent an email that removes the session from " \
        "their calendar." in html
    assert "The seat goes to Amina Waits, first on the waiting list, who is told by email." \
        in html
    with app.app_context():
        assert db.session.get(Registration, seated_id).status.value == "registered"
        assert len(outbox()) == mails
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, seated_id).status.value == "cancelled"
        assert db.session.get(Registration, waiting_id).status.value == "registered"
    # Someone on the waiting list leaves it without an email.
    html = client.post(f"/sessions/registrations/{later_id}/remove").get_data(as_text=True)
    assert "Omar Later is taken off the list; no email is sent." in html
    assert "The seat goes to" not in html
    # A registration already cancelled is refused at the first click.
    html = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "This registration is already cancelled." in html


def test_removing_a_person_from_a_cancelled_session_gives_their_seat_to_nobody(
        app, client, network, create_user):
    """A cancelled session's waiting list is closed: a seat freed there goes to nobody, and
    no one is told that a seat is theirs."""
    (seated_id, waiting_id, _later), name = _one_seated_two_waiting(app, network, create_user)
    with app.app_context():
        services.cancel_session(db.session.get(TrainingSession, network["session"]),
                                reason="Postponed", actor=None)
        db.session.commit()
        mails = len(outbox())
    login(client, "coord@example.org")
    url = f"/sessions/registrations/{seated_id}/remove"
    html = client.post(url).get_data(as_text=True)
    assert f"{name} is taken off the list; no email is sent." in html
    assert "The seat goes to" not in html
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, seated_id).status.value == "cancelled"
        assert db.session.get(Registration, waiting_id).status.value == "waitlisted"
        assert len(outbox()) == mails


def test_removing_a_person_once_the_session_has_started_gives_their_seat_to_nobody(
        app, client, network, create_user):
    """Registration closes at the start: the seat of someone removed from a session under way
    (or over) goes to nobody, and nobody waiting is invited to it."""
    (seated_id, waiting_id, _later), _name = _one_seated_two_waiting(app, network,
                                                                     create_user)
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        session.starts_at = utcnow() - timedelta(hours=2)
        session.ends_at = utcnow() - timedelta(minutes=30)
        db.session.commit()
        mails = len(outbox())
    login(client, "coord@example.org")
    url = f"/sessions/registrations/{seated_id}/remove"
    html = client.post(url).get_data(as_text=True)
    assert "The seat goes to" not in html
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(Registration, seated_id).status.value == "cancelled"
        assert db.session.get(Registration, waiting_id).status.value == "waitlisted"
        assert "waiting@example.org" not in [m.recipient for m in outbox()[mails:]]


def test_the_numbers_on_the_waiting_list_count_only_the_people_a_seat_may_go_to(
        app, client, network, create_user):
    """Amina Waits, first on the waiting list, leaves UNDP before the session (her end of
    term entered ahead): she stays on the list, passed over. Omar Later, behind her, is the
    next a freed seat goes to: number 1 on his page and on the roster. Her page says why no
    seat can be hers, with no number."""
    (_seated, waiting_id, later_id), _name = _one_seated_two_waiting(app, network,
                                                                     create_user)
    last_day = datetime.now(UTC).date() + timedelta(days=10)
    with app.app_context():
        term = db.session.scalars(select(User).filter_by(email="waiting@example.org")).one() \
            .person.appointments[0]
        registry_services.end_appointment(term, reason="left_entity", ended_on=last_day,
                                          actor=db.session.get(User, network["coordinator"]))
        db.session.commit()
    url = f"/sessions/{network['session']}"
    login(client, "later@example.org")
    page = client.get(url).get_data(as_text=True)
    assert re.search(r"You are on the waiting list, number \d", page).group() == \
        "You are on the waiting list, number 1"
    client.post("/logout")
    login(client, "waiting@example.org")
    html = client.get(url).get_data(as_text=True)
    assert "You are on the waiting list, number" not in html
    assert "You are on the waiting list, but a seat that frees up cannot be given to you." \
        in html
    assert f"Your term ends on {format_date(last_day, 'long', locale='en')}, before this " \
        "session." in html
    client.post("/logout")
    login(client, "coord@example.org")
    html = client.get(f"{url}/roster").get_data(as_text=True)
    assert "1 of 1 seat taken · 2 on the waiting list" in html
    rows = {row_id: re.search(rf"/registrations/{row_id}/remove", html) for row_id in
            (waiting_id, later_id)}
    assert all(rows.values())
    assert html.count("number 1") == 1 and "number 2" not in html
    assert html.index("Omar Later") < html.index("number 1")
    assert "passed over: the term ends before the session" in html


def test_the_roster_says_whose_term_has_ended_and_whose_ends_before_the_session(
        app, client, network, create_user):
    """Amina Waits, first on the waiting list, left UNDP yesterday; the last day of Omar
    Later, behind her, is entered ten days ahead, before the session. Both stay on the list,
    passed over: the roster says that her term has ended, and that his ends before the
    session."""
    (_seated, waiting_id, later_id), _name = _one_seated_two_waiting(app, network,
                                                                     create_user)
    today = datetime.now(UTC).date()
    with app.app_context():
        coordinator = db.session.get(User, network["coordinator"])
        for email, last_day in (("waiting@example.org", today - timedelta(days=1)),
                                ("later@example.org", today + timedelta(days=10))):
            term, = db.session.scalars(select(User).filter_by(email=email)).one() \
                .person.appointments
            term.start_date = today - timedelta(days=400)
            registry_services.end_appointment(term, reason="left_entity", ended_on=last_day,
                                              actor=coordinator)
        db.session.commit()
    login(client, "coord@example.org")
    html = client.get(f"/sessions/{network['session']}/roster").get_data(as_text=True)
    rows = {name: re.search(rf"<tr>(?:(?!</tr>).)*{name}.*?</tr>", html, re.S).group()
            for name in ("Amina Waits", "Omar Later")}
    assert "passed over: the term has ended" in rows["Amina Waits"], \
        "the roster says of a term already over that it ends before the session"
    assert "passed over: the term ends before the session" in rows["Omar Later"]


def test_a_focal_point_whose_term_ran_out_yesterday_is_offered_no_seat(app, client, network):
    """The alternate's term ended yesterday, on its end date; the daily run, early in the
    morning, has not marked it ended yet. As for coverage, they are out: the page offers
    them no seat, and registering anyway is refused and writes nothing."""
    with app.app_context():
        term, = db.session.get(User, network["fp"]).person.appointments
        term.start_date = utcnow().date() - timedelta(days=400)
        term.end_date = utcnow().date() - timedelta(days=1)
        db.session.commit()
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}"
    assert f'action="{url}/register"' not in client.get(url).get_data(as_text=True)
    html = client.post(f"{url}/register", follow_redirects=True).get_data(as_text=True)
    assert "your appointment does not match" in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 0
        assert outbox() == []


def test_withdrawing_gives_the_seat_past_someone_waiting_who_has_left(app, client, network,
                                                                     create_user):
    """Amina Waits, first on the waiting list, left UNDP yesterday (the Office records it
    today). The focal point withdraws on the page: the seat goes to Omar Later, emailed the
    invitation in his language; Amina, no longer in the network, stays on the list and is
    sent nothing."""
    (seated_id, waiting_id, later_id), _name = _one_seated_two_waiting(app, network,
                                                                       create_user)
    yesterday = utcnow().date() - timedelta(days=1)
    with app.app_context():
        users = {email: db.session.scalars(select(User).filter_by(email=email)).one()
                 for email in ("waiting@example.org", "later@example.org")}
        term, = users["waiting@example.org"].person.appointments
        term.start_date = yesterday - timedelta(days=100)
        registry_services.end_appointment(term, reason="left_entity", ended_on=yesterday,
                                          actor=db.session.get(User, network["coordinator"]))
        users["later@example.org"].locale = "es"
        users["later@example.org"].person.preferred_language = "es"
        db.session.commit()
        mails = len(outbox())
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}"
    assert client.post(f"{url}/withdraw", data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert [db.session.get(Registration, row_id).status.value
                for row_id in (seated_id, waiting_id, later_id)] == \
            ["cancelled", "waitlisted", "registered"]
        sent = {mail.recipient: mail for mail in outbox()[mails:]}
        assert set(sent) == {"fp@example.org", "later@example.org"}
        assert sent["later@example.org"].locale == "es"


def test_the_withdrawal_promises_the_seat_to_nobody_when_everyone_waiting_has_left(
        app, client, network, create_user):
    """The confirmation says the first person waiting gets the seat only when someone
    waiting may take it: here both left their entity yesterday."""
    _ids, _name = _one_seated_two_waiting(app, network, create_user)
    yesterday = utcnow().date() - timedelta(days=1)
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}/withdraw"
    promise = "The first person on the waiting list gets your seat"
    assert promise in client.post(url).get_data(as_text=True)
    with app.app_context():
        for email in ("waiting@example.org", "later@example.org"):
            term, = db.session.scalars(select(User).filter_by(email=email)).one() \
                .person.appointments
            term.start_date = yesterday - timedelta(days=100)
            registry_services.end_appointment(
                term, reason="left_entity", ended_on=yesterday,
                actor=db.session.get(User, network["coordinator"]))
        db.session.commit()
    html = client.post(url).get_data(as_text=True)
    assert "Your seat is given up" in html
    assert promise not in html


def test_a_draft_with_nobody_registered_can_be_deleted_a_published_one_cannot(app, client,
                                                                              network):
    draft_id = create_draft(app)
    login(client, "coord@example.org")
    html = client.post(f"/sessions/{draft_id}/delete").get_data(as_text=True)
    assert ("The draft is deleted for good, with its agenda and its guest invitation links; "
            "nobody is registered, no email is sent.") in html
    with app.app_context():
        assert db.session.get(TrainingSession, draft_id) is not None
    response = client.post(f"/sessions/{draft_id}/delete", data={"confirmed": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TrainingSession, draft_id) is None
    response = client.post(f"/sessions/{network['session']}/delete",
                           data={"confirmed": "1"}, follow_redirects=True)
    assert "Only a draft with nobody registered can be deleted." in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TrainingSession, network["session"]) is not None


def _feed_of_a_registered_focal_point(client, network):
    """The feed address of the focal point, registered for the session, then signed out."""
    login(client, "fp@example.org")
    client.post(f"/sessions/{network['session']}/register")
    html = client.post("/me/calendar").get_data(as_text=True)
    link = re.search(r"http://portal\.test(/calendar/[^<\s]+\.ics)", html).group(1)
    client.post("/logout")
    return link


def test_a_calendar_client_polling_the_feed_gets_304_until_it_changes(app, client, network):
    link = _feed_of_a_registered_focal_point(client, network)
    first = client.get(link)
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get(link, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        session.title_en = "Bystander intervention, second edition"
        db.session.commit()
    changed = client.get(link, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and b"second edition" in changed.data


def test_each_feed_answers_with_its_own_persons_sessions(app, client, network, create_user):
    """The feed's statements are built once per language, the person a bound parameter: each
    address still answers with its own person's sessions and validator."""
    registered = _feed_of_a_registered_focal_point(client, network)
    other_id = create_user("other@example.org", roles=["focal_point"])
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, other_id),
                               actor=db.session.get(User, network["coordinator"]))
        db.session.commit()
    login(client, "other@example.org")
    html = client.post("/me/calendar").get_data(as_text=True)
    other = re.search(r"http://portal\.test(/calendar/[^<\s]+\.ics)", html).group(1)
    client.post("/logout")
    mine, theirs = client.get(registered), client.get(other)
    assert b"Bystander intervention" in mine.data
    assert b"Bystander intervention" not in theirs.data
    assert mine.headers["ETag"] != theirs.headers["ETag"]
    assert client.get(other, headers={"If-None-Match": mine.headers["ETag"]}).status_code == 200
    assert client.get(registered,
                      headers={"If-None-Match": mine.headers["ETag"]}).status_code == 304


def test_a_feed_answered_304_builds_no_text_of_any_session(app, client, network, monkeypatch):
    """The validator comes from the stored sessions: a poll answered 304 formats no times and
    writes no iCalendar; a full answer writes each event once per process, then copies it
    with the time of the answer."""
    from gfp_portal.sessions import feed, notices

    monkeypatch.setattr(feed, "_EVENTS", {}, raising=False)
    link = _feed_of_a_registered_focal_point(client, network)
    built = []
    original = notices.texts
    monkeypatch.setattr(notices, "texts", lambda *args, **kwargs: built.append(args) or
                        original(*args, **kwargs))
    first = client.get(link)
    assert first.status_code == 200 and len(built) == 1
    assert client.get(link, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    assert len(built) == 1
    monkeypatch.setattr(feed, "utcnow", lambda: datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC))
    again = client.get(link)
    assert again.status_code == 200 and len(built) == 1
    assert b"DTSTAMP:20310506T070809Z" in again.data and b"DTSTAMP:2031" not in first.data
    assert _without_stamps(again.data) == _without_stamps(first.data)


def test_a_polled_feed_is_read_in_two_statements_outside_any_transaction(client, network,
                                                                        count_queries):
    """Calendar clients poll the feed every hour: the account and the digest of its sessions
    are read each on its own, with no BEGIN or COMMIT sent around them."""
    link = _feed_of_a_registered_focal_point(client, network)
    etag = client.get(link).headers["ETag"]
    with count_queries() as polled:
        assert client.get(link, headers={"If-None-Match": etag}).status_code == 304
    assert polled.levels == ["AUTOCOMMIT", "AUTOCOMMIT"]


def _without_stamps(data):
    return re.sub(rb"DTSTAMP:\d{8}T\d{6}Z", b"", data)


def test_the_session_page_reads_the_viewers_place_in_one_statement(app, client, network,
                                                                    count_queries):
    """The account, then the session with the viewer's place in it (registration, attendance
    mark, seats taken, audience) and whether it has an agenda (it has none here, so none is
    read): two statements, registered or not, sent outside a transaction (no BEGIN or COMMIT
    around them). A coming session is too far away for check-in or evaluation, so its page
    reads no settings."""
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}"
    client.get(url)
    with count_queries() as before:
        html = client.get(url).get_data(as_text=True)
    assert f'action="{url}/register"' in html
    assert client.post(f"{url}/register").status_code == 302
    with count_queries() as registered:
        html = client.get(url).get_data(as_text=True)
    assert "secret-room" in html  # the join link, shown to registered people only
    assert before.count == registered.count == 2
    assert before.levels == registered.levels == ["AUTOCOMMIT", "AUTOCOMMIT"]
    assert not [s for s in before.statements + registered.statements if "settings" in s]


def test_a_session_ending_beyond_any_year_is_a_form_error(app, client, network):
    login(client, "coord@example.org")
    url = f"/sessions/{network['session']}/duplicate"
    response = client.post(url, data={
        "title_en": "Bystander intervention", "topic": "bystander_intervention",
        "format": "virtual", "time_zone": "America/Bogota",
        "starts_at": START.strftime("%Y-%m-%dT09:00"), "ends_at": "9999-12-31T23:59",
        "languages": ["en"], "capacity": "30", "audience": "both", "series": "0",
        "join_url": "https://meet.example.org/other", "check_hours": "y"})
    assert response.status_code == 200
    assert "Enter a date between the years 1900 and 2100." in response.get_data(as_text=True)


@pytest.mark.parametrize("field, starts, ends", [
    # New York's clocks go from 02:00 to 03:00 on 14 March 2027: 02:30 is never shown.
    ("starts_at", "2027-03-14T02:30", "2027-03-14T04:00"),
    ("ends_at", "2027-03-14T01:00", "2027-03-14T02:15"),
])
def test_a_time_the_clocks_skip_is_a_form_error_and_nothing_is_saved(app, client, network,
                                                                      field, starts, ends):
    login(client, "coord@example.org")
    response = client.post("/sessions/new", data={
        "title_en": "Night shift", "topic": "parity_dashboard", "format": "virtual",
        "time_zone": "America/New_York", "starts_at": starts, "ends_at": ends,
        "languages": ["en"], "capacity": "20", "audience": "both", "series": "0"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert ("The clocks of this time zone skip this time: they move forward that night. Enter "
            "a time before or after the change.") in html
    assert 'value="Night shift"' in html
    with app.app_context():
        assert db.session.scalar(select(TrainingSession).filter_by(title_en="Night shift")) \
            is None


def test_an_hour_the_clocks_repeat_reads_as_entered(app, client, network):
    # On 7 November 2027, New York's clocks show 01:00–02:00 twice; the first is taken.
    login(client, "coord@example.org")
    response = client.post("/sessions/new", data={
        "title_en": "Twice", "topic": "parity_dashboard", "format": "virtual",
        "time_zone": "America/New_York", "starts_at": "2027-11-07T01:30",
        "ends_at": "2027-11-07T03:00", "languages": ["en"], "capacity": "20",
        "audience": "both", "series": "0"})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.scalar(select(TrainingSession).filter_by(title_en="Twice"))
        assert session.starts_at.astimezone(UTC) == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
        assert session.ends_at.astimezone(UTC) == datetime(2027, 11, 7, 8, 0, tzinfo=UTC)


def test_a_session_in_an_hour_the_clocks_repeat_stays_there_when_saved_unchanged(
        app, client, network):
    """On 7 November 2027, New York's clocks show 01:00–02:00 twice. A session at the second
    01:30 (EST, 06:30 UTC) shows 01:30 on its form: saving the form with only another
    description keeps it there, rather than moving it an hour earlier to the first 01:30 and
    sending everyone an updated invitation."""
    second = datetime(2027, 11, 7, 6, 30, tzinfo=UTC)
    with app.app_context():
        coordinator = db.session.get(User, network["coordinator"])
        session = services.create_session({
            "title_en": "Night owls", "topic": "bystander_intervention", "format": "virtual",
            "starts_at": second, "ends_at": second + timedelta(hours=1),
            "registration_closes_at": second - timedelta(minutes=30),
            "time_zone": "America/New_York", "join_url": "https://meet.example.org/x",
            "languages": "en", "capacity": 5, "audience": "both"}, actor=coordinator)
        services.publish_session(session, actor=coordinator)
        registration.register(session, db.session.get(User, network["fp"]).person, actor=None)
        db.session.commit()
        session_id = session.id
    login(client, "coord@example.org")
    url = f"/sessions/{session_id}/edit"
    html = client.get(url).get_data(as_text=True)
    assert 'value="2027-11-07T01:30"' in html and 'value="2027-11-07T01:00"' in html
    response = client.post(url, data={
        "title_en": "Night owls", "topic": "bystander_intervention", "format": "virtual",
        "time_zone": "America/New_York", "starts_at": "2027-11-07T01:30",
        "ends_at": "2027-11-07T02:30", "registration_closes_at": "2027-11-07T01:00",
        "languages": ["en"], "join_url": "https://meet.example.org/x", "capacity": "5",
        "audience": "both", "series": "0", "waitlist_policy": "first_come",
        "description_en": "Now with a description."})
    assert response.status_code == 302
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        assert session.description_en == "Now with a description."
        assert (session.starts_at, session.registration_closes_at) == (
            second, second - timedelta(minutes=30))
        assert session.ical_sequence == 0
        assert outbox("session_notice")[-1].subject.startswith("Registered")

def test_the_session_page_follows_the_registration_period_in_the_readers_zone(app, client,
                                                                             network):
    from babel.dates import format_datetime

    def set_period(opens=None, closes=None):
        with app.app_context():
            session = db.session.get(TrainingSession, network["session"])
            session.registration_opens_at, session.registration_closes_at = opens, closes
            db.session.commit()

    url = f"/sessions/{network['session']}"
    register = f'action="{url}/register"'
    opens = (START - timedelta(days=2)).replace(hour=17)  # 02:00 the next day in Tokyo
    # With the zone named, as every time a page shows (DESIGN §3).
    shown = format_datetime(opens, "short", tzinfo=ZoneInfo("Asia/Tokyo"), locale="en") + \
        " Tokyo (\u2066UTC+9\u2069)"
    set_period(opens=opens)
    login(client, "fp@example.org")  # Asia/Tokyo
    html = client.get(url).get_data(as_text=True)
    assert f"Registration opens on {shown}." in html and register not in html
    # Sent all the same (a page left open): the same moment, in the reader's zone and language.
    html = client.post(url + "/register", follow_redirects=True).get_data(as_text=True)
    assert f"Registration opens on {shown}." in html
    fr = format_datetime(opens, "short", tzinfo=ZoneInfo("Asia/Tokyo"), locale="fr")
    html = client.post(url + "/register?lang=fr", follow_redirects=True).get_data(as_text=True)
    assert f"{fr} Tokyo (\u2066UTC+9\u2069)" in html

    set_period(closes=utcnow() - timedelta(hours=1))
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert "Registration for this session is closed." in html and register not in html

    closes = START - timedelta(days=1)
    set_period(closes=closes)
    html = client.get(url).get_data(as_text=True)
    shown = format_datetime(closes, "short", tzinfo=ZoneInfo("Asia/Tokyo"), locale="en")
    assert register in html and \
        f"Registration closes on {shown} Tokyo (\u2066UTC+9\u2069)." in html


def test_the_add_to_calendar_file_gives_the_join_link_to_registered_people_only(
        client, network):
    """DESIGN §2: the join link is shown to registered people only; the session page hides
    it until then, and so does its add-to-calendar file."""
    login(client, "fp@example.org")
    url = f"/sessions/{network['session']}"
    assert "secret-room" not in client.get(url).get_data(as_text=True)
    response = client.get(f"{url}.ics")
    assert response.status_code == 200
    assert b"secret-room" not in response.data
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert "Bystander intervention" in str(event["SUMMARY"])
    assert libical_errors(response.data) == []
    client.post(f"{url}/register")
    assert b"secret-room" in client.get(f"{url}.ics").data


def test_fewer_seats_than_people_holding_one_are_refused_and_nothing_is_saved(
        app, client, network, create_user):
    """Capacity is never exceeded: two people hold two of three seats; one seat is refused."""
    other = create_user("other@example.org", roles=["focal_point"])
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        session.capacity = 3
        for user_id in (network["fp"], other):
            user = db.session.get(User, user_id)
            if user_id == other:
                appoint_undp_alternate(user, actor=db.session.get(User, network["coordinator"]))
            registration.register(session, user.person, actor=None, now=utcnow(), notify=False)
        db.session.commit()
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{network['session']}/edit?lang=fr",
                           data=_edited(capacity="1", title_en="Renamed"))
    assert response.status_code == 200
    assert ("2 personnes occupent une place\u00a0: conservez au moins 2 places ou retirez "
            "d’abord des personnes de la liste des participants.") in \
        response.get_data(as_text=True)
    with app.app_context():
        session = db.session.get(TrainingSession, network["session"])
        assert (session.capacity, session.title_en) == (3, "Bystander intervention")
        assert registration.registered_count(session) == 2


def test_a_session_of_no_seats_is_saved_as_the_field_allows(app, client, network):
    """0 seats (a waiting list only) is in the field's range: not "Enter the number of
    seats.", as if nothing had been entered."""
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{network['session']}/edit", data=_edited(capacity="0"))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(TrainingSession, network["session"]).capacity == 0
    response = client.post(f"/sessions/{network['session']}/edit", data=_edited(capacity=""))
    assert "Enter the number of seats." in response.get_data(as_text=True)


def test_the_month_filter_cuts_months_in_the_viewers_zone(app, client, reference,
                                                          create_user):
    """21:00 UTC on 31 March is 06:00 on 1 April in Tokyo: a viewer there finds the session
    under April, as the list dates it; a month no date can bound is no error."""
    office = create_user("office@example.org", roles=["coordinator"])
    create_user("tokyo@example.org", time_zone="Asia/Tokyo")
    with app.app_context():
        start = datetime(2030, 3, 31, 21, 0, tzinfo=UTC)
        session = services.create_session({
            "title_en": "Early April workshop", "topic": "bystander_intervention",
            "format": "virtual", "starts_at": start, "ends_at": start + timedelta(hours=1),
            "time_zone": "Asia/Tokyo", "join_url": "https://meet.example.org/x",
            "capacity": 5, "audience": "both"}, actor=db.session.get(User, office))
        services.publish_session(session, actor=None)
        db.session.commit()
    login(client, "tokyo@example.org")
    assert "Early April workshop" in client.get("/sessions/?month=2030-04&when=any") \
        .get_data(as_text=True)
    assert "Early April workshop" not in client.get("/sessions/?month=2030-03&when=any") \
        .get_data(as_text=True)
    for month in ("2100-12", "1900-01"):
        assert client.get(f"/sessions/?month={month}&when=any").status_code == 200


def _march_and_june(app, office):
    with app.app_context():
        for title, start in [("March session", datetime(2031, 3, 5, 10, tzinfo=UTC)),
                             ("June session", datetime(2031, 6, 5, 10, tzinfo=UTC))]:
            session = services.create_session({
                "title_en": title, "topic": "bystander_intervention", "format": "virtual",
                "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
                "join_url": "https://meet.example.org/x", "capacity": 5, "audience": "both"},
                actor=db.session.get(User, office))
            services.publish_session(session, actor=None)
        db.session.commit()


@pytest.mark.parametrize("typed", ["2031-03", "٢٠٣١-٠٣", " 2031-03 "])
def test_a_month_typed_in_any_digits_filters_the_list(app, client, reference, create_user,
                                                     typed):
    _march_and_june(app, create_user("office@example.org", roles=["coordinator"]))
    login(client, "office@example.org")
    html = client.get("/sessions/", query_string={"month": typed, "when": "any"}) \
        .get_data(as_text=True)
    assert "March session" in html and "June session" not in html
    assert 'value="2031-03"' in html


@pytest.mark.parametrize(("typed", "error"), [
    ("03/2031", "Enter a month as its year and number, such as 2027-03."),
    ("2031-13", "Enter a month as its year and number, such as 2027-03."),
    ("9999-12", "Enter a date between the years")])
def test_a_month_that_cannot_be_read_is_said_and_shown_back(app, client, reference,
                                                            create_user, typed, error):
    """A browser without a month input shows a text box: what is typed there and cannot be
    read is not dropped in silence, leaving every month listed under a filter that seems set."""
    _march_and_june(app, create_user("office@example.org", roles=["coordinator"]))
    login(client, "office@example.org")
    html = client.get("/sessions/", query_string={"month": typed, "when": "any",
                                                  "lang": "en"}).get_data(as_text=True)
    assert error in html and f'value="{typed}"' in html
    assert "March session" in html and "June session" in html


def test_after_the_last_term_the_me_page_offers_no_calendar_subscription(app, client,
                                                                        reference,
                                                                        create_user):
    """The feed stopped with the last appointment, whose last day was yesterday: the page
    says so, and a posted request (an old tab) starts nothing."""
    user_id = create_user("left@example.org")
    today = utcnow().date()
    with app.app_context():
        user = db.session.get(User, user_id)
        appointment = registry_services.appoint(user.person, {
            "role": "alternate", "entity": entity("UNDP"), "unct": None,
            "start_date": today - timedelta(days=30)}, actor=None)
        registry_services.end_appointment(appointment, reason="left_entity",
                                          ended_on=today - timedelta(days=1), actor=None)
        db.session.commit()
    login(client, "left@example.org")
    page = client.get("/me?lang=en").get_data(as_text=True)
    assert "Your calendar subscription ended with your last appointment" in page
    assert 'action="/me/calendar"' not in page
    response = client.post("/me/calendar", follow_redirects=True)
    assert response.status_code == 200
    assert "Your calendar subscription ended" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).calendar_token_hash is None


def test_a_session_opened_from_a_filtered_list_leads_back_to_it(client, make_session,
                                                                 create_user):
    """A focal point lists the sessions of one topic, opens one: "Training sessions" in its
    breadcrumb leads back to the sessions of that topic."""
    create_user("fp@undp.org", roles=["focal_point"])
    make_session()
    db.session.commit()
    assert login(client, "fp@undp.org").status_code == 302
    listing = "/sessions/?when=any&topic=enabling_environment&format=virtual"
    session = opened_from(client, listing, "/sessions/")
    assert listing in breadcrumb_links(session)


def test_registering_and_withdrawing_keep_the_way_back_to_the_list(client, network):
    """A session opened from a filtered list: after registering, then withdrawing, its page
    still leads back to that list."""
    login(client, "fp@example.org")
    listing = "/sessions/?when=any&topic=enabling_environment"
    url = f"/sessions/{network['session']}"
    html = client.get(url, query_string={"back": listing}).get_data(as_text=True)
    action = unescape(re.search(r'action="([^"]*/register[^"]*)"', html).group(1))
    page = client.post(action, follow_redirects=True).get_data(as_text=True)
    assert "You are registered." in page and listing in breadcrumb_links(page)
    action = unescape(re.search(r'action="([^"]*/withdraw[^"]*)"', page).group(1))
    assert client.post(action).status_code == 200  # the confirmation
    page = client.post(action, data={"confirmed": "1"}, follow_redirects=True)
    assert listing in breadcrumb_links(page.get_data(as_text=True))
