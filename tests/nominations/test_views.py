"""Nomination pages: access per role and per UNCT, the letter, uploads, and the whole flow from a
coverage gap to an activated account."""
import re
import sys
import threading
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.coverage.services import compute_coverage
from gfp_portal.extensions import db
from gfp_portal.nominations import services
from gfp_portal.nominations.models import Nomination, NominationState
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, Person
from tests.helpers import (
    PDF,
    at_once,
    breadcrumb_links,
    link_token,
    login,
    meet_first,
    opened_from,
    signed_in,
)
from tests.markup import described_by, form_to, markup_problems


def sign_in(client, email):
    client.post("/logout")
    assert login(client, email).status_code == 302


def test_the_list_and_the_form_are_for_rcs_and_coordinators(client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    html = client.get("/nominations/").get_data(as_text=True)
    assert "Njeri" in html
    sign_in(client, "rc.uganda@example.org")
    assert "Njeri" not in client.get("/nominations/").get_data(as_text=True)


@pytest.mark.parametrize("path", ["", "/letter", "/edit"])
def test_an_rc_of_another_unct_cannot_read_the_nomination_or_its_letter(
        client, kenya_nomination, path):
    sign_in(client, "rc.uganda@example.org")
    assert client.get(f"/nominations/{kenya_nomination['id']}{path}").status_code == 403


@pytest.mark.parametrize("action", ["withdraw", "approve", "reject", "request-changes"])
def test_an_rc_of_another_unct_cannot_act_on_it(client, kenya_nomination, action):
    sign_in(client, "rc.uganda@example.org")
    response = client.post(f"/nominations/{kenya_nomination['id']}/{action}",
                           data={"text": "x"})
    assert response.status_code == 403
    with client.application.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == \
            NominationState.submitted


def test_guessing_ids_gives_nothing(client, kenya_nomination):
    sign_in(client, "rc.uganda@example.org")
    for other in range(kenya_nomination["id"] - 2, kenya_nomination["id"] + 3):
        with client.get(f"/nominations/{other}/letter") as response:
            assert response.status_code in (403, 404)


def test_a_focal_point_has_no_access(client, kenya_nomination, login_as):
    login_as("focal_point")
    for path in ("/nominations/", "/nominations/new", f"/nominations/{kenya_nomination['id']}",
                 f"/nominations/{kenya_nomination['id']}/letter"):
        assert client.get(path).status_code == 403


def test_the_nominator_and_the_office_download_the_letter(client, kenya_nomination):
    for email in ("rc.kenya@example.org", "coord@example.org"):
        sign_in(client, email)
        with client.get(f"/nominations/{kenya_nomination['id']}/letter") as response:
            assert response.status_code == 200 and response.data == PDF
            assert response.mimetype == "application/pdf"
            assert "attachment" in response.headers["Content-Disposition"]


def _form(**overrides):
    data = {"scope": "KEN", "entity": "UNICEF", "role": "focal_point", "replaces": "0",
            "given_name": "Wanjiru", "family_name": "Kamau", "email": "w.kamau@unicef.org",
            "position_title": "Education Specialist", "grade": "P-4", "duty_station": "0",
            "preferred_language": "en", "time_share": "20", "tor_acknowledged": "y",
            "justification": "Experienced and willing.", "submit": "Submit"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("name, content, message", [
    ("letter.pdf", b"MZ\x90\x00" + b"\x00" * 64, "not an accepted document"),
    ("letter.txt", b"just some words", "not an accepted document"),
])
def test_a_bad_letter_is_refused_with_a_message_and_nothing_is_stored(
        app, client, kenya_nomination, monkeypatch, tmp_path, name, content, message):
    import io
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", content_type="multipart/form-data",
                           data=_form(letter=(io.BytesIO(content), name)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert 'value="Wanjiru"' in html  # what was typed is kept
    assert list(tmp_path.iterdir()) == []
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Nomination.id))) == 1


