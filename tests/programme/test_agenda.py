"""The agenda of a session: items within the session's time, in order, with presenters from
the registry, the Office and guests; shown to everyone who can see the session, in their
language and zone."""
import base64
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from icalendar import Calendar
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import set_roles
from gfp_portal.core.audit import AuditEvent
from gfp_portal.extensions import db
from gfp_portal.programme import agenda, queries
from gfp_portal.programme.models import AgendaItem, AgendaPresenter
from gfp_portal.registry.models import Person
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import NOW, login, outbox, refused


def _texts(title="Opening", **extra):
    return {"title_en": title, **extra}


def test_items_keep_the_order_of_time_then_the_one_chosen(make_session, coordinator):
    session = make_session()
    later = agenda.add_item(session, {**_texts("Panel"),
                                      "starts_at": session.starts_at + timedelta(hours=1)},
                            actor=coordinator, now=NOW)
    first = agenda.add_item(session, {**_texts("Opening"), "starts_at": session.starts_at},
                            actor=coordinator, now=NOW)
    assert [i.title_en for i in queries.agenda_of(session)] == ["Opening", "Panel"]
    agenda.move_item(later, "up", actor=coordinator, now=NOW)
    assert [i.title_en for i in queries.agenda_of(session)] == ["Panel", "Opening"]
    refused("cannot_move", agenda.move_item, later, "up", actor=coordinator, now=NOW)
    refused("bad_direction", agenda.move_item, first, "sideways", actor=coordinator, now=NOW)
    agenda.delete_item(later, actor=coordinator, now=NOW)
    assert [(i.title_en, i.position) for i in queries.agenda_of(session)] == [("Opening", 0)]


def test_the_agenda_moves_with_its_session(make_session, coordinator):
    session = make_session()
    opening = agenda.add_item(session, {**_texts("Opening"), "starts_at": session.starts_at},
                              actor=coordinator, now=NOW)
    agenda.add_item(session, {**_texts("Panel"),
                              "starts_at": session.starts_at + timedelta(hours=1)},
                    actor=coordinator, now=NOW)
    before = opening.starts_at
    later = session.starts_at + timedelta(days=7, hours=3)
    sessions.update_session(session, {"starts_at": later, "ends_at": later + timedelta(hours=3)},
                            actor=coordinator, now=NOW)
    assert [(i.title_en, i.starts_at) for i in queries.agenda_of(session)] == [
        ("Opening", later), ("Panel", later + timedelta(hours=1))]
    moved = db.session.scalars(select(AuditEvent).filter_by(
        action="agenda.update", object_id=opening.id)).one()
    assert moved.changes["starts_at"] == [before.isoformat(), later.isoformat()]


def test_a_session_that_would_leave_an_item_outside_it_is_refused(make_session, coordinator):
    session = make_session(hours=2)
    agenda.add_item(session, {**_texts("Panel"),
                              "starts_at": session.starts_at + timedelta(minutes=90)},
                    actor=coordinator, now=NOW)
    error = refused("agenda_outside", sessions.update_session, session,
                    {"ends_at": session.starts_at + timedelta(hours=1)}, actor=coordinator,
                    now=NOW)
    assert error.field == "ends_at" and "“Panel”" in str(error.message)


def test_the_edit_form_says_which_item_a_shorter_session_would_leave_out(app, client,
                                                                         running):
    starts = _session_with_agenda(app, running)  # "Opening", 5 minutes after the start
    login(client, "coord@example.org")
    local = starts.astimezone(ZoneInfo("Asia/Amman"))
    url = f"/sessions/{running['session']}/edit"
    form = client.get(url).get_data(as_text=True)
    assert "Opening" in client.get(f"/sessions/{running['session']}").get_data(as_text=True)
    data = {name: value for name, value in re.findall(
        r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form) if name != "check_hours"}
    data.update(title_en="Gender parity", topic="parity_dashboard", format="virtual",
                time_zone="Asia/Amman", languages=["en"], audience="both", series="0",
                waitlist_policy="first_come", capacity="30", submit="Save",
                starts_at=local.strftime("%Y-%m-%dT%H:%M"),
                ends_at=(local + timedelta(minutes=4)).strftime("%Y-%m-%dT%H:%M"))
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "The agenda item “Opening” would fall outside the session" in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(TrainingSession, running["session"]).ends_at != \
            starts + timedelta(minutes=4)


