"""Induction and topic pages: who may open them, the Office managing topics, the person's
checklist (home, /me, its own page) in English and Arabic, documents opened by download."""
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.induction import services as induction
from gfp_portal.induction.models import InductionOpening, InductionPath
from gfp_portal.registry import services as registry
from gfp_portal.sessions import services as sessions
from gfp_portal.sessions.models import Topic, TrainingSession
from tests.helpers import (
    appoint_undp_alternate,
    at_once,
    breadcrumb_links,
    csrf_token_from,
    login,
    meet_first,
    opened_from,
    signed_in,
)
from tests.induction.conftest import add_document

ROLES = ["anonymous", "focal_point", "resident_coordinator", "coordinator", "admin"]


def sign_in(login_as, role):
    if role == "resident_coordinator":
        login_as(role, uncts=["KEN"])
    elif role != "anonymous":
        login_as(role)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url", ["/induction/", "/sessions/topics/"])
def test_the_office_pages_are_for_coordinators_and_admins(client, reference, login_as, role,
                                                          url):
    sign_in(login_as, role)
    response = client.get(url)
    expected = {"anonymous": 302, "focal_point": 403, "resident_coordinator": 403,
                "coordinator": 200, "admin": 200}[role]
    assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_the_checklist_page_needs_an_account(client, reference, login_as, role):
    sign_in(login_as, role)
    response = client.get("/induction/mine")
    assert response.status_code == (302 if role == "anonymous" else 200)


def _post(client, url, data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_the_office_adds_renames_and_deactivates_a_topic(app, client, login_as):
    login_as("coordinator")
    response = _post(client, "/sessions/topics/", {
        "key": "mentoring", "name_en": "Mentoring", "name_ar": "التوجيه", "position": "95",
        "is_active": "y"})
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.scalars(select(Topic).filter_by(key="mentoring")).one()
        topic_id = topic.id
        assert topic.name("ar") == "التوجيه" and topic.name("fr") == "Mentoring"
    page = client.get("/sessions/topics/?lang=ar").get_data(as_text=True)
    assert "التوجيه" in page
    client.get("/sessions/topics/?lang=en")
    # a key taken, a name missing: the form says so and nothing changes
    response = _post(client, "/sessions/topics/", {"key": "mentoring", "name_en": "Other"})
    assert response.status_code == 200 and "already used" in response.get_data(as_text=True)
    response = _post(client, f"/sessions/topics/{topic_id}/edit", {
        "name_en": "Mentoring circles", "position": "95"})  # not ticked: deactivated
    assert response.status_code == 302
    with app.app_context():
        topic = db.session.get(Topic, topic_id)
        assert topic.name_en == "Mentoring circles" and not topic.is_active
    new_session = client.get("/sessions/new").get_data(as_text=True)
    assert 'value="mentoring"' not in new_session and 'value="induction"' in new_session
    filters = client.get("/sessions/?when=any").get_data(as_text=True)
    assert 'value="mentoring"' in filters  # old sessions stay findable by it


def test_a_session_cannot_take_an_inactive_topic_but_keeps_one_it_had(app, client, login_as):
    coordinator_id = login_as("coordinator")
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        start = datetime.now(UTC) + timedelta(days=20)
        session = sessions.create_session({
            "title_en": "Anti-racism dialogue", "topic": "anti_racism", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=2),
            "time_zone": "UTC", "capacity": 20}, actor=coordinator)
        db.session.scalars(select(Topic).filter_by(key="anti_racism")).one().is_active = False
        db.session.commit()
        session_id = session.id
    edit = client.get(f"/sessions/{session_id}/edit").get_data(as_text=True)
    assert re.search(r'<option selected value="anti_racism">|<option value="anti_racism" selected>',
                     edit), re.findall(r"<option[^>]*anti_racism[^>]*>", edit)
    new = client.get("/sessions/new").get_data(as_text=True)
    assert 'value="anti_racism"' not in new
    token = csrf_token_from(new)
    response = client.post("/sessions/new", data={
        "csrf_token": token, "title_en": "Another", "topic": "anti_racism",
        "format": "virtual", "time_zone": "UTC", "starts_at": "2030-01-10T10:00",
        "ends_at": "2030-01-10T12:00", "languages": "en", "capacity": "10",
        "audience": "both", "waitlist_policy": "first_come", "series": "0",
        "submit": "Save"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(TrainingSession.id).filter_by(title_en="Another")) \
            is None


def test_a_topic_in_use_is_not_deleted(app, client, login_as):
    coordinator_id = login_as("coordinator")
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        start = datetime.now(UTC) + timedelta(days=20)
        sessions.create_session({
            "title_en": "Parity", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=2),
            "time_zone": "UTC", "capacity": 20}, actor=coordinator)
        db.session.commit()
        used = db.session.scalars(select(Topic).filter_by(key="parity_dashboard")).one().id
        unused = db.session.scalars(select(Topic).filter_by(key="network_meeting")).one().id
    page = client.get("/sessions/topics/").get_data(as_text=True)
    token = csrf_token_from(page)
    assert f"/sessions/topics/{used}/delete" not in page
    refused = client.post(f"/sessions/topics/{used}/delete", data={"csrf_token": token},
                          follow_redirects=True).get_data(as_text=True)
    assert "Sessions have this topic: it cannot be deleted." in refused
    # Its names in four languages would be lost: the first click asks, the second deletes.
    html = client.post(f"/sessions/topics/{unused}/delete", data={"csrf_token": token}) \
        .get_data(as_text=True)
    assert "Its names in every language are deleted for good. No session has this topic." \
        in html
    with app.app_context():
        assert db.session.get(Topic, unused) is not None
    client.post(f"/sessions/topics/{unused}/delete", data={"csrf_token": token,
                                                           "confirmed": "1"})
    with app.app_context():
        assert db.session.get(Topic, used) is not None
        assert db.session.get(Topic, unused) is None