def test_an_oversized_letter_is_refused(app, client, kenya_nomination, monkeypatch, tmp_path):
    import io
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    # Kept under the test client's 500 kB spooling threshold.
    monkeypatch.setitem(app.config, "NOMINATION_LETTER_MAX_BYTES", 300 * 1024)
    sign_in(client, "rc.kenya@example.org")
    big = PDF + b"0" * (300 * 1024)
    response = client.post("/nominations/new", content_type="multipart/form-data",
                           data=_form(letter=(io.BytesIO(big), "letter.pdf")))
    assert "larger than 0.3 MB" in response.get_data(as_text=True)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("role, field, message", [
    ("alternate", "email", "Odhiambo Otieno already holds this role for this scope"),
    ("focal_point", "replaces", "Odhiambo Otieno cannot replace themselves"),
])
def test_a_nomination_that_could_never_be_approved_is_refused_on_its_field(
        app, client, kenya_nomination, role, field, message):
    """The scope's sitting alternate nominated as its alternate again, or its focal point to
    replace themselves: the form comes back with the reason on the field, nothing saved."""
    with app.app_context():
        holder = registry.create_person({"given_name": "Odhiambo", "family_name": "Otieno",
                                         "email": "o.otieno@unicef.org"},
                                        actor=db.session.get(User, kenya_nomination["coordinator"]))
        current = registry.appoint(holder, {
            "role": role, "entity": db.session.scalars(select(Entity).filter_by(
                acronym="UNICEF")).one(),
            "unct": db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()},
            actor=db.session.get(User, kenya_nomination["coordinator"]))
        db.session.commit()
        replaces = str(current.id) if role == "focal_point" else "0"
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", data=_form(
        role=role, email="o.otieno@unicef.org", given_name="Odhiambo", family_name="Otieno",
        replaces=replaces))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert any(message in text for text in described_by(html, field)), described_by(html, field)
    assert markup_problems(html) == []
    with app.app_context():
        assert db.session.scalar(select(func.count(Nomination.id))) == 1  # the fixture's


