"""Practice pages for every role: who sees, submits, edits and reviews what; the library's
filters, fallback and fixed number of queries; the roll of honour; bad input."""
import re

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.practices import services
from gfp_portal.practices.models import Practice, PracticeState
from gfp_portal.registry import services as registry
from tests.helpers import csrf_token_from, entity, login, opened_from, outbox, page_links, sent_from
from tests.markup import filled_form, form_to, parse

from .conftest import focal_point_of, practice_data

ROLES = ["anonymous", "own_fp", "other_fp", "rc", "coordinator", "admin"]


@pytest.fixture
def world(app, reference, create_user):
    """A submitted and a published practice of UNDP, by UNDP's focal point; accounts for
    every role."""
    ids = {"own_fp": create_user("own@example.org"),
           "other_fp": create_user("other@example.org"),
           "rc": create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"]),
           "coordinator": create_user("coord@example.org", roles=["coordinator"]),
           "admin": create_user("admin@example.org", roles=["admin"])}
    with app.app_context():
        own = focal_point_of("UNDP", db.session.get(User, ids["own_fp"]))
        focal_point_of("WFP", db.session.get(User, ids["other_fp"]))
        office = db.session.get(User, ids["coordinator"])
        pending = services.submit_practice(practice_data(title="Pending practice"), actor=own)
        published = services.submit_practice(practice_data(
            title="Published practice", language="fr"), actor=own)
        services.add_version(published, {"language": "en", "title": "Published in English",
                                         "body": "Measures."}, actor=own)
        services.publish_practice(published, actor=office)
        award = services.create_award({
            "year": 2024, "event": "Global Annual Meeting 2024", "name": "Champion award",
            "entity": entity("UNDP"), "recipients": "own@example.org",
            "citations": {"en": "For the network."}}, actor=office)
        db.session.commit()
        return {"pending": pending.id, "published": published.id, "award": award.id,
                "person": own.person_id}


def sign_in(client, role):
    if role != "anonymous":
        emails = {"own_fp": "own", "other_fp": "other", "rc": "rc", "coordinator": "coord",
                  "admin": "admin"}
        assert login(client, f"{emails[role]}@example.org").status_code == 302


def state_of(app, practice_id):
    with app.app_context():
        return db.session.get(Practice, practice_id).state


@pytest.mark.parametrize("role, library, pending, published, new, edit", [
    ("anonymous", 302, 302, 302, 302, 302),
    ("own_fp", 200, 200, 200, 200, 200),
    ("other_fp", 200, 404, 200, 200, 404),
    ("rc", 200, 404, 200, 403, 404),
    ("coordinator", 200, 200, 200, 200, 200),
    ("admin", 200, 200, 200, 200, 200),
])
def test_access_by_role(client, world, role, library, pending, published, new, edit):
    sign_in(client, role)
    assert client.get("/practices/").status_code == library
    assert client.get(f"/practices/{world['pending']}").status_code == pending
    assert client.get(f"/practices/{world['published']}").status_code == published
    assert client.get("/practices/new").status_code == new
    assert client.get(f"/practices/{world['pending']}/edit").status_code == edit
    assert client.get(f"/practices/{world['pending']}/versions/en").status_code == edit
    # A published practice is the Office's to change, once it is seen by everyone.
    edit_published = client.get(f"/practices/{world['published']}/edit").status_code
    assert edit_published == {"anonymous": 302, "coordinator": 200, "admin": 200}.get(role, 403)
    assert client.get("/practices/awards").status_code == 200
    manage = client.get(f"/practices/awards/{world['award']}/edit").status_code
    assert manage == {"anonymous": 302, "coordinator": 200, "admin": 200}.get(role, 403)


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_review(app, client, world, role):
    sign_in(client, role)
    pending = world["pending"]
    changes = client.post(f"/practices/{pending}/request-changes", data={"text": "Figures."})
    publish = client.post(f"/practices/{pending}/publish")
    if role in ("coordinator", "admin"):
        assert changes.status_code == publish.status_code == 302
        assert state_of(app, pending) == PracticeState.published
        with app.app_context():
            assert [m.template for m in outbox("practice_decision")][-2:] == [
                "practice_decision", "practice_decision"]
    else:
        assert changes.status_code in (302, 403, 404) and publish.status_code in (302, 403, 404)
        if role != "anonymous":
            assert changes.status_code != 302 and publish.status_code != 302
        assert state_of(app, pending) == PracticeState.submitted