@pytest.fixture
def newcomer(app, client, reference, create_user):
    """A focal point's account, just appointed (on the path), signed in; the path's
    documents in the library."""
    user_id = create_user("new.fp@example.org", locale="ar")
    with app.app_context():
        user = db.session.get(User, user_id)
        appoint_undp_alternate(user)
        add_document("terms-of-reference", {"en": "Terms of reference",
                                            "ar": "الاختصاصات"})
        add_document("enabling-environment-guidelines", {"en": "Enabling Environment"})
        db.session.commit()
    login(client, "new.fp@example.org")
    return user_id


def test_the_person_opens_the_terms_then_ticks_them(app, client, newcomer):
    page = client.get("/induction/mine?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in page and "مسار التهيئة" in page
    assert "/resources/terms-of-reference/download/ar" in page
    token = csrf_token_from(page)
    client.post("/induction/terms-read", data={"csrf_token": token})  # not opened yet
    with app.app_context():
        assert db.session.scalars(select(InductionPath)).one().terms_read_at is None
    response = client.get("/resources/terms-of-reference/download/ar")
    response.get_data()
    response.close()
    with app.app_context():
        assert db.session.scalars(select(InductionOpening)).one().language == "ar"
    page = client.get("/induction/mine?lang=en").get_data(as_text=True)
    assert "I have read the terms of reference" in page
    client.post("/induction/terms-read", data={"csrf_token": csrf_token_from(page)})
    with app.app_context():
        assert db.session.scalars(select(InductionPath)).one().terms_read_at is not None
    for url in ("/", "/me"):
        html = client.get(url + "?lang=en").get_data(as_text=True)
        assert 'data-induction="in_progress"' in html
        assert re.search(r'data-step="terms" data-done="yes"', html)


def test_the_home_recommends_the_induction_sessions_first(app, client, newcomer):
    with app.app_context():
        coordinator = None
        start = datetime.now(UTC) + timedelta(days=5)
        for title, topic, days in (("Anti-racism soon", "anti_racism", 0),
                                   ("Induction later", "induction", 20)):
            session = sessions.create_session({
                "title_en": title, "topic": topic, "format": "virtual",
                "starts_at": start + timedelta(days=days),
                "ends_at": start + timedelta(days=days, hours=2), "time_zone": "UTC",
                "join_url": "https://meet.example.org/x",
                "capacity": 20}, actor=coordinator)
            sessions.publish_session(session, actor=coordinator)
        db.session.commit()
    html = client.get("/?lang=en").get_data(as_text=True)
    recommended = html[html.index('id="recommended"'):]
    assert recommended.index("Induction later") < recommended.index("Anti-racism soon")


def test_the_overview_page_reads_a_fixed_number_of_queries(app, client, reference, login_as,
                                                           create_user, count_queries):
    login_as("coordinator")

    def appoint_more(n):
        for k in range(n):
            user_id = create_user(f"fp{n}-{k}@example.org")
            with app.app_context():
                appoint_undp_alternate(db.session.get(User, user_id))
                db.session.commit()

    appoint_more(2)
    with count_queries() as few:
        page = client.get("/induction/").get_data(as_text=True)
    assert page.count("data-path=") == 2
    appoint_more(5)
    with count_queries() as many:
        page = client.get("/induction/?lang=ar").get_data(as_text=True)
    assert page.count("data-path=") == 7
    assert many.count == few.count


def test_the_work_queue_counts_the_paths_not_completed_as_its_list_shows(
        app, client, reference, login_as, create_user):
    login_as("coordinator")
    for n in range(3):
        user_id = create_user(f"queue{n}@example.org")
        with app.app_context():
            appoint_undp_alternate(db.session.get(User, user_id))
            if n == 0:
                db.session.scalars(select(InductionPath)).one().completed_at = datetime.now(UTC)
            db.session.commit()
    html = client.get("/?lang=en").get_data(as_text=True)
    item = re.search(r'data-queue="induction".*?data-count="(\d+)".*?href="([^"]+)"', html,
                     re.S)
    assert item and item.group(1) == "2"
    listed = client.get(item.group(2).replace("&amp;", "&")).get_data(as_text=True)
    assert listed.count("data-path=") == 2


def test_a_guideline_only_in_english_is_marked_as_english_on_an_arabic_checklist(client,
                                                                                 newcomer):
    page = client.get("/induction/mine?lang=ar").get_data(as_text=True)
    assert '<bdi lang="en">Enabling Environment</bdi>' in page
    assert '<bdi lang="ar">' not in page  # the terms of reference are read in Arabic


def test_someone_whose_term_was_withdrawn_no_longer_waits_for_the_office(
        app, client, reference, login_as, create_user):
    """Two newcomers on the path; one's appointment is withdrawn: the Office's queue and its
    list count the other alone."""
    login_as("coordinator")
    ids = [create_user(f"queue{n}@example.org", given_name=f"Queue{n}") for n in range(2)]
    with app.app_context():
        for user_id in ids:
            appoint_undp_alternate(db.session.get(User, user_id))
        db.session.flush()
        gone = db.session.get(User, ids[1])
        registry.end_appointment(gone.person.appointments[0], reason="withdrawn", actor=None)
        db.session.commit()
    html = client.get("/?lang=en").get_data(as_text=True)
    assert re.search(r'data-queue="induction".*?data-count="(\d+)"', html, re.S).group(1) == "1"
    listed = client.get("/induction/?state=open&lang=en").get_data(as_text=True)
    assert "Queue0" in listed and "Queue1" not in listed


def test_a_document_downloaded_twice_at_once_is_opened_once(app, reference, create_user,
                                                           monkeypatch):
    """A PDF viewer's second request, a download retried: both get the file."""
    user_id = create_user("new.fp@example.org")
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, user_id))
        add_document("terms-of-reference", {"en": "Terms of reference"})
        db.session.commit()
    clients = [signed_in(app, "new.fp@example.org") for _ in range(2)]
    meet_first(monkeypatch, induction, "has_opened")  # neither found it opened
    url = "/resources/terms-of-reference/download/en"
    answers = at_once([(client, "get", url, None) for client in clients])
    assert [answer[0] for answer in answers] == [200, 200], answers
    with app.app_context():
        assert len(db.session.scalars(select(InductionOpening)).all()) == 1