def test_the_form_is_prefilled_from_a_coverage_gap(client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    coverage = client.get("/coverage/KEN").get_data(as_text=True)
    link = "/nominations/new?unct=KEN&amp;entity=UNICEF&amp;role=focal_point"
    assert link in coverage
    html = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<option selected value="KEN">|<option value="KEN" selected>', html)
    assert re.search(r'<option selected value="UNICEF">|<option value="UNICEF" selected>', html)
    assert "Nobody holds this role for this scope." in html


def test_the_form_offers_no_entity_closed_since(app, client, kenya_nomination):
    with app.app_context():
        db.session.scalars(select(Entity).filter_by(acronym="UNICEF")).one().active_to = \
            date.today() - timedelta(days=1)
        db.session.commit()
    sign_in(client, "rc.kenya@example.org")
    html = client.get("/nominations/new?unct=KEN").get_data(as_text=True)
    assert 'value="UNDP"' in html and 'value="UNICEF"' not in html


def test_rc_nominates_coordinator_approves_and_the_nominee_activates(app, client,
                                                                     kenya_nomination):
    with app.app_context():
        cell = compute_coverage(unct_ids=[db.session.scalars(
            select(Unct.id).filter_by(iso3="KEN")).one()])
        assert any(c.entity.acronym == "UNICEF" and c.state == "vacant"
                   for c in cell.cells.values())
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", data=_form())
    assert response.status_code == 302
    nomination_id = int(response.headers["Location"].rsplit("/", 1)[1])

    sign_in(client, "coord@example.org")
    assert "Wanjiru" in client.get("/nominations/?state=pending").get_data(as_text=True)
    assert client.post(f"/nominations/{nomination_id}/approve",
                       data={"confirmed": "1"}).status_code == 302

    with app.app_context():
        person = db.session.scalars(select(Person).filter_by(email="w.kamau@unicef.org")).one()
        appointment = db.session.scalars(select(Appointment).filter_by(person_id=person.id)).one()
        assert appointment.nomination_id == nomination_id and appointment.role == "focal_point"
        welcome = db.session.scalars(select(OutboxMessage).filter_by(
            template="nomination_welcome")).one()
        token = link_token(welcome, "/activate/")
        kenya = db.session.scalars(select(Unct.id).filter_by(iso3="KEN")).one()
        unicef = [c for c in compute_coverage(unct_ids=[kenya]).cells.values()
                  if c.entity.acronym == "UNICEF"][0]
        assert unicef.state == "no_alternate"

    client.post("/logout")
    assert client.get(f"/activate/{token}").status_code == 200
    response = client.post(f"/activate/{token}", data={"password": "a long new password",
                                                       "confirm": "a long new password"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(User).filter_by(email="w.kamau@unicef.org")).one() \
            .is_active

    sign_in(client, "rc.kenya@example.org")
    html = client.get(f"/nominations/{nomination_id}").get_data(as_text=True)
    assert "Approved" in html


def test_a_nominees_address_pasted_with_invisible_marks_is_taken_as_it_shows(
        app, client, kenya_nomination):
    """Copied from the nominee's Arabic email, the address came with a right-to-left mark and
    a byte-order mark, and the form refused it: "Enter a valid email address."."""
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new",
                           data=_form(email="\ufeffw.kamau@unicef.org\u200f"))
    assert response.status_code == 302, response.get_data(as_text=True)
    nomination_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        assert db.session.get(Nomination, nomination_id).email == "w.kamau@unicef.org"


def test_the_nominees_activation_link_opens_in_the_language_of_the_nomination(
        app, client, kenya_nomination):
    """The welcome is written in the nominee's language; its link, opened from a mail
    program before any sign-in, showed the page in the browser's language."""
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", data=_form(preferred_language="es"))
    nomination_id = int(response.headers["Location"].rsplit("/", 1)[1])
    sign_in(client, "coord@example.org")
    assert client.post(f"/nominations/{nomination_id}/approve",
                       data={"confirmed": "1"}).status_code == 302
    client.post("/logout")
    with app.app_context():
        welcome = db.session.scalars(select(OutboxMessage).filter_by(
            template="nomination_welcome")).one()
        assert welcome.locale == "es"
        path = re.search(r"/activate/\S+", welcome.body_text).group(0)
    assert path.endswith("?lang=es")
    assert '<html lang="es"' in app.test_client().get(path).get_data(as_text=True)


def test_the_list_runs_a_fixed_number_of_queries(app, client, kenya_nomination,
                                                  count_queries):
    sign_in(client, "coord@example.org")
    with count_queries() as few:
        client.get("/nominations/")
    with app.app_context():
        coordinator = db.session.get(User, kenya_nomination["coordinator"])
        entities = db.session.scalars(select(Entity).limit(20)).all()
        for entity in entities:
            services.submit_nomination({
                "role": "focal_point", "entity": entity, "unct": None, "given_name": "A",
                "family_name": entity.acronym, "email": f"{entity.acronym}@example.org",
                "justification": "x"}, actor=coordinator)
        db.session.commit()
    with count_queries() as many:
        client.get("/nominations/")
    assert many.count == few.count


class _FormReader(HTMLParser):
    """What a browser would send back from a page's form as rendered (no JavaScript); not the
    header's language switch, a form of its own."""

    def __init__(self):
        super().__init__()
        self.fields, self._select, self._textarea = {}, None, None
        self._in_switch = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._in_switch = "data-language-switch" in attrs
        elif self._in_switch:
            return
        if tag == "input" and attrs.get("type") not in ("submit", "file"):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self.fields[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and (
                "selected" in attrs or self._select not in self.fields):
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_switch = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def test_change_and_submit_again_opens_every_field_with_its_value(app, client,
                                                                  kenya_nomination):
    with app.app_context():
        station = DutyStation(city="Nairobi", country_iso3="KEN", time_zone="Africa/Nairobi")
        db.session.add(station)
        nomination = db.session.get(Nomination, kenya_nomination["id"])
        nomination.duty_station, nomination.grade, nomination.time_share = station, "P-4", 30
        nomination.position_title, nomination.preferred_language = "Programme Officer", "fr"
        services.request_changes(nomination, "Add the duty station.",
                                 actor=db.session.get(User, kenya_nomination["coordinator"]))
        db.session.commit()
        station_id = station.id
    sign_in(client, "rc.kenya@example.org")
    reader = _FormReader()
    reader.feed(client.get(f"/nominations/{kenya_nomination['id']}/edit").get_data(
        as_text=True))
    fields = reader.fields
    assert (fields["scope"], fields["entity"], fields["role"]) == ("KEN", "WFP", "alternate")
    assert (fields["duty_station"], fields["grade"], fields["time_share"]) == \
        (str(station_id), "P-4", "30")
    assert (fields["given_name"], fields["email"], fields["preferred_language"]) == \
        ("Njeri", "njeri.mwangi@wfp.org", "fr")
    assert fields["justification"].strip() == "Programme officer with gender expertise."
    response = client.post(f"/nominations/{kenya_nomination['id']}/edit",
                           data={**fields, "submit": "Submit"})
    # The UN-SWAP warning comes first; the same form sent again submits it.
    assert response.status_code == 200
    assert "No terms of reference on file" in response.get_data(as_text=True)
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    response = client.post(f"/nominations/{kenya_nomination['id']}/edit",
                           data={**reader.fields, "submit": "Submit"})
    assert response.status_code == 302
    with app.app_context():
        nomination = db.session.get(Nomination, kenya_nomination["id"])
        assert nomination.state == NominationState.submitted
        assert (nomination.entity.acronym, nomination.duty_station_id, nomination.grade) == \
            ("WFP", station_id, "P-4")


def test_a_nomination_submitted_again_then_sent_again_says_where_it_is(app, client,
                                                                      kenya_nomination):
    """The browser's back-and-resubmit, a retry after a timeout: the nominator is told the
    nomination is with the Office, not forbidden from it."""
    with app.app_context():
        nomination = db.session.get(Nomination, kenya_nomination["id"])
        nomination.grade, nomination.time_share, nomination.tor_acknowledged = "P-4", 30, True
        services.request_changes(nomination, "Add the grade.",
                                 actor=db.session.get(User, kenya_nomination["coordinator"]))
        db.session.commit()
    sign_in(client, "rc.kenya@example.org")
    url = f"/nominations/{kenya_nomination['id']}/edit"
    reader = _FormReader()
    reader.feed(client.get(url).get_data(as_text=True))
    fields = {**reader.fields, "submit": "Submit"}
    assert client.post(url, data=fields).status_code == 302
    again = client.post(url + "?lang=fr", data=fields)
    assert again.status_code == 302
    assert again.headers["Location"] == f"/nominations/{kenya_nomination['id']}"
    html = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "à l’état «\u00a0Soumise\u00a0»\u00a0; cette action n’est plus possible." in html
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "nomination.resubmit")) == 1


