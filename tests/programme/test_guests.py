"""Guests: from the invitation link to the certificate, kept out of the registry and the
coverage, with clear pages for wrong, expired and revoked links."""
import base64
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.programme import guests, queries
from gfp_portal.programme.models import (
    Guest,
    GuestInvitation,
    GuestPlaceStatus,
    GuestRegistration,
    Sector,
)
from gfp_portal.registry.models import Person
from gfp_portal.sessions import services as session_services
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import NOW, at_once, login, meet_first, outbox, switch_to
from tests.markup import filled_form

GUEST = {"name": "Ximena Quispe-Valdivia", "email": "Ximena@University.example",
         "organisation": "Universidad de Lima", "sector": "academia",
         "preferred_language": "es"}


def _invite(app, session_id, places=None):
    with app.app_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        invitation = guests.create_invitation(db.session.get(TrainingSession, session_id),
                                              places, actor=coordinator)
        db.session.commit()
        return invitation.token


def _link(app, template="guest_place_link"):
    """The path of the place link last mailed, without the language it opens in."""
    with app.app_context():
        body = outbox(template)[-1].body_text
    link = re.search(r"http://[^\s]+/guests/place/[^\s]+", body).group(0)
    return link.split("localhost")[-1].split("?")[0]


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


def _registered_guest(app, guest_client, running):
    """A guest who asked for a place in the running session and confirmed it: (the path of
    their page, their place's id)."""
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    link = _path(_link(app))
    guest_client.post(link)
    with app.app_context():
        return link, db.session.scalars(select(GuestRegistration.id)).one()


@pytest.fixture
def guest_client(app):
    return app.test_client()


def test_an_invitation_of_one_place_counts_it_in_the_singular(client, running):
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/guests"
    assert client.post(url, data={"places": "1"}).status_code == 302
    html = client.get(url + "?lang=en").get_data(as_text=True)
    assert "0 of 1 place taken" in html and "1 places" not in html