# Done and total steps: "1 of 5 step done" took its noun's number from the steps done.
PROGRESS_WORDING = [(1, 5, "Steps done: 1 of 5"), (1, 1, "Steps done: 1 of 1"),
                    (2, 11, "Steps done: 2 of 11")]


@pytest.mark.parametrize(("done", "total", "expected"), PROGRESS_WORDING)
def test_the_checklist_says_how_many_steps_are_done_whatever_the_numbers(app, done, total,
                                                                         expected):
    progress = SimpleNamespace(done=done, total=total, percent=round(100 * done / total),
                               complete=done == total, state="in_progress", steps=[])
    with app.test_request_context("/"):
        page = render_template("induction/_checklist.html", progress=progress, language="en",
                               terms_form=None)
        with force_locale("es"):
            spanish = render_template("induction/_checklist.html", progress=progress,
                                      language="es", terms_form=None)
    assert expected in page
    assert "step done" not in page and "paso completado" not in spanish


@pytest.mark.parametrize(("done", "total", "expected"), PROGRESS_WORDING)
def test_the_reminder_says_how_many_steps_are_done_whatever_the_numbers(app, done, total,
                                                                        expected):
    context = {"person": SimpleNamespace(full_name="Amina Diallo"), "kind": "reminder",
               "steps": [], "done": done, "total": total, "sessions": [], "link": "/induction"}
    with app.test_request_context("/"):
        for template in ("emails/induction_reminder.txt", "emails/induction_reminder.html"):
            text = render_template(template, **context)
            assert f"{expected}." in text
            assert "step done" not in text