def test_withdrawing_is_confirmed_first(app, client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    url = f"/nominations/{kenya_nomination['id']}/withdraw"
    html = client.post(url, data={"reason": "Wrong person"}).get_data(as_text=True)
    assert "The nomination of Njeri Mwangi is withdrawn: the Office no longer reviews it. " \
        "No email is sent." in html and 'name="reason" value="Wrong person"' in html
    with app.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == "submitted"
    client.post(url, data={"reason": "Wrong person", "confirmed": "1"})
    with app.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == "withdrawn"


def test_approving_names_whose_term_ends_and_the_emails_before_acting(app, client,
                                                                      kenya_nomination):
    with app.app_context():
        nomination = db.session.get(Nomination, kenya_nomination["id"])
        holder = registry.create_person({
            "given_name": "Otieno", "family_name": "Odhiambo", "email": "o.odhiambo@wfp.org",
            "preferred_language": "en", "time_zone": "UTC", "entity": nomination.entity},
            actor=None)
        nomination.replaces = registry.appoint(holder, {
            "role": "alternate", "entity": nomination.entity, "unct": nomination.unct},
            actor=None)
        db.session.commit()
        queued = db.session.scalar(select(func.count(OutboxMessage.id)))
    sign_in(client, "coord@example.org")
    url = f"/nominations/{kenya_nomination['id']}/approve"
    html = client.post(url).get_data(as_text=True)
    assert "Njeri Mwangi is appointed and invited to the portal." in html
    assert "The appointment of Otieno Odhiambo ends." in html
    assert "2 emails will be sent." in html
    with app.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == "submitted"
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == queued
    client.post(url, data={"confirmed": "1"})
    with app.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == "approved"
        assert db.session.scalar(select(func.count(OutboxMessage.id))) == queued + 2


def test_approving_a_person_in_the_registry_says_which_details_change(app, client,
                                                                     kenya_nomination):
    """The nominee is in the registry, corrected since the nomination was sent: the
    confirmation names each detail approval changes, from what the registry holds to what the
    nomination says; what the nomination left empty (the grade) is neither named nor erased."""
    with app.app_context():
        registry.create_person({
            "given_name": "Njeri", "family_name": "Mwangi-Kariuki", "grade": "P-3",
            "email": "njeri.mwangi@wfp.org"}, actor=None)
        db.session.commit()
    sign_in(client, "coord@example.org")
    url = f"/nominations/{kenya_nomination['id']}/approve"
    html = client.post(url).get_data(as_text=True)
    assert "Family name in the registry record of Njeri Mwangi-Kariuki: " \
        "\u2068Mwangi-Kariuki\u2069 becomes \u2068Mwangi\u2069." in html
    assert "Entity in the registry record of Njeri Mwangi-Kariuki, empty until now: " \
        "\u2068WFP\u2069." in html
    assert "Grade in the registry record" not in html
    client.post(url, data={"confirmed": "1"})
    with app.app_context():
        person = db.session.scalars(select(Person).filter_by(
            email="njeri.mwangi@wfp.org")).one()
        assert (person.family_name, person.grade) == ("Mwangi", "P-3")


@pytest.mark.parametrize(("other", "action", "data"), [
    ("coord2@example.org", "reject", {"text": "Not the right grade."}),
    ("rc.kenya@example.org", "withdraw", {"confirmed": "1"})])
def test_two_decisions_at_once_one_stands_and_the_other_is_refused(
        app, kenya_nomination, create_user, monkeypatch, other, action, data):
    create_user("coord2@example.org", roles=["coordinator"])
    coordinator, second = signed_in(app, "coord@example.org"), signed_in(app, other)
    meet_first(monkeypatch, services, "_require_state")  # both read "submitted" first
    base = f"/nominations/{kenya_nomination['id']}"
    answers = at_once([(coordinator, "post", base + "/approve", {"confirmed": "1"}),
                       (second, "post", f"{base}/{action}", data)])
    assert [answer[0] for answer in answers] == [302, 302], answers
    with app.app_context():
        state = db.session.get(Nomination, kenya_nomination["id"]).state
        decided = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "nominations",
            AuditEvent.object_id == kenya_nomination["id"],
            AuditEvent.action != "nomination.submit")).all()
        told = db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.template == "nomination_decision"))
        appointments = db.session.scalar(select(func.count(Appointment.id)))
    # One outcome, in the timeline once; the refused one was told the nomination's state.
    assert decided == [{NominationState.approved: "nomination.approve",
                        NominationState.rejected: "nomination.reject",
                        NominationState.withdrawn: "nomination.withdraw"}[state]], decided
    assert appointments == (1 if state == NominationState.approved else 0)
    assert told == (0 if state == NominationState.withdrawn else 1)
    flashed = []
    for client in (coordinator, second):
        with client.session_transaction() as session:
            flashed += [text for _kind, text in session.get("_flashes", [])]
    assert sum("that action is no longer possible" in text for text in flashed) == 1, flashed