@pytest.mark.parametrize("offset", [timedelta(minutes=-1), timedelta(hours=2),
                                    timedelta(days=3)])
def test_an_item_starts_within_the_session(make_session, coordinator, offset):
    session = make_session(hours=2)
    refused("outside_session", agenda.add_item, session,
            {**_texts(), "starts_at": session.starts_at + offset}, actor=coordinator, now=NOW)


def test_the_english_title_is_required(make_session, coordinator):
    session = make_session()
    refused("title_required", agenda.add_item, session,
            {"title_fr": "Ouverture", "starts_at": session.starts_at}, actor=coordinator)


def test_presenters_of_three_kinds_and_a_guest_stays_out_of_the_registry(
        make_session, make_person, coordinator):
    session = make_session()
    person = make_person("Lucía", "Pérez")
    people = db.session.scalar(select(func.count(Person.id)))
    guest = agenda.add_guest_presenter("Dr Ingrid Halvorsen", "University of Bergen",
                                       "academia", actor=coordinator, now=NOW)
    item = agenda.add_item(session, {**_texts(), "starts_at": session.starts_at}, [
        agenda.presenter(person=person), agenda.presenter(user=coordinator),
        agenda.presenter(guest=guest)], actor=coordinator, now=NOW)
    db.session.flush()
    assert sorted(p.name for p in item.presenters) == sorted([
        "Lucía Pérez", coordinator.display_name, "Dr Ingrid Halvorsen"])
    assert db.session.scalar(select(func.count(Person.id))) == people
    # Editing keeps the presenters still named and drops the others.
    agenda.update_item(item, {**_texts("Opening"), "starts_at": session.starts_at},
                       [agenda.presenter(guest=guest)], actor=coordinator, now=NOW)
    assert [p.guest_id for p in item.presenters] == [guest.id]
    assert db.session.scalar(select(func.count(AgendaPresenter.id))) == 1
    refused("guest_incomplete", agenda.add_guest_presenter, "", "X", "academia",
            actor=coordinator)
    refused("bad_sector", agenda.add_guest_presenter, "A", "B", "nonsense", actor=coordinator)


def test_the_office_offered_as_presenters_is_in_the_registrys_order_of_names(coordinator):
    """By family name, then given name, case and accents ignored at first (Person.name_key):
    "Élodie" among the E's, "da Costa" among the D's."""
    for given, family in (("Zara", "Martin"), ("Élodie", "Martin"), ("Ana", "da Costa")):
        email = f"{given[-2:]}.{family[-2:]}@example.org"
        user = User(email=email, person=Person(given_name=given, family_name=family,
                                               email=email), is_active=True)
        db.session.add(user)
        set_roles(user, ["coordinator"], [])
    db.session.flush()
    assert [label for __, label in queries.staff_choices() if label != "Test Person"] == \
        ["Ana da Costa", "Élodie Martin", "Zara Martin"]


@pytest.mark.parametrize(("lang", "ordered"), [("es", ["Ana Munro", "Ana Muñoz"]),
                                               ("en", ["Ana Muñoz", "Ana Munro"])])
def test_the_office_offered_as_presenters_is_in_the_readers_order_of_names(coordinator, lang,
                                                                           ordered):
    """Spanish sorts the ñ after the n ("Munro" before "Muñoz"); the other languages take it
    for an n, as the registry's lists do (name_order)."""
    for n, family in enumerate(("Muñoz", "Munro")):
        email = f"staff{n}@example.org"
        user = User(email=email, person=Person(given_name="Ana", family_name=family,
                                               email=email), is_active=True)
        db.session.add(user)
        set_roles(user, ["coordinator"], [])
    db.session.flush()
    with force_locale(lang):
        assert [label for __, label in queries.staff_choices() if label in ordered] == ordered