def test_the_counts_by_progress_lead_to_the_people_they_count(app, client, reference,
                                                               login_as, create_user):
    """The counts of a list narrowed by name and entity are of those people: their links keep
    the name and the entity (and start again at the first page)."""
    login_as("coordinator")
    user_id = create_user("counted@example.org")
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, user_id))
        db.session.commit()
    html = client.get("/induction/?q=counted&entity=UNDP&page=1").get_data(as_text=True)
    links = re.findall(r'href="([^"]+)" data-count="([a-z_]+)"', html)
    assert links
    for link, state in links:
        listed = client.get(link.replace("&amp;", "&"))
        assert listed.request.args.to_dict() == {"q": "counted", "entity": "UNDP",
                                                 "state": state}


def test_a_person_opened_from_a_filtered_page_of_the_induction_list_leads_back_to_it(
        app, client, reference, login_as, create_user, monkeypatch):
    """Page 2 of the newcomers still on their path, a person opened: their page's breadcrumb
    leads back to that page of the induction list, not to the registry; a way back that is
    neither list on this site leads to the registry."""
    login_as("coordinator")
    ids = [create_user(f"new{n}@example.org") for n in range(2)]
    with app.app_context():
        for user_id in ids:
            appoint_undp_alternate(db.session.get(User, user_id))
        db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    listing = "/induction/?state=open&page=2"
    person = opened_from(client, listing, "/registry/people/")
    assert listing in breadcrumb_links(person) and "/registry/" not in breadcrumb_links(person)
    link = re.search(r'/registry/people/\d+', person).group(0)
    for elsewhere in ("https://elsewhere.example.org/induction/", "//elsewhere.example.org/",
                      "/admin/users/"):
        links = breadcrumb_links(client.get(link, query_string={"back": elsewhere})
                                 .get_data(as_text=True))
        assert "/registry/" in links and elsewhere not in links