@pytest.mark.parametrize(("action", "box"), [("reject", "reject-text"),
                                             ("request-changes", "changes-text")])
def test_a_decision_text_too_long_comes_back_with_its_message(
        client, kenya_nomination, action, box):
    sign_in(client, "coord@example.org")
    typed = "Ajoutez la lettre signée. " * 200  # over the 4,000 characters a message holds
    response = client.post(f"/nominations/{kenya_nomination['id']}/{action}?lang=fr",
                           data={"text": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'id="{box}"' in html and typed.strip() in html and 'aria-invalid="true"' in html
    assert "4000" in html  # the message says how long it may be, in French
    with client.application.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == \
            NominationState.submitted


AGAIN = "Choose the letter file again: the browser does not keep a chosen file."


@pytest.mark.parametrize("why", [
    {"show_holders": "Show the current holders"},  # a button of the form, no error at all
    {"fill_in": "Fill in from the registry", "known_email": "nobody@example.org"},
    {"justification": ""},  # a field error elsewhere
    {"grade": "G-5"},  # held for the UN-SWAP warnings
])
def test_the_form_shown_again_asks_for_the_chosen_letter_again(
        app, client, kenya_nomination, monkeypatch, tmp_path, why):
    import io
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    sign_in(client, "rc.kenya@example.org")
    data = _form(letter=(io.BytesIO(PDF), "appointment-letter.pdf"), **why)
    if "show_holders" in why or "fill_in" in why:
        data.pop("submit")
    response = client.post("/nominations/new", content_type="multipart/form-data", data=data)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Nomination.id))) == 1  # the fixture's
    html = response.get_data(as_text=True)
    assert ("UN-SWAP check" in html) == ("grade" in why)
    assert AGAIN in html
    # Next to the letter field, which it describes.
    assert html.index('name="letter"') < html.index(AGAIN)
    assert AGAIN in described_by(html, "letter")
    assert markup_problems(html) == []
    # No letter chosen: nothing to choose again.
    data = _form(**why)
    if "show_holders" in why or "fill_in" in why:
        data.pop("submit")
    assert AGAIN not in client.post("/nominations/new", content_type="multipart/form-data",
                                    data=data).get_data(as_text=True)