def _session_with_agenda(app, running):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        guest = agenda.add_guest_presenter("Ms Amal Haddad", "Permanent Mission of Jordan",
                                           "member_state", actor=None)
        agenda.add_item(session, {"title_en": "Opening", "title_ar": "الافتتاح",
                                  "description_en": "Welcome words.",
                                  "starts_at": session.starts_at + timedelta(minutes=5)},
                        [agenda.presenter(guest=guest)], actor=None)
        db.session.commit()
        return session.starts_at


def test_the_session_page_shows_the_agenda_in_the_viewers_language(app, client, running):
    _session_with_agenda(app, running)
    login(client, "amina.diallo@example.org")  # reads Arabic, in UTC
    html = client.get(f"/sessions/{running['session']}").get_data(as_text=True)
    assert "الافتتاح" in html and "Ms Amal Haddad" in html and "Permanent Mission" in html
    html = client.get(f"/sessions/{running['session']}?lang=fr").get_data(as_text=True)
    # No French title: the English one, marked as English.
    assert 'lang="en" dir="auto">Opening' in html and "Ordre du jour" in html
    # Times in the viewer's zone (UTC), then the session's (Amman).
    assert "UTC" in html and "Amman" in html


def test_the_items_of_a_session_over_several_days_say_their_day(app, client, running):
    """A two-day workshop opens each morning at 09:00 Amman time: each item says which day."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at = datetime(2027, 3, 15, 6, 0, tzinfo=UTC)  # 09:00 in Amman
        session.ends_at = session.starts_at + timedelta(days=1, hours=8)
        for title, day in (("Day one", 0), ("Day two", 1)):
            agenda.add_item(session, {"title_en": title,
                                      "starts_at": session.starts_at + timedelta(days=day)},
                            actor=None)
        db.session.commit()
    login(client, "amina.diallo@example.org")
    html = client.get(f"/sessions/{running['session']}?lang=en").get_data(as_text=True)
    times = [re.sub(r"<[^>]+>", "", t) for t in re.findall(
        r'<p class="agenda-time mb-0">(.*?)</p>', html, re.S)]
    assert len(times) == 2
    assert "Mar 15, 2027" in times[0] and "Mar 16, 2027" in times[1]


def _closing_presenters(app, client, running, people):
    """Adds a "Closing" item an hour into the session with `people` typed as its presenters,
    and returns the addresses of the registry's people it names."""
    starts = _session_with_agenda(app, running)
    login(client, "coord@example.org")
    local = starts.astimezone(ZoneInfo("Asia/Amman"))
    response = client.post(f"/sessions/{running['session']}/agenda?lang=en", data={
        "title_en": "Closing",
        "starts_at": (local + timedelta(minutes=60)).strftime("%Y-%m-%dT%H:%M"),
        "people": people})
    assert "Nobody in the registry" not in response.get_data(as_text=True)
    assert response.status_code == 302
    with app.app_context():
        closing = db.session.scalars(select(AgendaItem).filter_by(title_en="Closing")).one()
        return [p.person.email for p in closing.presenters if p.person]


def test_invisible_marks_among_the_presenters_name_nobody(app, client, running):
    """A line holding only a direction mark or a zero-width space, pasted with the
    addresses, is no presenter."""
    assert _closing_presenters(app, client, running,
                               "amina.diallo@example.org,\n\u200f\n\u200b,\n") == [
        "amina.diallo@example.org"]