def test_a_guest_registers_is_confirmed_invited_checked_in_and_certified(
        app, client, guest_client, running):
    login(client, "coord@example.org")
    session_id = running["session"]
    response = client.post(f"/sessions/{session_id}/guests", data={"places": "2"})
    assert response.status_code == 302
    with app.app_context():
        token = db.session.scalars(select(GuestInvitation.token)).one()
    assert token in client.get(f"/sessions/{session_id}/guests").get_data(as_text=True)

    page = guest_client.get(f"/guests/invitation/{token}?lang=en")
    assert page.status_code == 200 and "Ask for a place" in page.get_data(as_text=True)
    response = guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    assert response.status_code == 302 and response.location.endswith("/guests/sent")
    with app.app_context():
        mail, = outbox("guest_place_link")
        assert mail.recipient == "ximena@university.example" and mail.is_secret
        assert mail.locale == "es"
        # The session's English title, isolated inside the Spanish sentence.
        assert re.search(r'<span lang="en" dir="ltr">[^<]+</span>', mail.body_html)
        link = _path(re.search(r"https?://\S+/guests/place/\S+", mail.body_text).group(0))
        # The link opens in the language the guest chose.
        link, language = link.split("?")
        assert language == "lang=es"
        # The text part gives the link a line of its own, as mail readers make it clickable.
        assert re.search(r"\n\s*https?://\S+/guests/place/\S+\n", mail.body_text)
        place = db.session.scalars(select(GuestRegistration)).one()
        assert place.status == "pending" and outbox("session_notice") == []

    # Opening the link confirms nothing (mail scanners); the button does.
    assert "Confirm" in guest_client.get(link + "?lang=en").get_data(as_text=True)
    assert guest_client.post(link).status_code == 302
    with app.app_context():
        place = db.session.scalars(select(GuestRegistration)).one()
        assert place.status == "registered" and place.guest.verified_at is not None
        invite, = [m for m in outbox("session_notice") if m.recipient == place.guest.email]
        assert invite.locale == "es"
        calendar = base64.b64decode(invite.parts[0]["data"]).decode()
        assert invite.parts[0]["content_type"] == "text/calendar"
        assert "METHOD:REQUEST" in calendar and "ximena@university.example" in calendar
        assert invite.parts[1]["filename"] == "invite.ics"
        # The guest takes no seat of the session's.
        assert session_services.registered_count(db.session.get(
            TrainingSession, session_id)) == 1

    # The register lists the guest; the coordinator marks them present.
    register = client.get(f"/sessions/{session_id}/attendance").get_data(as_text=True)
    assert "Ximena Quispe-Valdivia" in register
    response = client.post(f"/sessions/{session_id}/attendance/guests",
                           data={f"guest-{place.id}": "present"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(GuestRegistration, place.id).attendance == "present"

    # No certificate before the end; then one, also verified publicly.
    response = guest_client.get(link + "/certificate")
    assert response.status_code == 302
    with app.app_context():
        session = db.session.get(TrainingSession, session_id)
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
    assert "/certificate" in guest_client.get(link).get_data(as_text=True)
    offered = guest_client.get(link + "/certificate?lang=en").get_data(as_text=True)
    assert "Issue my certificate" in offered  # opening the link issues nothing
    with app.app_context():
        assert db.session.get(GuestRegistration, place.id).certificate_code is None
    assert guest_client.post(link + "/certificate").status_code == 302
    certificate = guest_client.get(link + "/certificate?lang=en")
    assert certificate.status_code == 200
    assert "Ximena Quispe-Valdivia" in certificate.get_data(as_text=True)
    with app.app_context():
        code = db.session.get(GuestRegistration, place.id).certificate_code
    verified = guest_client.get(f"/certificates/{code}?lang=en")
    assert verified.status_code == 200 and "This certificate is valid" in verified.get_data(
        as_text=True)


def test_the_same_address_twice_is_one_place_and_the_link_comes_again(
        app, guest_client, running):
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    first = _link(app)
    guest_client.post(_path(first))
    again = guest_client.post(f"/guests/invitation/{token}",
                              data={**GUEST, "email": "ximena@university.example",
                                    "name": "Someone Else"})
    assert again.status_code == 302 and again.location.endswith("/guests/sent")
    with app.app_context():
        assert db.session.scalar(select(func.count(GuestRegistration.id))) == 1
        place = db.session.scalars(select(GuestRegistration)).one()
        # A confirmed guest's details are not changed by an unconfirmed request.
        assert place.status == "registered" and place.guest.name == GUEST["name"]
        mails = outbox("guest_place_link")
        assert len(mails) == 2 and "Ya tiene una plaza" in mails[-1].body_text
    # The new link works; the old one no longer does.
    assert guest_client.get(_path(_link(app)) + "?lang=en").status_code == 200
    assert guest_client.get(_path(first) + "?lang=en").status_code == 404


@pytest.mark.parametrize("lang, text", [("en", "not valid"), ("ar", "غير صالح")])
def test_a_wrong_invitation_link_is_a_clear_page(app, guest_client, running, lang, text):
    response = guest_client.get(f"/guests/invitation/nonsense-token?lang={lang}")
    assert response.status_code == 404 and text in response.get_data(as_text=True)
    response = guest_client.post("/guests/invitation/" + "x" * 500, data=GUEST)
    assert response.status_code == 404
    assert guest_client.get("/guests/place/nonsense?lang=en").status_code == 404
    assert guest_client.get("/guests/place/nonsense/certificate?lang=en").status_code == 404


def test_a_revoked_invitation_link_refuses_requests_and_confirmations(
        app, client, guest_client, running):
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    link = _path(_link(app))
    login(client, "coord@example.org")
    with app.app_context():
        invitation_id = db.session.scalars(select(GuestInvitation.id)).one()
    url = f"/sessions/{running['session']}/guests/invitations/{invitation_id}/revoke"
    # The first post asks for the confirmation; nothing is revoked yet.
    assert "Revoke the invitation link" in client.post(url + "?lang=en").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(GuestInvitation)).one().revoked_at is None
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    response = guest_client.get(f"/guests/invitation/{token}?lang=en")
    assert response.status_code == 404 and "withdrawn" in response.get_data(as_text=True)
    response = guest_client.post(link + "?lang=fr")
    assert response.status_code == 404 and "retiré" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(GuestRegistration)).one().status == "pending"


def test_an_expired_link_is_a_clear_page(app, guest_client, running):
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    link = _path(_link(app))
    with app.app_context():
        place = db.session.scalars(select(GuestRegistration)).one()
        place.token_expires_at = datetime.now(UTC) - timedelta(minutes=1)
        db.session.commit()
    response = guest_client.post(link + "?lang=es")
    assert response.status_code == 404 and "caducado" in response.get_data(as_text=True)