def test_a_registry_correction_made_while_the_confirmation_was_open_is_not_overwritten(
        app, client, kenya_nomination):
    """The confirmation named what approval changes in the registry record; a correction of
    that record saved before it was confirmed is not undone unseen: approval is refused, and
    the confirmation is shown again, naming the changes as they are now."""
    with app.app_context():
        person = registry.create_person({
            "given_name": "Njeri", "family_name": "Mwangi", "grade": "P-3",
            "email": "njeri.mwangi@wfp.org"}, actor=None)
        db.session.commit()
        person_id = person.id
    sign_in(client, "coord@example.org")
    url = f"/nominations/{kenya_nomination['id']}/approve"
    page = client.post(url).get_data(as_text=True)
    assert "Family name in the registry record" not in page
    confirmed = form_to(page, url)
    confirmed["confirmed"] = "1"
    with app.app_context():
        registry.update_person(db.session.get(Person, person_id),
                               {"family_name": "Mwangi-Kariuki"}, actor=None)
        db.session.commit()
    response = client.post(url, data=confirmed)
    with app.app_context():
        assert db.session.get(Person, person_id).family_name == "Mwangi-Kariuki", \
            "a correction saved while the confirmation was open was overwritten unseen"
        assert db.session.get(Nomination, kenya_nomination["id"]).state == \
            NominationState.submitted
    page = response.get_data(as_text=True)
    assert "was changed while this page was open" in page
    assert "Family name in the registry record of Njeri Mwangi-Kariuki: " \
        "\u2068Mwangi-Kariuki\u2069 becomes \u2068Mwangi\u2069." in page
    again = form_to(page, url)
    again["confirmed"] = "1"
    assert client.post(url, data=again).status_code == 302
    with app.app_context():
        assert db.session.get(Person, person_id).family_name == "Mwangi"
        assert db.session.get(Nomination, kenya_nomination["id"]).state == \
            NominationState.approved


def _locked_after(monkeypatch, first):
    """Make the service named `first` lock the nomination before any other request does:
    the others, having read it, wait until it holds the lock (then for its commit)."""
    locked, original = threading.Event(), services.locked_in_state

    def ordered(row, *states):
        if sys._getframe(2).f_code.co_name == first:
            result = original(row, *states)
            locked.set()
            return result
        locked.wait(timeout=10)
        return original(row, *states)
    monkeypatch.setattr(services, "locked_in_state", ordered)


@pytest.mark.parametrize(("action", "data"), [
    ("reject", {"text": "Not the right grade."}),
    ("withdraw", {"confirmed": "1"})])
