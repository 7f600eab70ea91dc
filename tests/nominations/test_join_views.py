"""/join from the outside: same answer for every address, CSRF, rate limits, and the whole way
from the form to an activated account in the registry."""
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.coverage.services import compute_coverage
from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination, NominationState
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, Person
from tests.helpers import PDF, csrf_token_from, link_token, login
from tests.markup import CHOOSE_FILE_AGAIN, described_by, markup_problems, parse


@pytest.fixture
def malawi(app, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    create_user("rc.malawi@example.org", roles=["resident_coordinator"], uncts=["MWI"],
                locale="fr")
    with app.app_context():
        wfp = db.session.scalars(select(Entity).filter_by(acronym="WFP")).one()
        wfp.email_domains = "wfp.org"
        db.session.scalars(select(Unct).filter_by(iso3="MWI")).one().members = [wfp]
        db.session.commit()


def form(**overrides):
    data = {"given_name": "Chikondi", "family_name": "Banda", "email": "chikondi.banda@wfp.org",
            "entity": "WFP", "scope": "MWI", "role": "alternate",
            "position_title": "Programme Policy Officer", "grade": "NO-B", "duty_station": "0",
            "start_date": "2026-10-01", "time_share": "15", "preferred_language": "en",
            "submit": "Send"}
    data.update(overrides)
    data.setdefault("memo", (io.BytesIO(PDF), "memo.pdf"))
    return data


def post_join(client, **overrides):
    return client.post("/join", data=form(**overrides), content_type="multipart/form-data")


def messages(app, template):
    with app.app_context():
        return db.session.scalars(select(OutboxMessage).filter_by(template=template)
                                  .order_by(OutboxMessage.id)).all()


def test_the_form_is_public_and_linked_from_login_and_home(client, malawi):
    assert client.get("/join").status_code == 200
    assert 'href="/join"' in client.get("/login").get_data(as_text=True)
    assert 'href="/join"' in client.get("/").get_data(as_text=True)


def test_the_form_renders_right_to_left_in_arabic(client, malawi):
    html = client.get("/join?lang=ar").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in html and "انضمام" in html


def test_every_address_gets_the_same_answer(app, client, malawi, create_user):
    create_user("has.account@wfp.org", roles=["focal_point"])
    answers = []
    for email in ("new.person@wfp.org", "has.account@wfp.org"):
        response = post_join(client, email=email)
        answers.append((response.status_code, response.headers["Location"]))
    # A second request while the first is with the Office: same answer again.
    with app.app_context():
        first = db.session.scalars(select(Nomination).filter_by(
            email="new.person@wfp.org")).one()
        first.state = "submitted"
        db.session.commit()
    response = post_join(client, email="new.person@wfp.org")
    answers.append((response.status_code, response.headers["Location"]))
    assert answers == [(302, "/join/sent")] * 3
    assert len(messages(app, "join_already_open")) == 1  # told by email, not on the page
    with app.app_context():  # no account and no registry entry before approval
        assert db.session.scalar(select(func.count(User.id))) == 3
        assert db.session.scalars(select(Person).filter_by(email="new.person@wfp.org")).first() \
            is None


def test_bad_input_is_shown_on_the_form_and_nothing_is_kept(app, client, malawi):
    response = client.post("/join", data=form(memo=(io.BytesIO(b"MZ\x90\x00"), "memo.pdf"),
                                              entity="UNICEF"),
                           content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not an accepted document" in html or "not a member" in html
    assert 'value="Chikondi"' in html
    response = client.post("/join", data={k: v for k, v in form().items() if k != "memo"},
                           content_type="multipart/form-data")
    assert "Attach the memo or letter that appoints you." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Nomination.id))) == 0


def test_an_address_pasted_with_invisible_marks_is_taken_as_it_shows(app, client, malawi):
    """Copied from an Arabic email, the address came with direction marks and a no-break
    space, and the form refused it: "Enter a valid email address."."""
    response = post_join(client, email="\u200f\ufeffchikondi.banda@wfp.org\u200e\u00a0")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Nomination.email)).all() == ["chikondi.banda@wfp.org"]