def test_presenters_typed_as_a_list_with_commas_or_semicolons_are_each_named(
        app, client, running, create_user):
    """Addresses copied from a mail program come as "a@…, b@…" or "a@…;b@…", with or
    without a space: each is a presenter, as in the other boxes of addresses."""
    create_user("lucia.gomez@example.org")
    assert sorted(_closing_presenters(
        app, client, running,
        "amina.diallo@example.org,lucia.gomez@example.org;amina.diallo@example.org")) == [
        "amina.diallo@example.org", "lucia.gomez@example.org"]


def test_the_office_adds_edits_and_deletes_items(app, client, running):
    starts = _session_with_agenda(app, running)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/agenda"
    local = starts.astimezone(ZoneInfo("Asia/Amman"))  # the form reads the session's zone
    response = client.post(url, data={"title_en": "Closing", "title_fr": "Clôture",
                                      "starts_at": (local + timedelta(minutes=60)).strftime(
                                          "%Y-%m-%dT%H:%M"),
                                      "people": "amina.diallo@example.org",
                                      "guest_name": "Prof. Kwame Mensah",
                                      "guest_organisation": "University of Ghana",
                                      "guest_sector": "academia"})
    assert response.status_code == 302
    with app.app_context():
        closing = db.session.scalars(select(AgendaItem).filter_by(title_en="Closing")).one()
        assert {p.guest.name for p in closing.presenters if p.guest} == {"Prof. Kwame Mensah"}
        assert [p.person.email for p in closing.presenters if p.person] == [
            "amina.diallo@example.org"]
    # Outside the session: a translated error, nothing saved.
    response = client.post(url + "?lang=es", data={
        "title_en": "Late", "starts_at": (local + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 200
    assert "debe comenzar durante la sesión" in response.get_data(as_text=True)
    # An unknown registry address is refused on its field.
    response = client.post(url + "?lang=en", data={
        "title_en": "X", "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
        "people": "nobody@nowhere.example"})
    assert "nobody@nowhere.example" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AgendaItem.id))) == 2
        item_id = closing.id
    edit = f"{url}/{item_id}"
    assert "Clôture" in client.get(edit).get_data(as_text=True)
    # The list names each item in the reader's language, as the session's page does.
    listed = client.get(url + "?lang=fr").get_data(as_text=True)
    assert '<h2 class="h6 mb-1" lang="fr" dir="ltr">Clôture</h2>' in listed
    assert client.post(edit, data={"title_en": "Closing remarks", "title_fr": "Clôture",
                                   "starts_at": (local + timedelta(minutes=70)).strftime(
                                       "%Y-%m-%dT%H:%M")}).status_code == 302
    # Delete asks first, naming the item in the reader's language.
    page = client.post(f"{edit}/delete?lang=en")
    assert "Delete the item “Closing remarks”" in page.get_data(as_text=True)
    page = client.post(f"{edit}/delete?lang=fr")
    assert "Supprimer le point «\u00a0Clôture\u00a0»" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AgendaItem.id))) == 2
    assert client.post(f"{edit}/delete", data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert [i.title_en for i in db.session.scalars(select(AgendaItem))] == ["Opening"]
    assert client.get(f"{url}/999999").status_code == 404


def test_a_new_guest_presenter_needs_a_sector_chosen(app, client, running):
    starts = _session_with_agenda(app, running)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/agenda?lang=en"
    page = client.get(url).get_data(as_text=True)
    sector = re.search(r'<select[^>]*name="guest_sector".*?</select>', page, re.S).group(0)
    assert 'value=""' in re.search(r"<option[^>]*>", sector).group(0)
    assert "selected" not in sector
    local = starts.astimezone(ZoneInfo("Asia/Amman"))
    response = client.post(url, data={"title_en": "Panel",
                                      "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
                                      "guest_name": "Prof. Kwame Mensah",
                                      "guest_organisation": "University of Ghana",
                                      "guest_sector": ""})
    assert response.status_code == 200
    assert "Choose the guest&#39;s sector." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(AgendaItem.title_en)).all() == ["Opening"]