def test_a_decision_read_before_a_colleague_asked_for_changes_is_refused(
        app, kenya_nomination, create_user, action, data, monkeypatch):
    """Changes asked and the nomination rejected (or withdrawn) at once, both from the
    submitted nomination: the second finds it sent back to its nominator, a state it may
    be rejected in, yet not the one it read; it is refused."""
    create_user("coord2@example.org", roles=["coordinator"])
    who = "coord2@example.org" if action == "reject" else "rc.kenya@example.org"
    asking, second = signed_in(app, "coord@example.org"), signed_in(app, who)
    meet_first(monkeypatch, services, "_require_state")  # both read "submitted" first
    _locked_after(monkeypatch, "request_changes")
    base = f"/nominations/{kenya_nomination['id']}"
    answers = at_once([(asking, "post", base + "/request-changes",
                        {"text": "Add the signed letter."}),
                       (second, "post", f"{base}/{action}", data)])
    assert [answer[0] for answer in answers] == [302, 302], answers
    with app.app_context():
        decided = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type == "nominations",
            AuditEvent.object_id == kenya_nomination["id"],
            AuditEvent.action != "nomination.submit")).all()
        state = db.session.get(Nomination, kenya_nomination["id"]).state
    assert decided == ["nomination.request_changes"], f"both decisions went through: {decided}"
    assert state == NominationState.changes_requested
    with second.session_transaction() as session:
        flashed = [text for _kind, text in session.get("_flashes", [])]
    assert any("that action is no longer possible" in text for text in flashed), flashed


def test_a_nomination_opened_from_the_queue_leads_back_to_the_queue(client, kenya_nomination):
    """The coordinator's queue of nominations waiting for a decision, one opened: its
    "Nominations" link leads back to that queue, not to every nomination ever made."""
    assert login(client, "coord@example.org").status_code == 302
    listing = "/nominations/?state=submitted&kind=nomination"
    nomination = opened_from(client, listing, "/nominations/")
    assert listing in breadcrumb_links(nomination)


# --- when the team's Resident Coordinator changes --------------------------------------------

def _lead(app, email, *uncts, roles=("resident_coordinator",)):
    """The account `email` now leads `uncts` (none: no team, with `roles`)."""
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=email)).one()
        accounts.update_roles(user, roles=list(roles), uncts=[
            db.session.scalars(select(Unct).filter_by(iso3=iso3)).one() for iso3 in uncts],
            actor=db.session.scalars(select(User).filter_by(email="coord@example.org")).one())
        db.session.commit()


def _changes_asked(app, kenya_nomination):
    with app.app_context():
        services.request_changes(db.session.get(Nomination, kenya_nomination["id"]),
                                 "Add the grade.",
                                 actor=db.session.get(User, kenya_nomination["coordinator"]))
        db.session.commit()


@pytest.mark.parametrize("roles, uncts", [(("resident_coordinator",), ("UGA",)),
                                          (("focal_point",), ())])
def test_a_resident_coordinator_who_left_the_team_no_longer_reads_its_nomination(
        app, client, kenya_nomination, roles, uncts):
    """Moved to another team, or no longer a Resident Coordinator: the nomination, its letter
    and its form are the team's, no longer theirs."""
    _changes_asked(app, kenya_nomination)
    _lead(app, "rc.kenya@example.org", *uncts, roles=roles)
    sign_in(client, "rc.kenya@example.org")
    for path in ("", "/letter", "/edit"):
        assert client.get(f"/nominations/{kenya_nomination['id']}{path}").status_code == 403
    if uncts:
        assert "Njeri" not in client.get("/nominations/").get_data(as_text=True)
        assert "Njeri" not in client.get("/").get_data(as_text=True)