def test_a_focal_point_submits_and_the_office_publishes(app, client, world):
    sign_in(client, "own_fp")
    with app.app_context():
        undp = entity("UNDP").id
    response = client.post("/practices/new", data={
        "entity": undp, "year": 2024, "area": "talent", "contacts": "",
        "language": "es", "title": "Programa de mentoría", "summary": "",
        "body": "Parejas de mentoría.", "results": ""})
    assert response.status_code == 302
    with app.app_context():
        practice = db.session.scalars(select(Practice).order_by(Practice.id.desc())).first()
        new_id = practice.id
        assert practice.state == PracticeState.submitted and practice.languages == ["es"]
    assert client.get("/practices/?q=MENTORIA").get_data(as_text=True).count(
        "Programa de mentoría") == 0  # not published yet
    client.post("/logout")
    sign_in(client, "coordinator")
    home = client.get("/").get_data(as_text=True)
    assert "Good practices waiting for review" in home
    queue = client.get("/practices/?state=submitted").get_data(as_text=True)
    assert "Programa de mentoría" in queue and "Pending practice" in queue
    assert client.post(f"/practices/{new_id}/publish").status_code == 302
    client.post("/logout")
    sign_in(client, "other_fp")
    page = client.get("/practices/?q=mentoria&lang=en").get_data(as_text=True)
    assert "Programa de mentoría" in page
    detail = client.get(f"/practices/{new_id}").get_data(as_text=True)
    assert "fallback-notice" in detail and 'lang="es"' in detail


@pytest.mark.parametrize(("lang", "ordered"), [("es", ["Munro", "Muñoz"]),
                                               ("en", ["Muñoz", "Munro"])])
def test_a_practices_contacts_are_listed_in_the_readers_order_of_names(app, client, world,
                                                                       lang, ordered):
    """Spanish sorts the ñ after the n ("Munro" before "Muñoz"); the other languages take it
    for an n, as the registry's lists do (name_order)."""
    with app.app_context():
        for n, family in enumerate(("Muñoz", "Munro")):
            registry.create_person({"given_name": "Ana", "family_name": family,
                                    "email": f"ana{n}@undp.org"}, actor=None)
        practice = services.submit_practice(practice_data(
            contacts="ana0@undp.org, ana1@undp.org"), actor=db.session.scalars(
            select(User).filter_by(email="coord@example.org")).one())
        db.session.commit()
        practice_id = practice.id
    sign_in(client, "coordinator")
    html = client.get(f"/practices/{practice_id}?lang={lang}").get_data(as_text=True)
    assert re.findall(r"<bdi>Ana (Mu\w+)</bdi>", html) == ordered


@pytest.mark.parametrize(("lang", "ordered"), [("es", ["Munro", "Muñoz"]),
                                               ("en", ["Muñoz", "Munro"])])
def test_an_awards_recipients_are_listed_in_the_readers_order_of_names(app, client, world,
                                                                       lang, ordered):
    with app.app_context():
        for n, family in enumerate(("Muñoz", "Munro")):
            registry.create_person({"given_name": "Ana", "family_name": family,
                                    "email": f"ana{n}@undp.org"}, actor=None)
        services.create_award({
            "year": 2025, "event": "Global Annual Meeting 2025", "name": "Team award",
            "entity": entity("UNDP"), "recipients": "ana0@undp.org, ana1@undp.org",
            "citations": {"en": "For the team."}}, actor=db.session.scalars(
            select(User).filter_by(email="coord@example.org")).one())
        db.session.commit()
    sign_in(client, "other_fp")
    html = client.get(f"/practices/awards?lang={lang}").get_data(as_text=True)
    assert re.findall(r"<bdi>Ana (Mu\w+)</bdi>", html) == ordered