def test_the_places_of_an_invitation_are_never_exceeded(app, guest_client, running):
    token = _invite(app, running["session"], places=1)
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    first = _path(_link(app))
    guest_client.post(f"/guests/invitation/{token}",
                      data={**GUEST, "email": "other@ngo.example", "name": "Other Guest"})
    second = _path(_link(app))
    assert guest_client.post(first).status_code == 302
    response = guest_client.post(second + "?lang=en")
    assert response.status_code == 404 and "places" in response.get_data(as_text=True)
    # The page says so; only a guest holding a place may still ask (for their link again).
    page = guest_client.get(f"/guests/invitation/{token}?lang=en").get_data(as_text=True)
    assert "All the guest places of this invitation are taken." in page


def test_a_bad_request_form_changes_nothing(app, guest_client, running):
    token = _invite(app, running["session"])
    response = guest_client.post(f"/guests/invitation/{token}?lang=en",
                                 data={**GUEST, "email": "not-an-address", "sector": "x"})
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count(GuestRegistration.id))) == 0


def test_a_guests_address_pasted_with_invisible_marks_is_taken_as_it_shows(
        app, guest_client, running):
    """Copied from the invitation's email, the address came with a left-to-right mark and a
    no-break space, and the form refused it: "Enter a valid email address."."""
    token = _invite(app, running["session"])
    response = guest_client.post(f"/guests/invitation/{token}", data={
        **GUEST, "email": "\u200eXimena@University.example\u00a0"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert outbox("guest_place_link")[0].recipient == "ximena@university.example"


def test_a_guest_chooses_a_sector_none_is_given_for_them(app, guest_client, running):
    token = _invite(app, running["session"])
    page = guest_client.get(f"/guests/invitation/{token}?lang=en").get_data(as_text=True)
    sector = re.search(r'<select[^>]*name="sector".*?</select>', page, re.S).group(0)
    first = re.search(r"<option[^>]*>", sector).group(0)
    assert 'value=""' in first and "selected" not in sector
    # The request as sent when the guest leaves the list as shown: refused, nothing kept.
    response = guest_client.post(f"/guests/invitation/{token}?lang=en",
                                 data={**GUEST, "sector": ""})
    assert response.status_code == 200 and "Choose your sector." in response.get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Guest.id))) == 0