def test_the_session_page_reads_the_agenda_in_few_queries(app, client, running,
                                                          count_queries):
    _session_with_agenda(app, running)
    login(client, "amina.diallo@example.org")
    url = f"/sessions/{running['session']}"
    client.get(url)
    with count_queries() as one:
        client.get(url)
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        for n in range(5):
            guest = agenda.add_guest_presenter(f"Guest {n}", "Org", "other", actor=None)
            agenda.add_item(session, {"title_en": f"Item {n}",
                                      "starts_at": session.starts_at + timedelta(minutes=n)},
                            [agenda.presenter(guest=guest)], actor=None)
        db.session.commit()
    with count_queries() as six:
        client.get(url)
    assert six.count == one.count


def test_the_invitation_carries_the_agenda_in_the_recipients_language(
        make_session, make_appointee, coordinator):
    session = make_session()
    guest = agenda.add_guest_presenter("Dr Ingrid Halvorsen", "University of Bergen",
                                       "academia", actor=coordinator, now=NOW)
    agenda.add_item(session, {"title_en": "Keynote", "title_fr": "Discours liminaire",
                              "starts_at": session.starts_at + timedelta(minutes=30)},
                    [agenda.presenter(guest=guest)], actor=coordinator, now=NOW)
    person = make_appointee(language="fr", zone="Europe/Paris")
    registration.register(session, person, actor=None, now=NOW)
    message = outbox("session_notice")[-1]
    calendar = base64.b64decode(message.parts[0]["data"]).decode().replace("\r\n ", "")
    assert "Ordre du jour" in calendar and "Discours liminaire (Dr Ingrid Halvorsen)" in calendar


def test_each_time_of_the_agenda_in_an_invitation_names_its_zone(
        make_session, make_appointee, coordinator):
    """The invitation reads the session in the recipient's zone and in the session's
    ("11:00 AM–1:00 PM Nairobi (UTC+3) · 10:00 AM–12:00 PM Zurich (UTC+2)"): an agenda time
    given bare ("11:30 AM Opening") falls within both, and reads as either."""
    start = datetime(2027, 6, 1, 8, 0, tzinfo=UTC)  # 10:00 in Zurich, 11:00 in Nairobi
    session = make_session(starts_at=start, ends_at=start + timedelta(hours=2))
    agenda.add_item(session, {"title_en": "Opening",
                              "starts_at": start + timedelta(minutes=30)},
                    actor=coordinator, now=NOW)
    registration.register(session, make_appointee(zone="Africa/Nairobi"), actor=None, now=NOW)
    message = outbox("session_notice")[-1]
    event = Calendar.from_ical(base64.b64decode(message.parts[0]["data"])).walk("VEVENT")[0]
    description = str(event["DESCRIPTION"])
    assert "\n11:30\u202fAM Nairobi (UTC+3) Opening\n" in description, description


def test_an_arabic_invitation_lists_the_presenters_with_the_arabic_comma(
        make_session, make_appointee, coordinator):
    """The agenda page separates presenters with the language's comma ("، " in Arabic); the
    agenda the invitation carries joined them with a Latin comma whatever the language."""
    session = make_session(title_ar="تدخل الشهود")
    speakers = [agenda.add_guest_presenter(name, "جامعة القاهرة", "academia",
                                           actor=coordinator, now=NOW)
                for name in ("منى حسن", "ليلى أحمد")]
    agenda.add_item(session, {"title_en": "Keynote", "title_ar": "الكلمة الرئيسية",
                              "starts_at": session.starts_at + timedelta(minutes=30)},
                    [agenda.presenter(guest=g) for g in speakers], actor=coordinator, now=NOW)
    registration.register(session, make_appointee(language="ar", zone="Asia/Amman"),
                          actor=None, now=NOW)
    message = outbox("session_notice")[-1]
    calendar = base64.b64decode(message.parts[0]["data"]).decode().replace("\r\n ", "")
    assert "الكلمة الرئيسية (منى حسن، ليلى أحمد)" in calendar