def test_the_reader_gets_their_language_or_a_fallback_notice(client, world):
    sign_in(client, "other_fp")
    url = f"/practices/{world['published']}"
    french = client.get(url + "?lang=fr").get_data(as_text=True)
    assert "Published practice" in french and "fallback-notice" not in french
    arabic = client.get(url + "?lang=ar").get_data(as_text=True)
    assert "Published in English" in arabic and "fallback-notice" in arabic
    chosen = client.get(url + "?lang=ar&version=fr").get_data(as_text=True)
    assert "Published practice" in chosen


def test_the_library_can_be_opened_to_every_visitor(app, client, world):
    assert client.get("/practices/").status_code == 302
    assert 'href="/practices/"' not in client.get("/resources/").get_data(as_text=True)
    with app.app_context():
        update_settings({"practices.public": True}, actor=None)
        db.session.commit()
    page = client.get("/practices/").get_data(as_text=True)
    assert "Published in English" in page and "Pending practice" not in page
    assert 'href="/practices/"' in client.get("/resources/").get_data(as_text=True)
    assert client.get(f"/practices/{world['published']}").status_code == 200
    assert client.get(f"/practices/{world['pending']}").status_code == 302


def test_filters_and_hostile_values(client, world):
    sign_in(client, "own_fp")
    assert "Published in English" in client.get("/practices/?area=flexible_working&year=2023") \
        .get_data(as_text=True)
    assert "Published in English" not in client.get("/practices/?area=talent") \
        .get_data(as_text=True)
    for query in ("year=abc", "entity=%00x", "area=nope&state=nope", "language=zz&page=-3"):
        assert client.get(f"/practices/?{query}").status_code in (200, 400)


def test_the_own_submissions_and_the_request_for_changes(app, client, world):
    sign_in(client, "coordinator")
    client.post(f"/practices/{world['pending']}/request-changes", data={"text": ""})
    assert state_of(app, world["pending"]) == PracticeState.submitted
    client.post(f"/practices/{world['pending']}/request-changes", data={"text": "Figures."})
    client.post("/logout")
    sign_in(client, "own_fp")
    mine = client.get("/practices/?state=changes_requested").get_data(as_text=True)
    assert "Pending practice" in mine
    detail = client.get(f"/practices/{world['pending']}").get_data(as_text=True)
    assert "Figures." in detail and "Submit again" in detail
    assert client.post(f"/practices/{world['pending']}/resubmit").status_code == 302
    assert state_of(app, world["pending"]) == PracticeState.submitted


def test_bad_input_gets_translated_field_errors(app, client, world):
    sign_in(client, "own_fp")
    with app.app_context():
        undp = entity("UNDP").id
    response = client.post("/practices/new?lang=fr", data={
        "entity": undp, "year": "l'an dernier", "area": "talent", "language": "en",
        "title": "", "body": "", "contacts": "nobody@example.org"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Saisissez le titre." in html and 'aria-invalid="true"' in html
    response = client.post("/practices/new?lang=fr", data={
        "entity": undp, "year": 2024, "area": "talent", "language": "en", "title": "T",
        "body": "B", "contacts": "nobody@example.org"})
    assert "nobody@example.org" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Practice.id))) == 2


def test_a_form_without_its_csrf_token_is_refused(app, client, world, monkeypatch):
    sign_in(client, "coordinator")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(f"/practices/{world['pending']}/publish")
    assert response.status_code == 400
    assert state_of(app, world["pending"]) == PracticeState.submitted
    page = client.get(f"/practices/{world['pending']}").get_data(as_text=True)
    token = csrf_token_from(page)
    assert client.post(f"/practices/{world['pending']}/publish",
                       data={"csrf_token": token}).status_code == 302