def test_guests_never_appear_in_the_registry_or_the_coverage(app, client, guest_client,
                                                              running):
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    guest_client.post(_path(_link(app)))
    with app.app_context():
        people = db.session.scalar(select(func.count(Person.id)))
        assert db.session.scalars(select(GuestRegistration)).one().status == "registered"
    login(client, "coord@example.org")
    for url in ("/registry/", "/registry/?q=Ximena", "/registry/?q=university.example",
                "/registry/export.csv", "/coverage/", "/coverage/export.csv",
                "/search?q=Ximena", "/dashboard", "/parity/", "/entities/UNDP"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        # The query itself is echoed (search box, language links): the guest's record is not.
        assert "Quispe" not in body and "ximena@" not in body.lower(), url
        assert "Universidad de Lima" not in body, url
    with app.app_context():
        assert db.session.scalar(select(func.count(Person.id))) == people
        assert db.session.scalars(select(Person).where(
            func.lower(Person.email) == "ximena@university.example")).first() is None


def test_a_change_of_the_session_reaches_registered_guests(app, guest_client, running):
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    guest_client.post(_path(_link(app)))
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session_services.cancel_session(session, reason="Venue closed", actor=coordinator)
        db.session.commit()
        cancel = [m for m in outbox("session_notice")
                  if m.recipient == "ximena@university.example"][-1]
        assert "METHOD:CANCEL" in base64.b64decode(cancel.parts[0]["data"]).decode()
        # That took the session out of the guest's calendar: taking the guest off its list
        # afterwards sends nothing more, as for everyone registered.
        mails = len(outbox())
        place = db.session.scalars(select(GuestRegistration)).one()
        guests.cancel_place(place, actor=coordinator)
        db.session.commit()
        assert db.session.get(GuestRegistration, place.id).status == "cancelled"
        assert len(outbox()) == mails


def test_a_guest_who_holds_the_changed_invitation_is_not_sent_it_again(
        app, guest_client, running):
    _registered_guest(app, guest_client, running)
    with app.test_request_context():
        session = db.session.get(TrainingSession, running["session"])
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session_services.update_session(session, {"title_es": "Paridad en la práctica"},
                                        actor=coordinator)
        db.session.commit()
        to_guest = [m.subject for m in outbox("session_notice")
                    if m.recipient == "ximena@university.example"]
        assert len(to_guest) == 2 and to_guest[-1].startswith("Actualización")
        # A job queued by the same change, run later, finds the guest already told.
        session_services.send_notices(session, "updated", now=datetime.now(UTC))
        db.session.commit()
        assert len([m for m in outbox("session_notice")
                    if m.recipient == "ximena@university.example"]) == 2


@pytest.mark.parametrize("moved", [timedelta(days=240), timedelta(days=-3)])
def test_a_guests_link_works_after_the_moved_session_as_after_its_first_date(
        app, guest_client, running, moved):
    """The session is put off by eight months (or brought forward by three days): the
    guest's link keeps working until KEEP_DAYS after its new end (to come back for the
    certificate), as it did after the first one."""
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at = datetime.now(UTC) + timedelta(days=7)
        session.ends_at = session.starts_at + timedelta(minutes=90)
        db.session.commit()
    link, place_id = _registered_guest(app, guest_client, running)
    raw = link.rsplit("/", 1)[1]
    with app.test_request_context():
        session = db.session.get(TrainingSession, running["session"])
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session_services.update_session(session, {"starts_at": session.starts_at + moved,
                                                   "ends_at": session.ends_at + moved},
                                        actor=coordinator)
        db.session.commit()
        until = session.ends_at + timedelta(days=guests.KEEP_DAYS)
        assert guests.place_for_token(raw, now=until - timedelta(seconds=1)).id == place_id
        with pytest.raises(DomainError):
            guests.place_for_token(raw, now=until)


def test_every_notice_to_a_guest_names_the_offices_mailbox(app, guest_client, running):
    """A guest has no account: as a registered person without one, they are told whom to
    write to (the Office's mailbox) in every notice of the session, its invitation, a change,
    the cancellation, in both parts, in their language; never the session's page, which is
    behind a sign-in."""
    _registered_guest(app, guest_client, running)
    with app.test_request_context():
        session = db.session.get(TrainingSession, running["session"])
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session_services.update_session(session, {"title_es": "Paridad en la práctica"},
                                        actor=coordinator)
        session_services.cancel_session(session, reason="Venue closed", actor=coordinator)
        db.session.commit()
        office = app.config["ORGANIZER_EMAIL"]
        mails = [m for m in outbox("session_notice")
                 if m.recipient == "ximena@university.example"]
        assert [m.subject.split(":")[0] for m in mails] == [
            "Inscripción confirmada", "Actualización", "Cancelada"]
        for mail in mails:
            for body in (mail.body_text, mail.body_html):
                assert "escriba a la Oficina de la Coordinadora" in body, body
                assert office in body and f"/sessions/{session.id}" not in body


def test_a_guest_removed_before_the_cancellations_job_is_still_told_once(
        app, guest_client, running, monkeypatch):
    """The session's cancellation is told by a job; the Office removes the guest before it
    runs: the guest is sent the cancellation then, and the job sends no second one."""
    from gfp_portal.core.jobs import execute_job

    monkeypatch.setitem(app.config, "SESSION_NOTICES_INLINE_MAX", 0)
    _link_path, place_id = _registered_guest(app, guest_client, running)
    with app.test_request_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session = db.session.get(TrainingSession, running["session"])
        job = session_services.cancel_session(session, reason="Speaker ill",
                                              actor=coordinator)[1]
        db.session.info.pop("jobs.dispatch")  # run below, after the removal
        db.session.commit()
        job_id = job.id
        guests.cancel_place(db.session.get(GuestRegistration, place_id), actor=coordinator)
        db.session.commit()
    with app.test_request_context():
        execute_job(job_id)
        to_guest = [m.subject for m in outbox("session_notice")
                    if m.recipient == "ximena@university.example"]
        assert len(to_guest) == 2 and to_guest[-1].startswith("Cancelada")


def _emailed_since(app, before):
    with app.app_context():
        return sorted(m.recipient for m in outbox() if m.id not in before)


def _mail_ids(app):
    with app.app_context():
        return {m.id for m in outbox()}


def test_the_cancellation_says_how_many_guests_it_emails_first_and_after(
        app, client, guest_client, running):
    """The cancellation is emailed to the registered guests too: its confirmation page and
    the message after it count them beside the registered people."""
    _registered_guest(app, guest_client, running)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/cancel"
    page = client.post(url, data={"reason": "Speaker ill"})
    assert page.status_code == 200
    assert "1 registered person and 1 guest will be told and emailed the cancellation." \
        in page.get_data(as_text=True)
    before = _mail_ids(app)
    done = client.post(url, data={"reason": "Speaker ill", "confirmed": "1"},
                       follow_redirects=True)
    assert _emailed_since(app, before) == ["amina.diallo@example.org",
                                           "ximena@university.example"]
    assert "The session is cancelled; 1 registered person and 1 guest are told." \
        in done.get_data(as_text=True)
    # The register still lists the guest, to read: nothing more is recorded.
    register = client.get(f"/sessions/{running['session']}/attendance?lang=en").get_data(
        as_text=True)
    assert GUEST["name"] in register and "Save the guests' attendance" not in register


def test_the_edit_page_says_how_many_guests_a_change_emails_first_and_after(
        app, client, guest_client, running):
    """A change of title, time, place or link sends the updated invitation to the registered
    guests too: the edit page, and the message after saving, count them."""
    _registered_guest(app, guest_client, running)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "A change of title, time, place or link sends the updated invitation to 1 " \
        "registered person and 1 guest." in page
    before = _mail_ids(app)
    data = filled_form(page, "title_en")
    data["title_en"] = "Bystander intervention in practice"
    done = client.post(url, data=data, follow_redirects=True)
    assert _emailed_since(app, before) == ["amina.diallo@example.org",
                                           "ximena@university.example"]
    assert "The session is saved; 1 registered person and 1 guest get the updated " \
        "invitation." in done.get_data(as_text=True)


def test_the_notices_job_counts_the_guests_it_emails(app, client, guest_client, running,
                                                     monkeypatch):
    """Sent by a job, the cancellation reaches the registered guests too: the service that
    queues the job, and the job's page, count them."""
    from gfp_portal.core.jobs import Job, execute_job

    monkeypatch.setitem(app.config, "SESSION_NOTICES_INLINE_MAX", 0)
    _registered_guest(app, guest_client, running)
    with app.test_request_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session = db.session.get(TrainingSession, running["session"])
        told, job = session_services.cancel_session(session, reason="Speaker ill",
                                                    actor=coordinator)
        assert (told.people, told.guests) == (1, 1)
        db.session.info.pop("jobs.dispatch")
        db.session.commit()
        job_id = job.id
    with app.test_request_context():
        execute_job(job_id)
        result = db.session.get(Job, job_id).result
        assert (result["notified"], result["guests"]) == (1, 1)
    login(client, "coord@example.org")
    assert "The cancellation is queued for 1 registered person and 1 guest." in client.get(
        f"/jobs/{job_id}").get_data(as_text=True)


def test_a_full_invitation_still_sends_a_guest_who_holds_a_place_their_link(
        app, guest_client, running):
    """The guest who took the last place lost the email with their link: asking again
    through the invitation sends it again, as for any place already held (the page said the
    places were all taken, and refused them). Anyone else gets no place and no mail, but the
    same answer: no page tells whether an address holds a place."""
    token = _invite(app, running["session"], places=1)
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    guest_client.post(_path(_link(app)))  # confirmed: the one place is taken
    html = guest_client.get(f"/guests/invitation/{token}?lang=en").get_data(as_text=True)
    assert "All the guest places of this invitation are taken. If you hold one" in html
    with app.app_context():
        links = len(outbox("guest_place_link"))
    holder = guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    with app.app_context():
        assert len(outbox("guest_place_link")) == links + 1
    page = guest_client.get(_path(_link(app)))
    assert page.status_code == 200
    other = {**GUEST, "email": "other@ngo.example", "name": "Other Guest"}
    stranger = guest_client.post(f"/guests/invitation/{token}", data=other)
    assert (stranger.status_code, stranger.headers["Location"]) == \
        (holder.status_code, holder.headers["Location"]) == (302, "/guests/sent?again=1")
    assert "If this address holds a place at the session" in guest_client.get(
        "/guests/sent?again=1&lang=en").get_data(as_text=True)
    with app.app_context():
        assert len(outbox("guest_place_link")) == links + 1
        assert db.session.scalar(select(func.count(Guest.id)).where(
            Guest.email == "other@ngo.example")) == 0


def test_a_place_link_ends_at_the_moment_it_expires(app, guest_client, running):
    """As the clearing of unconfirmed requests takes it: expired at that very moment."""
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    raw = _link(app).rsplit("/", 1)[1]
    with app.app_context():
        expiry = db.session.scalars(select(GuestRegistration.token_expires_at)).one()
        with pytest.raises(DomainError):
            guests.place_for_token(raw, now=expiry)
        assert guests.place_for_token(raw, now=expiry - timedelta(seconds=1))


@pytest.mark.parametrize("url", ["/sessions/{id}/guests", "/sessions/{id}/agenda"])
@pytest.mark.parametrize("roles, status", [((), 302), (("focal_point",), 403),
                                           (("resident_coordinator",), 403),
                                           (("coordinator",), 200), (("admin",), 200)])
def test_only_the_office_manages_guests_and_the_agenda(client, login_as, running, url,
                                                       roles, status):
    if roles:
        login_as(*roles, uncts=("KEN",) if roles == ("resident_coordinator",) else ())
    assert client.get(url.format(id=running["session"])).status_code == status


def test_requests_never_confirmed_are_deleted_with_the_guest_and_the_link(
        app, guest_client, running):
    token = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{token}", data=GUEST)
    guest_client.post(f"/guests/invitation/{token}",
                      data={**GUEST, "email": "kept@ngo.example", "name": "Kept Guest"})
    guest_client.post(_path(_link(app)))  # the second one confirms
    with app.app_context():
        later = datetime.now(UTC) + timedelta(days=guests.CONFIRM_DAYS + 1)
        assert guests.purge_unconfirmed(now=later) == 1
        db.session.commit()
        assert [g.email for g in db.session.scalars(select(Guest))] == ["kept@ngo.example"]
        assert [m.recipient for m in outbox("guest_place_link")] == ["kept@ngo.example"]
        assert guests.purge_unconfirmed(now=later) == 0


def test_the_office_cancels_a_guests_place_after_a_confirmation(app, client, guest_client,
                                                                 running):
    link, place_id = _registered_guest(app, guest_client, running)
    login(client, "coord@example.org")
    url = f"/sessions/{running['session']}/guests/{place_id}/cancel"
    assert "Cancel the place of" in client.post(url + "?lang=en").get_data(as_text=True)
    assert client.post(url, data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(GuestRegistration, place_id).status == "cancelled"
        withdrawn = outbox("session_notice")[-1]
        assert withdrawn.recipient == "ximena@university.example"
        assert "METHOD:CANCEL" in base64.b64decode(withdrawn.parts[0]["data"]).decode()
    # The guest's link now says so (not that it is invalid); the register no longer lists
    # them.
    page = guest_client.get(link + "?lang=en")
    assert page.status_code == 404
    assert "This place has been cancelled." in page.get_data(as_text=True)
    assert "Ximena" not in client.get(f"/sessions/{running['session']}/attendance").get_data(
        as_text=True)


def test_a_request_again_through_a_new_link_is_confirmed_through_it(
        app, client, guest_client, running):
    # The guest asked through a link that was then revoked; the Office sends a new one.
    old = _invite(app, running["session"])
    guest_client.post(f"/guests/invitation/{old}", data=GUEST)
    with app.app_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        guests.revoke_invitation(db.session.scalars(select(GuestInvitation)).one(),
                                 actor=coordinator)
        db.session.commit()
    new = _invite(app, running["session"])
    assert guest_client.post(f"/guests/invitation/{new}", data=GUEST).status_code == 302
    assert guest_client.post(_path(_link(app))).status_code == 302
    with app.app_context():
        place = db.session.scalars(select(GuestRegistration)).one()
        assert place.status == "registered" and place.invitation.token == new


def _calendar_to(email):
    """(METHOD, SEQUENCE, UID) of each calendar email sent to `email`, in order."""
    found = []
    for message in outbox("session_notice"):
        if message.recipient == email and message.parts:
            cal = Calendar.from_ical(base64.b64decode(message.parts[0]["data"]))
            event, = cal.walk("VEVENT")
            found.append((str(cal["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])))
    return found


def test_a_guest_removed_who_asks_again_gets_an_invitation_above_the_cancellation(
        app, guest_client, running):
    """Calendar clients (Outlook) ignore a REQUEST whose SEQUENCE is not above the CANCEL they
    applied: the guest's place confirmed again raises the session's SEQUENCE; the people
    registered are not written to."""
    _link_path, place_id = _registered_guest(app, guest_client, running)
    with app.test_request_context():
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        guests.cancel_place(db.session.get(GuestRegistration, place_id), actor=coordinator)
        db.session.commit()
        to_fp = _calendar_to("amina.diallo@example.org")
        token = db.session.scalars(select(GuestInvitation.token)).one()
    assert guest_client.post(f"/guests/invitation/{token}", data=GUEST).status_code == 302
    assert guest_client.post(_path(_link(app))).status_code == 302
    with app.app_context():
        place = db.session.get(GuestRegistration, place_id)
        session = db.session.get(TrainingSession, running["session"])
        assert place.status == "registered"
        events = _calendar_to("ximena@university.example")
        assert [method for method, _sequence, _uid in events] == ["REQUEST", "CANCEL", "REQUEST"]
        assert len({uid for _method, _sequence, uid in events}) == 1
        (_r, first, _u), (_c, cancel, _u), (_a, sequence, _u) = events
        assert (first, cancel) == (0, 0) and sequence > cancel
        assert sequence == session.ical_sequence == place.invited_sequence == 1
        assert _calendar_to("amina.diallo@example.org") == to_fp


def _certified_guest(app, client, guest_client, running):
    """A guest marked present by the Office (signed in on `client`) at a session now ended,
    who has taken their certificate: (their place's id, the certificate's code)."""
    link, place_id = _registered_guest(app, guest_client, running)
    login(client, "coord@example.org")
    client.post(f"/sessions/{running['session']}/attendance/guests",
                data={f"guest-{place_id}": "present"})
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        session.starts_at = datetime.now(UTC) - timedelta(minutes=100)
        session.ends_at = datetime.now(UTC) - timedelta(minutes=10)
        db.session.commit()
    assert guest_client.post(link + "/certificate").status_code == 302
    with app.app_context():
        return place_id, db.session.get(GuestRegistration, place_id).certificate_code


def test_a_certificate_the_corrected_attendance_no_longer_earns_stops_being_valid(
        app, client, guest_client, running):
    place_id, code = _certified_guest(app, client, guest_client, running)
    register = f"/sessions/{running['session']}/attendance/guests"
    assert "This certificate is valid" in guest_client.get(
        f"/certificates/{code}?lang=en").get_data(as_text=True)
    # The Office corrects the register: the guest was absent after all.
    assert client.post(register, data={f"guest-{place_id}": "absent"}).status_code == 302
    verified = guest_client.get(f"/certificates/{code}?lang=en")
    assert verified.status_code == 404
    assert "This certificate is valid" not in verified.get_data(as_text=True)


def test_the_certificate_of_a_guest_whose_place_is_cancelled_stops_being_valid(
        app, client, guest_client, running):
    place_id, code = _certified_guest(app, client, guest_client, running)
    # The Office removes the guest after all: the certificate no longer vouches for them.
    cancel = f"/sessions/{running['session']}/guests/{place_id}/cancel"
    assert client.post(cancel, data={"confirmed": "1"}).status_code == 302
    verified = guest_client.get(f"/certificates/{code}?lang=en")
    assert verified.status_code == 404
    assert "This certificate is valid" not in verified.get_data(as_text=True)


def test_a_request_sent_twice_at_once_asks_for_one_place(app, running, monkeypatch):
    """A retry while the first request is on its way: both land on "check your mailbox"."""
    token = _invite(app, running["session"])
    meet_first(monkeypatch, guests, "guest_with")  # neither found the guest
    url = f"/guests/invitation/{token}"
    answers = at_once([(app.test_client(), "post", url, dict(GUEST)) for _ in range(2)])
    assert [answer[:2] for answer in answers] == [(302, "/guests/sent")] * 2, answers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Guest)) == 1
        place, = db.session.scalars(select(GuestRegistration)).all()
        assert place.status.value == "pending"


def test_a_place_confirmed_twice_at_once_is_confirmed_once(app, running, monkeypatch):
    """A guest double-clicks "Confirm my place" (the invitation has one place): one
    confirmation, one invitation mailed, and both answers lead to the confirmed place."""
    token = _invite(app, running["session"], places=1)
    assert app.test_client().post(f"/guests/invitation/{token}", data=GUEST).status_code == 302
    link = _path(_link(app))
    with app.app_context():
        mails_before = len(outbox())
    meet_first(monkeypatch, guests, "place_for_token", caller="confirm_place")  # both pending
    answers = at_once([(app.test_client(), "post", link, {}) for _ in range(2)])
    assert [answer[:2] for answer in answers] == [(302, link)] * 2, \
        [answer if isinstance(answer, str) else answer[:2] for answer in answers]
    with app.app_context():
        place, = db.session.scalars(select(GuestRegistration)).all()
        assert place.status.value == "registered"
        confirmed = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "guest_place.confirm"))
        mailed = len(outbox()) - mails_before
    assert (confirmed, mailed) == (1, 1), f"confirmed {confirmed} times, {mailed} mails"


def test_a_guest_is_not_marked_at_a_cancelled_session(app, client, guest_client, running):
    """The register of a cancelled session offers no guests' attendance; a mark posted
    anyway is refused as everyone's is, and nothing is recorded."""
    _link_path, place_id = _registered_guest(app, guest_client, running)
    login(client, "coord@example.org")
    with app.app_context():
        session = db.session.get(TrainingSession, running["session"])
        coordinator = db.session.scalars(select(User).filter_by(
            email="coord@example.org")).one()
        session_services.cancel_session(session, reason="Speaker ill", actor=coordinator)
        db.session.commit()
    page = client.post(f"/sessions/{running['session']}/attendance/guests?lang=en",
                       data={f"guest-{place_id}": "present"}, follow_redirects=True)
    assert page.status_code == 200
    assert "This session is cancelled: no attendance is recorded." in page.get_data(
        as_text=True)
    assert "attendance recorded" not in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(GuestRegistration, place_id).attendance is None
        with pytest.raises(DomainError, match="no attendance is recorded"):
            guests.mark_guest(db.session.get(GuestRegistration, place_id), "present",
                              actor=None)


def test_a_guest_s_address_with_its_accents_written_either_way_is_one_guest(
        make_session, coordinator):
    invitation = guests.create_invitation(make_session(), actor=coordinator, now=NOW)
    for form in ("NFD", "NFC"):
        guests.request_place(invitation.token, {
            **GUEST, "email": unicodedata.normalize(form, "José@Universidad.example")},
            now=NOW)
    assert db.session.scalars(select(Guest.email)).all() == [
        unicodedata.normalize("NFC", "josé@universidad.example")]
    assert db.session.scalar(select(func.count()).select_from(GuestRegistration)) == 1


def _guests_with_a_place(session, names):
    for n, name in enumerate(names):
        guest = Guest(name=name, email=f"guest{n}@example.org", organisation="Mission",
                      sector=Sector.member_state)
        db.session.add(GuestRegistration(session=session, guest=guest,
                                         status=GuestPlaceStatus.registered,
                                         registered_at=NOW))
    db.session.flush()


def test_a_sessions_guests_are_listed_in_the_order_of_their_names(make_session, coordinator):
    """Case and accents ignored at first: "Émilie" among the E's, "carlos" among the C's,
    on the guests' page, the mark-attendance page and the presenters offered."""
    session = make_session()
    _guests_with_a_place(session, ["Zoe Adams", "Émilie Blanc", "carlos Ruiz"])
    in_order = ["carlos Ruiz", "Émilie Blanc", "Zoe Adams"]
    assert [place.guest.name for place in queries.guests_of(session)] == in_order
    assert [place.guest.name for place in queries.guests_of(session, registered_only=True)] \
        == in_order
    assert [label for __, label in queries.guest_choices(session)] == \
        [f"{name}, Mission" for name in in_order]


def test_switching_the_language_of_a_refused_request_uses_up_no_limit(app, guest_client,
                                                                      running):
    """A place asked for without a name, shown again, then switched from language to language
    (five times: the limit of requests for one address a day): the right request still
    passes. The switch sends nothing."""
    token = _invite(app, running["session"])
    url = f"/guests/invitation/{token}"
    page = guest_client.post(url, data={**GUEST, "name": ""}).get_data(as_text=True)
    for code in ("fr", "ar", "en", "fr", "ar"):
        switched = switch_to(guest_client, page, code)
        assert switched.status_code == 200
        page = switched.get_data(as_text=True)
    assert guest_client.post(url, data=GUEST).status_code == 302