def test_an_item_at_a_time_the_clocks_skip_is_a_form_error(app, client, running):
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        # New York, the night its clocks go from 02:00 to 03:00: 01:00 EST to 05:00 EDT.
        session.time_zone = "America/New_York"
        session.starts_at = datetime(2027, 3, 14, 6, tzinfo=UTC)
        session.ends_at = datetime(2027, 3, 14, 9, tzinfo=UTC)
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/agenda"
    response = client.post(url, data={"title_en": "Closing", "starts_at": "2027-03-14T02:30"})
    assert response.status_code == 200
    assert ("The clocks of this time zone skip this time: they move forward that night."
            in response.get_data(as_text=True))
    assert client.post(url, data={"title_en": "Closing",
                                  "starts_at": "2027-03-14T03:30"}).status_code == 302
    with app.app_context():
        item = db.session.scalar(select(AgendaItem).filter_by(title_en="Closing"))
        assert item.starts_at.astimezone(UTC) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


def test_an_item_in_an_hour_the_clocks_repeat_stays_there_when_saved_unchanged(
        app, client, running):
    """New York, the night its clocks go back from 02:00 to 01:00: a session from the second
    01:00 (EST, 06:00 UTC) to 03:00. Its item at the second 01:30 shows 01:30 on its form;
    saving the form with only a new title keeps it there, rather than reading the first
    01:30, which is before the session starts."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.time_zone = "America/New_York"
        session.starts_at = datetime(2027, 11, 7, 6, tzinfo=UTC)
        session.ends_at = datetime(2027, 11, 7, 8, tzinfo=UTC)
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/agenda"
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        item = agenda.add_item(session, {**_texts("Opening"),
                                         "starts_at": datetime(2027, 11, 7, 6, 30, tzinfo=UTC)},
                               actor=None)
        db.session.commit()
        item_id = item.id
    edit = f"{url}/{item_id}"
    assert 'value="2027-11-07T01:30"' in client.get(edit).get_data(as_text=True)
    response = client.post(edit, data={"title_en": "Welcome", "starts_at": "2027-11-07T01:30"})
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(AgendaItem, item_id)
        assert (item.title_en, item.starts_at.astimezone(UTC)) == (
            "Welcome", datetime(2027, 11, 7, 6, 30, tzinfo=UTC))

def test_a_deleted_draft_takes_its_agenda_and_guest_links_with_it(make_session, coordinator):
    """Nothing of the draft is left to turn up on another session (SQLite gives a deleted
    row's id to the next one) or, on PostgreSQL, to stop the deletion."""
    from gfp_portal.core.errors import DomainError
    from gfp_portal.programme import guests
    from gfp_portal.programme.models import GuestInvitation

    draft = make_session(publish=False)
    item = agenda.add_item(draft, {**_texts(), "starts_at": draft.starts_at},
                           [agenda.presenter(user=coordinator)], actor=coordinator, now=NOW)
    link = guests.create_invitation(draft, actor=coordinator, now=NOW).token
    draft_id, item_id = draft.id, item.id
    sessions.delete_draft(draft, actor=coordinator, now=NOW)
    db.session.commit()
    assert db.session.get(TrainingSession, draft_id) is None
    for model, column in ((AgendaItem, AgendaItem.session_id),
                          (GuestInvitation, GuestInvitation.session_id),
                          (AgendaPresenter, AgendaPresenter.item_id)):
        key = item_id if model is AgendaPresenter else draft_id
        assert db.session.scalar(select(func.count()).select_from(model)
                                 .where(column == key)) == 0, model.__tablename__
    with pytest.raises(DomainError):
        guests.open_invitation(link, now=NOW)
    assert {e.action for e in db.session.scalars(select(AuditEvent))} >= {
        "agenda.delete", "guest_invitation.delete", "session.delete"}