def test_the_roll_of_honour_and_the_person_record(client, world):
    page = client.get("/practices/awards?lang=fr").get_data(as_text=True)
    assert "Champion award" in page and "2024" in page
    sign_in(client, "coordinator")
    record = client.get(f"/registry/people/{world['person']}").get_data(as_text=True)
    assert "Champion award" in record


def test_a_coordinator_adds_and_deletes_an_award(app, client, world):
    sign_in(client, "coordinator")
    response = client.post("/practices/awards/new", data={
        "year": 2024, "event": "Global Annual Meeting 2024", "name": "Mentor award",
        "entity": 0, "recipients": "other@example.org", "citation_ar": "تقديرًا لجهودها."})
    assert response.status_code == 302
    assert "Mentor award" in client.get("/practices/awards").get_data(as_text=True)
    first = client.post(f"/practices/awards/{world['award']}/delete")
    assert first.status_code == 200 and "Champion award" in first.get_data(as_text=True)
    assert client.post(f"/practices/awards/{world['award']}/delete",
                       data={"confirmed": "1"}).status_code == 302
    assert "Champion award" not in client.get("/practices/awards").get_data(as_text=True)


def _grow(app, count, start):
    with app.app_context():
        own = db.session.scalars(select(User).filter_by(email="own@example.org")).one()
        office = db.session.scalars(select(User).filter_by(email="coord@example.org")).one()
        for n in range(start, start + count):
            practice = services.submit_practice(practice_data(title=f"Practice {n}"),
                                                actor=own)
            services.add_version(practice, {"language": "ar", "title": f"ممارسة {n}",
                                            "body": "تدابير."}, actor=own)
            services.publish_practice(practice, actor=office)
        db.session.commit()


def test_the_library_reads_in_a_fixed_number_of_queries(app, client, world, count_queries):
    sign_in(client, "other_fp")
    client.get("/practices/")

    def counted():
        with count_queries() as counter:
            assert client.get("/practices/?lang=ar").status_code == 200
        return counter.count

    small = counted()
    _grow(app, 12, 0)
    client.get("/practices/")  # the filters' choices are read again after the change
    assert counted() == small
    with count_queries() as counter:
        client.get("/practices/awards")
    assert counter.count <= 6


def test_a_search_reads_its_page_and_total_together_and_the_filters_once(app, client, world,
                                                                         count_queries):
    _grow(app, 3, 0)
    sign_in(client, "other_fp")
    with count_queries() as first:
        assert client.get("/practices/?q=practice").status_code == 200
    with count_queries() as again:
        page = client.get("/practices/?q=practice").get_data(as_text=True)
    assert "Practice 2" in page
    # The entities and years of the filters are read for the first view only.
    assert again.count == first.count - 2
    # The rows found carry their number: no count of their own.
    assert not [s for s in again.statements if s.lstrip().upper().startswith("SELECT COUNT")]
    assert 'name="entity"' in page and ">UNDP<" in page


def test_a_resource_links_to_the_practices_of_its_area(app, client, world, create_resource,
                                                       monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))
    create_resource("flexible-guide", {"en": "Flexible working guide"},
                    tags=["flexible-working"])
    create_resource("other-guide", {"en": "Other guide"}, tags=["advocacy"])
    # Signed out, with practices for the network only: no link to what cannot be opened.
    assert "Good practices in this area" not in client.get("/resources/flexible-guide") \
        .get_data(as_text=True)
    sign_in(client, "other_fp")
    page = client.get("/resources/flexible-guide").get_data(as_text=True)
    assert "Good practices in this area" in page and "Published in English" in page
    assert "Pending practice" not in page
    assert "Good practices in this area" not in client.get("/resources/other-guide") \
        .get_data(as_text=True)