def test_the_teams_new_resident_coordinator_finds_the_changes_asked_on_their_home(
        app, client, create_user, kenya_nomination):
    _changes_asked(app, kenya_nomination)
    _lead(app, "rc.kenya@example.org", "UGA")
    create_user("new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    sign_in(client, "new.rc.kenya@example.org")
    edit = f"/nominations/{kenya_nomination['id']}/edit"
    assert edit in client.get("/").get_data(as_text=True)
    assert edit in client.get(f"/nominations/{kenya_nomination['id']}").get_data(as_text=True)
    assert client.get(edit).status_code == 200


def test_the_other_resident_coordinator_of_the_team_may_withdraw_it(app, client, create_user,
                                                                    kenya_nomination):
    create_user("rc2.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Amani", family_name="Okello")
    sign_in(client, "rc2.kenya@example.org")
    url = f"/nominations/{kenya_nomination['id']}/withdraw"
    assert url in client.get(f"/nominations/{kenya_nomination['id']}").get_data(as_text=True)
    client.post(url, data={"confirmed": "1"})
    with app.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == "withdrawn"
    # Withdrawn by the other Resident Coordinator of the team, not by its nominator.
    html = client.get(f"/nominations/{kenya_nomination['id']}").get_data(as_text=True)
    assert "Withdrawn by the nominator" not in html and "Nomination withdrawn" in html


@pytest.mark.parametrize("action, said", [
    ("request-changes", "No Resident Coordinator leads the UN Country Team in Kenya now: "
                        "nobody is asked for the changes."),
    ("reject", "The nomination is rejected. No Resident Coordinator leads the UN Country "
               "Team in Kenya now: nobody is told."),
])
def test_the_office_is_told_when_a_team_without_resident_coordinator_hears_nothing(
        app, client, kenya_nomination, action, said):
    """The team's Resident Coordinator left and nobody has taken up the role: the Office's
    answer reaches nobody, and the Office is told so rather than that the nominator was."""
    _lead(app, "rc.kenya@example.org", roles=("focal_point",))
    sign_in(client, "coord@example.org")
    response = client.post(f"/nominations/{kenya_nomination['id']}/{action}",
                           data={"text": "Add the grade."}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert said in html and "the nominator is" not in html.lower()
    with app.app_context():
        assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.template == "nomination_decision")) == 0


def test_the_new_resident_coordinator_reads_the_nomination_as_the_team_s_not_theirs(
        app, client, create_user, kenya_nomination):
    """The nomination, the home and the list say who made it for the team: the new Resident
    Coordinator takes it over, they did not make it."""
    _changes_asked(app, kenya_nomination)
    _lead(app, "rc.kenya@example.org", "UGA")
    create_user("new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Amani", family_name="Okello")
    sign_in(client, "new.rc.kenya@example.org")
    taken_over = "<bdi>Test Person</bdi> made this nomination for the UN Country Team in " \
        "Kenya, which you now lead."
    assert taken_over in client.get(f"/nominations/{kenya_nomination['id']}").get_data(
        as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert "of yours" not in home and "1 nomination needs changes" in home
    assert "Nominated by <bdi>Test Person</bdi>" in home
    listing = client.get("/nominations/").get_data(as_text=True)
    assert "you made" not in listing and "whoever made them" in listing


def test_the_nominator_reads_no_word_of_a_nomination_taken_over(app, client,
                                                                 kenya_nomination):
    _changes_asked(app, kenya_nomination)
    sign_in(client, "rc.kenya@example.org")
    page = client.get(f"/nominations/{kenya_nomination['id']}").get_data(as_text=True)
    assert "made this nomination" not in page
    home = client.get("/").get_data(as_text=True)
    assert "1 nomination needs changes" in home and "Nominated by" not in home


def test_an_approval_the_registry_would_refuse_is_refused_from_the_first_click(
        app, client, kenya_nomination):
    """WFP closed after the nomination was sent: the first click on "Approve" says, in the
    Office's language, why the registry refuses the appointment, instead of a confirmation
    that it is made and how many emails go; nothing changes and nobody is written to."""
    with app.app_context():
        db.session.scalars(select(Entity).filter_by(acronym="WFP")).one().active_to = \
            date.today() - timedelta(days=3)
        db.session.commit()
        counts = [db.session.scalar(select(func.count()).select_from(model)) for model in
                  (OutboxMessage, AuditEvent, Person, Appointment)]
    sign_in(client, "coord@example.org")
    response = client.post(f"/nominations/{kenya_nomination['id']}/approve?lang=fr",
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "WFP était en activité jusqu’au" in html
    assert "La désignation de Njeri Mwangi est enregistrée" not in html
    assert "seront envoyés" not in html and "sera envoyé" not in html
    with app.app_context():
        assert db.session.get(Nomination, kenya_nomination["id"]).state == "submitted"
        assert [db.session.scalar(select(func.count()).select_from(model)) for model in
                (OutboxMessage, AuditEvent, Person, Appointment)] == counts