def test_the_form_shown_again_asks_for_the_chosen_memo_again(app, client, malawi):
    """The browser sends the form back without the memo it was sent with: the memo field says
    so, to the eye and to a screen reader."""
    html = post_join(client, given_name="").get_data(as_text=True)
    assert "Enter" in html and CHOOSE_FILE_AGAIN in described_by(html, "memo")
    assert markup_problems(html) == []
    # No memo chosen, or the page opened afresh: nothing to choose again.
    without = client.post("/join", data={k: v for k, v in form(given_name="").items()
                                         if k != "memo"}, content_type="multipart/form-data")
    assert CHOOSE_FILE_AGAIN not in without.get_data(as_text=True)
    assert CHOOSE_FILE_AGAIN not in client.get("/join").get_data(as_text=True)


def test_the_form_is_protected_against_csrf(app, client, malawi, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert post_join(client).status_code == 400
    token = csrf_token_from(client.get("/join").get_data(as_text=True))
    assert post_join(client, csrf_token=token).status_code == 302


def test_requests_are_rate_limited_per_email_and_per_address(client, malawi):
    for _ in range(3):
        assert post_join(client).status_code == 302
    held = post_join(client)  # the same email a fourth time today
    assert held.status_code == 429
    # Not "wait a minute": the limit is a day's.
    assert "please wait 1 day before you try again" in held.get_data(as_text=True)
    assert post_join(client, email="other.one@wfp.org").status_code == 302
    assert post_join(client, email="other.two@wfp.org").status_code == 429  # 6th from this IP


def test_from_join_to_an_active_account_in_the_registry(app, client, malawi):
    assert post_join(client).status_code == 302
    verify_mail, = messages(app, "join_verify")
    token = link_token(verify_mail, "/join/verify/")
    assert client.get(f"/join/verify/{token}").status_code == 200  # a button, nothing done yet
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()

    login(client, "coord@example.org")
    assert client.get(f"/nominations/{request_id}").status_code == 404  # unconfirmed: unseen
    assert "Chikondi" not in client.get("/nominations/").get_data(as_text=True)
    client.post("/logout")

    response = client.post(f"/join/verify/{token}")
    assert response.status_code == 200 and "with the Office" in response.get_data(as_text=True)
    assert client.get(f"/join/verify/{token}").status_code == 404  # used

    login(client, "coord@example.org")
    listing = client.get("/nominations/?kind=self_registration").get_data(as_text=True)
    assert "Chikondi" in listing and "Self-registration" in listing
    detail = client.get(f"/nominations/{request_id}").get_data(as_text=True)
    assert "memo.pdf" in detail and "Not an address of" not in detail
    assert client.post(f"/nominations/{request_id}/approve",
                       data={"confirmed": "1"}).status_code == 302
    client.post("/logout")

    welcome, = messages(app, "nomination_welcome")
    activation = link_token(welcome, "/activate/")
    response = client.post(f"/activate/{activation}", data={
        "password": "a long new password", "confirm": "a long new password"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="chikondi.banda@wfp.org")).one()
        assert user.is_active and user.has_role("focal_point")
        appointment = db.session.scalars(select(Appointment).filter_by(
            person_id=user.person_id)).one()
        assert (appointment.entity.acronym, appointment.unct.iso3, appointment.role) == \
            ("WFP", "MWI", "alternate")
        malawi_id = db.session.scalars(select(Unct.id).filter_by(iso3="MWI")).one()
        cell, = compute_coverage(unct_ids=[malawi_id]).cells.values()
        assert cell.state == "no_focal_point"
    rc_notice, = messages(app, "join_approved_rc")
    assert rc_notice.recipient == "rc.malawi@example.org" and rc_notice.locale == "fr"


def _request_from_the_holder(app, client, role):
    """Chikondi Banda, who holds `role` for WFP in Malawi, asks to join for that role; the
    Office signs in. Returns the request's id."""
    with app.app_context():
        wfp = db.session.scalars(select(Entity).filter_by(acronym="WFP")).one()
        malawi_team = db.session.scalars(select(Unct).filter_by(iso3="MWI")).one()
        person = registry.create_person({
            "given_name": "Chikondi", "family_name": "Banda", "email": "chikondi.banda@wfp.org",
            "position_title": "Programme Associate"}, actor=None)
        registry.appoint(person, {"role": role, "entity": wfp, "unct": malawi_team},
                         actor=None)
        db.session.commit()
    post_join(client, role=role)
    token = link_token(messages(app, "join_verify")[0], "/join/verify/")
    client.post(f"/join/verify/{token}")
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()
    login(client, "coord@example.org")
    return request_id


def test_the_request_of_the_sitting_alternate_is_refused_on_its_page_and_nobody_is_written_to(
        app, client, malawi):
    """The alternate of WFP in Malawi asks to join as its alternate: the Office's approval is
    refused on the request's page, from the first click (no confirmation announcing an
    appointment and emails) to a confirmation posted anyway; nothing changes, and the
    applicant gets no welcome."""
    request_id = _request_from_the_holder(app, client, "alternate")
    refusal = "Chikondi Banda already holds this role for this scope"
    for data in ({}, {"confirmed": "1"}):
        response = client.post(f"/nominations/{request_id}/approve", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        assert response.headers["Location"].endswith(f"/nominations/{request_id}")
        page = client.get(response.headers["Location"])
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and refusal in html, html
    with app.app_context():
        assert db.session.get(Nomination, request_id).state == NominationState.submitted
        assert db.session.scalar(select(func.count(Appointment.id))) == 1
        assert db.session.scalars(select(Person.position_title).filter_by(
            email="chikondi.banda@wfp.org")).one() == "Programme Associate"
    assert messages(app, "nomination_welcome") == []
    assert messages(app, "join_approved_rc") == []


def test_the_sitting_focal_point_asking_to_join_is_not_offered_as_the_one_to_replace(
        app, client, malawi):
    """The focal point of WFP in Malawi asks to join as its focal point: the request's page
    offers the Office no "Replace Chikondi Banda" to tick, an approval that could only be
    refused."""
    request_id = _request_from_the_holder(app, client, "focal_point")
    html = client.get(f"/nominations/{request_id}?lang=en").get_data(as_text=True)
    assert "Approve and appoint" in html
    assert 'name="replace"' not in html and "Replace Chikondi Banda" not in html


def test_an_address_outside_the_entity_domains_is_flagged_for_the_office(app, client, malawi):
    post_join(client, email="chikondi@gmail.com")
    token = link_token(messages(app, "join_verify")[0], "/join/verify/")
    client.post(f"/join/verify/{token}")
    login(client, "coord@example.org")
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()
    assert "Not an address of WFP (wfp.org)" in client.get(
        f"/nominations/{request_id}").get_data(as_text=True)


def test_the_amendment_page_opens_with_the_request_as_it_was_sent(app, client, malawi):
    """The applicant asked for more information finds their request filled in: their entity
    and duty station chosen, not reset, so that sending it back changes only what they
    changed."""
    with app.app_context():
        station = DutyStation(city="Lilongwe", country_iso3="MWI", time_zone="Africa/Blantyre")
        db.session.add(station)
        db.session.commit()
        station_id = station.id
    post_join(client, duty_station=str(station_id))
    token = link_token(messages(app, "join_verify")[0], "/join/verify/")
    client.post(f"/join/verify/{token}")
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()
    login(client, "coord@example.org")
    client.post(f"/nominations/{request_id}/request-changes", data={"text": "Your grade?"})
    client.post("/logout")
    amend = link_token(messages(app, "join_decision")[0], "/join/amend/")
    html = client.get(f"/join/amend/{amend}").get_data(as_text=True)
    assert "Your grade?" in html and 'value="Chikondi"' in html
    assert '<option selected value="MWI">' in html
    assert '<option selected value="WFP">' in html
    assert f'<option selected value="{station_id}">' in html


def test_after_the_amendment_link_expires_a_new_request_brings_a_new_one(app, client, malawi):
    """The expired amendment link's page offers to send a new request to join: sent, it brings
    a new link to complete the request the Office waits for (same answer on the page as for
    any request), not an email saying the Office will write."""
    post_join(client)
    token = link_token(messages(app, "join_verify")[0], "/join/verify/")
    client.post(f"/join/verify/{token}")
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()
    login(client, "coord@example.org")
    client.post(f"/nominations/{request_id}/request-changes", data={"text": "Your grade?"})
    client.post("/logout")
    with app.app_context():
        db.session.get(Nomination, request_id).token_expires_at -= \
            timedelta(days=app.config["JOIN_AMEND_DAYS"], seconds=1)
        db.session.commit()
    amend = link_token(messages(app, "join_decision")[0], "/join/amend/")
    page = client.get(f"/join/amend/{amend}")
    assert page.status_code == 404 and 'href="/join"' in page.get_data(as_text=True)
    response = post_join(client)
    assert (response.status_code, response.headers["Location"]) == (302, "/join/sent")
    assert messages(app, "join_already_open") == []
    again, = messages(app, "join_amend_again")
    assert "Your grade?" in again.body_text
    path = re.search(r"https?://[^/\s]+(/join/amend/\S+)", again.body_text).group(1)
    html = client.get(path).get_data(as_text=True)
    assert "Your grade?" in html and 'value="Chikondi"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count(Nomination.id))) == 1
    login(client, "coord@example.org")  # the Office sees why the request is still sent back
    assert "New link sent to the applicant to complete the request" in client.get(
        f"/nominations/{request_id}").get_data(as_text=True)


def test_the_confirmation_link_opens_in_the_language_of_the_request(app, client, malawi):
    """Mailed in French, the link opened from a mail program (no cookie of the visit) showed
    its page in English."""
    assert post_join(client, preferred_language="fr").status_code == 302
    verify_mail, = messages(app, "join_verify")
    assert verify_mail.locale == "fr"
    path = re.search(r"https?://[^/\s]+(/join/verify/\S+)", verify_mail.body_text).group(1)
    assert path.endswith("?lang=fr")
    visitor = app.test_client()
    assert '<html lang="fr"' in visitor.get(path).get_data(as_text=True)


@pytest.mark.parametrize("bad", [lambda: {"entity": "UNICEF"},
                                 lambda: {"memo": (io.BytesIO(b"x" * 64), "memo.pdf")}])
def test_bad_input_is_answered_alike_whether_or_not_the_address_has_a_request(
        app, client, malawi, bad):
    """An entity not of the team, or a memo that is no document: the same form error for an
    address whose request is with the Office as for any other, which must not learn that a
    request exists."""
    assert post_join(client, email="known.applicant@wfp.org").status_code == 302
    with app.app_context():
        db.session.scalars(select(Nomination).filter_by(
            email="known.applicant@wfp.org")).one().state = NominationState.submitted
        db.session.commit()
    answers = {}
    for email in ("known.applicant@wfp.org", "nobody.here@wfp.org"):
        response = post_join(client, email=email, **bad())
        answers[email] = (response.status_code, response.headers.get("Location"))
    assert answers["known.applicant@wfp.org"] == answers["nobody.here@wfp.org"] == (200, None)
    with app.app_context():
        assert db.session.scalar(select(func.count(Nomination.id))) == 1


def _control(html, name):
    return next(e for e in parse(html) if e.attrs.get("name") == name
                and e.tag in ("input", "select", "textarea"))


def _label(html, name):
    return re.search(rf'<label[^>]*for="{name}"[^>]*>(.*?)</label>', html, re.S).group(1)


def test_the_memo_is_marked_required_where_it_is_required(app, client, malawi):
    """The request is refused without a memo, and the page says so before it is sent: an
    asterisk, and a control announced as required. An amendment keeps the memo on file."""
    html = client.get("/join").get_data(as_text=True)
    assert "required-mark" in _label(html, "memo")
    assert "required" in _control(html, "memo").attrs
    post_join(client)
    token = link_token(messages(app, "join_verify")[0], "/join/verify/")
    client.post(f"/join/verify/{token}")
    with app.app_context():
        request_id = db.session.scalars(select(Nomination.id)).one()
    login(client, "coord@example.org")
    client.post(f"/nominations/{request_id}/request-changes", data={"text": "Your grade?"})
    client.post("/logout")
    amend = link_token(messages(app, "join_decision")[0], "/join/amend/")
    html = client.get(f"/join/amend/{amend}").get_data(as_text=True)
    assert "Your grade?" in html
    assert "required-mark" not in _label(html, "memo")
    assert "required" not in _control(html, "memo").attrs


@pytest.mark.parametrize(("name", "token"), [("given_name", "given-name"),
                                             ("family_name", "family-name"),
                                             ("email", "email"),
                                             ("position_title", "organization-title")])
def test_the_request_to_join_names_the_newcomers_own_details(client, malawi, name, token):
    """WCAG 2.1 SC 1.3.5: the newcomer types their own details, which a browser may fill."""
    field = _control(client.get("/join").get_data(as_text=True), name)
    assert field.attrs.get("autocomplete", "").split() == [token]


def test_a_nomination_offers_no_autofill_of_the_nominators_own_details(client, malawi):
    """A nomination is about someone else: nothing names the fields as the nominator's own."""
    login(client, "coord@example.org")
    html = client.get("/nominations/new").get_data(as_text=True)
    assert "given_name" in html and "autocomplete" not in html