def test_the_notice_names_the_missing_language_whichever_version_is_open(client, world):
    sign_in(client, "other_fp")
    url = f"/practices/{world['published']}"
    assert "fallback-notice" not in client.get(url + "?lang=fr&version=en") \
        .get_data(as_text=True)
    assert "fallback-notice" in client.get(url + "?lang=es&version=fr").get_data(as_text=True)


@pytest.mark.parametrize(("action", "box"), [("decline", "decline-reason"),
                                             ("request-changes", "changes-text")])
def test_a_review_text_too_long_comes_back_with_its_message(app, client, world, action, box):
    sign_in(client, "coordinator")
    typed = "Précisez les chiffres. " * 200  # over the 4,000 characters a message holds
    response = client.post(f"/practices/{world['pending']}/{action}?lang=fr",
                           data={"text": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{box}"' in html and typed.strip() in html and 'aria-invalid="true"' in html
    assert "4000" in html
    assert state_of(app, world["pending"]) == PracticeState.submitted


CHANGED_SINCE = "This practice was changed while this page was open"
REWRITTEN = "Everyone telecommutes; see the list of names attached."


def _rewritten_by_its_submitter(app, practice_id):
    """The submitter, who may change the practice while it is under review, rewrites its
    results."""
    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        services.update_version(practice.version("en"), {
            "title": "Pending practice", "summary": "Team agreements.",
            "body": "Core hours and telecommuting.", "results": REWRITTEN},
            actor=db.session.scalars(select(User).filter_by(email="own@example.org")).one())
        db.session.commit()


def test_a_practice_changed_since_its_page_was_shown_is_not_published(app, client, world):
    """The Office publishes what it read: a publication sent from a page shown before the
    submitter rewrote the practice is refused, and the page then shows the new text, from
    which it may be published."""
    sign_in(client, "coordinator")
    url = f"/practices/{world['pending']}"
    page = client.get(url).get_data(as_text=True)
    assert "78 % in 2023" in page
    publish = form_to(page, "/publish")
    _rewritten_by_its_submitter(app, world["pending"])
    with app.app_context():
        told = len(outbox("practice_decision"))
    response = client.post(f"{url}/publish", data=publish, follow_redirects=True)
    assert state_of(app, world["pending"]) == PracticeState.submitted, \
        "published text the Office never read"
    page = response.get_data(as_text=True)
    assert CHANGED_SINCE in page and REWRITTEN in page
    with app.app_context():
        assert len(outbox("practice_decision")) == told  # the submitter is not told
    assert client.post(f"{url}/publish", data=form_to(page, "/publish")).status_code == 302
    assert state_of(app, world["pending"]) == PracticeState.published


@pytest.mark.parametrize(("action", "state"), [
    ("decline", PracticeState.declined),
    ("request-changes", PracticeState.changes_requested)])
def test_a_decision_typed_before_the_practice_changed_comes_back_with_its_text(
        app, client, world, action, state):
    """Declined, or changes asked, on the text the page showed before the submitter changed
    it: refused, the page shows the new text with the coordinator's message kept, and sent
    again from there, it is taken."""
    sign_in(client, "coordinator")
    url = f"/practices/{world['pending']}"
    decision = form_to(client.get(url).get_data(as_text=True), f"/{action}")
    decision["text"] = "The figures do not show the change: give those of 2021 and 2023."
    _rewritten_by_its_submitter(app, world["pending"])
    response = client.post(f"{url}/{action}?lang=fr", data=decision)
    page = response.get_data(as_text=True)
    assert state_of(app, world["pending"]) == PracticeState.submitted
    assert "Cette pratique a été modifiée" in page and REWRITTEN in page
    assert decision["text"] in page  # what the coordinator typed is kept
    assert client.post(f"{url}/{action}", data=form_to(page, f"/{action}")).status_code == 302
    assert state_of(app, world["pending"]) == state


def test_an_awards_recipients_are_its_laureates(client, world):
    sign_in(client, "coordinator")
    form = client.get("/practices/awards/new?lang=fr").get_data(as_text=True)
    assert "Personnes lauréates" in form and "Destinataires" not in form


TYPED = "Core hours, telecommuting and a mentoring scheme, written over a whole afternoon."
NOT_EDITABLE = "Only the Office, or the person who submitted it while it is under review"


@pytest.mark.parametrize("path, data", [
    ("versions/en", {"language": "en", "title": "Flexible working for every team",
                     "summary": "Team agreements.", "body": TYPED, "results": "54 % to 78 %"}),
    ("versions/new", {"language": "fr", "title": "Travail flexible", "summary": "",
                      "body": TYPED, "results": ""}),
    ("edit", {"entity": "", "year": 2023, "area": "flexible_working",
              "contacts": "mentoring.scheme@example.org"}),
])
def test_a_practice_sent_after_the_office_published_it_gives_the_entries_back(
        app, client, world, path, data):
    """The submitter's form was open while the Office published the practice: the page
    answers with the reason and what was typed, not a bare refusal."""
    sign_in(client, "own_fp")
    url = f"/practices/{world['pending']}/{path}"
    assert client.get(url).status_code == 200
    data = dict(data)
    with app.app_context():
        if "entity" in data:
            data["entity"] = entity("UNDP").id
        services.publish_practice(db.session.get(Practice, world["pending"]),
                                  actor=db.session.scalars(select(User).filter_by(
                                      email="coord@example.org")).one())
        db.session.commit()
    response = client.post(url, data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NOT_EDITABLE in page
    assert (TYPED if "body" in data else data["contacts"]) in page
    with app.app_context():
        assert db.session.get(Practice, world["pending"]).languages == ["en"]
    # Opened now, the form is refused as before.
    assert client.get(url).status_code == 403


def test_a_practice_form_is_refused_to_who_could_never_edit_it(client, world):
    sign_in(client, "rc")
    assert client.post(f"/practices/{world['published']}/versions/en", data={
        "language": "en", "title": "Taken", "summary": "", "body": TYPED,
        "results": ""}).status_code == 403


@pytest.mark.parametrize("page_language", ["en", "ar"])
def test_each_citation_is_typed_in_the_direction_of_its_language(client, world, page_language):
    """On the Arabic page, the English, French and Spanish citations were typed right to
    left, as the page is."""
    sign_in(client, "coordinator")
    html = client.get(f"/practices/awards/new?lang={page_language}").get_data(as_text=True)
    boxes = {e.attrs["name"]: e for e in parse(html) if e.tag == "textarea"}
    assert {code: (boxes[f"citation_{code}"].attrs.get("lang"),
                   boxes[f"citation_{code}"].attrs.get("dir"))
            for code in ("en", "fr", "es", "ar")} == {
        "en": ("en", "ltr"), "fr": ("fr", "ltr"), "es": ("es", "ltr"), "ar": ("ar", "rtl")}


@pytest.mark.parametrize("path", ["edit", "versions/new", "versions/en"])
def test_the_edit_and_version_pages_name_the_practice_in_the_page_language(client, world,
                                                                           path):
    sign_in(client, "coordinator")
    page = client.get(f"/practices/{world['published']}/{path}?lang=fr").get_data(as_text=True)
    assert "<bdi>Published practice</bdi>" in page
    assert "<bdi>Published in English</bdi>" not in page
    assert "Published in English" not in page.split("<title>")[1].split("</title>")[0]


def test_a_practice_opened_from_a_filtered_page_leads_back_to_it(client, world, app,
                                                                  monkeypatch):
    """Page 2 of the practices of one area, a practice opened: its way back to the library
    is that page, also once another version of it is shown; a way back that is not the
    library on this site leads to the whole library."""
    with app.app_context():
        own, office = (db.session.scalars(select(User).filter_by(email=f"{who}@example.org"))
                       .one() for who in ("own", "coord"))
        services.publish_practice(services.submit_practice(practice_data(
            title="Another practice"), actor=own), actor=office)
        db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    sign_in(client, "coordinator")
    listing = "/practices/?area=flexible_working&page=2"
    assert listing in page_links(opened_from(client, listing, "/practices/"))
    english = client.get(f"/practices/{world['published']}", query_string={"back": listing})
    french = next(link for link in page_links(english.get_data(as_text=True))
                  if "version=fr" in link)
    assert listing in page_links(client.get(french).get_data(as_text=True))
    for elsewhere in ("https://elsewhere.example.org/practices/", "//elsewhere.example.org/",
                      "/admin/users/"):
        links = page_links(client.get(f"/practices/{world['published']}",
                                      query_string={"back": elsewhere}).get_data(as_text=True))
        assert "/practices/" in links and elsewhere not in links


def test_deciding_on_a_practice_keeps_the_way_back_to_its_filtered_page(client, world, app,
                                                                        monkeypatch):
    """A submitted practice opened from page 2 of the practices to review: once changes are
    requested, and another published, each page still leads back to the page of the list it
    was opened from."""
    with app.app_context():
        own = db.session.scalars(select(User).filter_by(email="own@example.org")).one()
        services.submit_practice(practice_data(title="Another practice"), actor=own)
        db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    sign_in(client, "coordinator")
    listing = "/practices/?state=submitted&page=2"
    page = sent_from(client, opened_from(client, listing, "/practices/"), "/request-changes",
                     text="Figures, please.")
    assert "The submitter is asked to change the practice." in page
    assert listing in page_links(page)
    listing = "/practices/?state=submitted&area=flexible_working"
    page = sent_from(client, opened_from(client, listing, "/practices/"), "/publish")
    assert "The practice is published" in page and listing in page_links(page)


def test_editing_a_practice_keeps_the_way_back_to_its_filtered_page(client, world, app,
                                                                    monkeypatch):
    """A practice opened from page 2 of the practices of one area: its Edit buttons (the
    practice, the version shown, a version added) lead to forms whose way back is the
    practice as opened, and once each is saved the practice still leads back to that page of
    the library; a way back that is not the library on this site leads to the whole
    library."""
    with app.app_context():
        own, office = (db.session.scalars(select(User).filter_by(email=f"{who}@example.org"))
                       .one() for who in ("own", "coord"))
        services.publish_practice(services.submit_practice(practice_data(
            title="Another practice"), actor=own), actor=office)
        db.session.commit()
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    sign_in(client, "coordinator")
    listing = "/practices/?area=flexible_working&page=2"
    practice = opened_from(client, listing, "/practices/")
    edits = [(r"/practices/\d+/edit(\?|$)", "year", {}),
             (r"/practices/\d+/versions/en(\?|$)", "title", {"title": "Retitled"}),
             (r"/practices/\d+/versions/new\?language=es", "title",
              {"language": "es", "title": "Práctica", "body": "Medidas."})]
    for pattern, field, entries in edits:
        link = next(link for link in page_links(practice) if re.match(pattern, link))
        form = client.get(link).get_data(as_text=True)
        way_back = next(link for link in page_links(form)
                        if re.match(r"/practices/\d+(\?|$)", link))
        assert listing in page_links(client.get(way_back).get_data(as_text=True)), pattern
        data = filled_form(form, field)
        for name, value in entries.items():
            data[name] = value
        answer = client.post(link, data=data)
        assert answer.status_code == 302, pattern
        practice = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert listing in page_links(practice), pattern
    for elsewhere in ("https://elsewhere.example.org/practices/", "//elsewhere.example.org/",
                      "/admin/users/"):
        edit = f"/practices/{world['published']}/edit"
        form = client.get(edit, query_string={"back": elsewhere}).get_data(as_text=True)
        assert elsewhere not in page_links(form)
        answer = client.post(edit, query_string={"back": elsewhere},
                             data=filled_form(form, "year"))
        links = page_links(client.get(answer.headers["Location"]).get_data(as_text=True))
        assert "/practices/" in links and elsewhere not in links
