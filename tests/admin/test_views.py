"""Admin pages: user accounts, outbox and audit log."""
import html as html_lib
import re
from datetime import date, timedelta

from sqlalchemy import select

from gfp_portal.accounts import services
from gfp_portal.accounts.models import Role, TokenPurpose, User
from gfp_portal.core.db import utcnow
from gfp_portal.core.outbox import MailStatus, OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.privacy.retention import clear_mail_bodies
from gfp_portal.reference.models import Unct
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason
from tests.helpers import appoint_undp_alternate, breadcrumb_links, login, opened_from


def test_invite_a_resident_coordinator(client, reference, login_as, app):
    login_as("admin")
    with app.app_context():
        kenya_id = db.session.scalars(select(Unct.id).filter_by(iso3="KEN")).one()
    response = client.post("/admin/users/new", data={
        "given_name": "Wanjiru", "family_name": "Kamau", "email": "rc@example.org",
        "roles": ["resident_coordinator"], "uncts": [kenya_id], "locale": "fr",
        "time_zone": "Africa/Nairobi"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="rc@example.org")).one()
        assert user.roles == {Role.resident_coordinator} and [u.iso3 for u in user.uncts] == ["KEN"]
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert mail.recipient == "rc@example.org" and mail.locale == "fr"


def test_inviting_a_person_of_the_registry_keeps_the_language_and_zone_of_their_emails(
        client, reference, login_as, app):
    """The form starts on English and UTC; sent as it comes for a person of the registry in
    Arabic and Amman time, it left every later email of hers in English and UTC time."""
    login_as("admin")
    with app.app_context():
        registry.create_person({"given_name": "Rania", "family_name": "Khalil",
                                "email": "rania.khalil@undp.org", "preferred_language": "ar",
                                "time_zone": "Asia/Amman"}, actor=None)
        db.session.commit()
    form = client.get("/admin/users/new?lang=en").get_data(as_text=True)
    assert "For a person already in the registry, the invitation uses the language and " \
        "time zone of their record" in form
    response = client.post("/admin/users/new", data={
        "given_name": "Rania", "family_name": "Khalil", "email": "rania.khalil@undp.org",
        "roles": ["focal_point"], "locale": "en", "time_zone": "UTC"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="rania.khalil@undp.org")).one()
        person = user.person
        assert (person.preferred_language, person.time_zone) == ("ar", "Asia/Amman")
        assert (user.locale, user.time_zone) == ("ar", "Asia/Amman")
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert mail.locale == "ar"


def test_an_invitation_to_an_address_pasted_with_invisible_marks_is_sent_to_the_address(
        client, reference, login_as, app):
    """The form refused the address pasted with a zero-width space and a direction mark."""
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "given_name": "Rania", "family_name": "Khalil",
        "email": "\u200brania.khalil@undp.org\u200f", "roles": ["focal_point"],
        "locale": "ar", "time_zone": "Asia/Amman"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="rania.khalil@undp.org")).one()
        assert user.person.email == "rania.khalil@undp.org"
        assert db.session.scalars(select(OutboxMessage)).one().recipient == user.email


def test_invite_form_errors_keep_the_input(client, reference, login_as, app):
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "given_name": "Wanjiru", "family_name": "", "email": "not-an-email",
        "roles": [], "locale": "en", "time_zone": "UTC"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Enter a valid email address." in html and "Choose at least one role." in html
    assert 'value="Wanjiru"' in html
    with app.app_context():
        assert db.session.scalars(select(User)).all()[0].email == "admin@example.org"


def test_invite_to_the_new_address_of_a_person_who_has_an_account_is_refused(
        client, reference, login_as, create_user, app):
    """The registry changed the person's email; their account follows it. Inviting the new
    address is refused on the form, not answered with a server error, and opens no second
    account for the same person."""
    user_id = create_user("amina.old@example.org")
    with app.app_context():
        registry.update_person(db.session.get(User, user_id).person,
                               {"email": "amina.new@example.org"}, actor=None)
        db.session.commit()
    login_as("admin")
    response = client.post("/admin/users/new", data={
        "given_name": "Amina", "family_name": "Diallo", "email": "amina.new@example.org",
        "roles": ["coordinator"], "locale": "en", "time_zone": "UTC"})
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.get_data(
        as_text=True)
    with app.app_context():
        assert [u.id for u in db.session.scalars(select(User).filter_by(
            email="amina.new@example.org"))] == [user_id]
        assert db.session.get(User, user_id).roles == {Role.focal_point}


def test_users_list_filters(client, login_as, create_user):
    login_as("admin")
    create_user("rc@example.org", roles=["coordinator"])
    create_user("invited@example.org", active=False)
    html = client.get("/admin/users/?role=coordinator").get_data(as_text=True)
    assert "rc@example.org" in html and "invited@example.org" not in html
    html = client.get("/admin/users/?status=invited").get_data(as_text=True)
    assert "invited@example.org" in html and "rc@example.org" not in html


def test_the_users_list_names_a_resident_coordinators_teams_in_the_readers_language(
        client, login_as, create_user, reference):
    """The countries of an RC's teams by their names, as every other page shows them, in the
    order of the reader's language (أوغندا before كينيا in Arabic), not by their codes."""
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["UGA", "KEN"])
    login_as("admin")
    page = client.get("/admin/users/?lang=ar&q=rc%40example.org").get_data(as_text=True)
    assert "rc@example.org" in page and ">KEN<" not in page
    assert "أوغندا، كينيا" in page
    page = client.get("/admin/users/?lang=fr&q=rc%40example.org").get_data(as_text=True)
    assert "Kenya, Ouganda" in page


def test_edit_roles_and_deactivate(client, login_as, create_user, app):
    login_as("admin")
    user_id = create_user("fp@example.org")
    response = client.post(f"/admin/users/{user_id}", data={"roles": ["coordinator"]})
    assert response.status_code == 302
    response = client.post(f"/admin/users/{user_id}/deactivate", data={"reason": "left"})
    assert "fp@example.org can no longer sign in: their open links and calendar feed stop " \
        "working. No email is sent." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).is_active
    response = client.post(f"/admin/users/{user_id}/deactivate",
                           data={"reason": "left", "confirmed": "1"})
    assert response.status_code == 302
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "Account deactivated" in page and "Deactivated" in page
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.roles == {Role.coordinator} and not user.is_active


def test_an_invitation_to_the_wrong_address_is_withdrawn_from_the_account_page(
        client, login_as, create_user, app):
    """The page of an invited account offered only to send the invitation again: its link
    stayed live for days in the wrong mailbox. It can be withdrawn, once confirmed."""
    login_as("admin")
    user_id = create_user("amina@exmaple.org", active=False)
    with app.app_context():
        raw = services.issue_token(db.session.get(User, user_id), TokenPurpose.activation)
        db.session.commit()
    url = f"/admin/users/{user_id}/deactivate"
    page = client.get(f"/admin/users/{user_id}?lang=en").get_data(as_text=True)
    assert f'action="{url}"' in page and "Withdraw the invitation" in page
    asked = client.post(url, data={"reason": "wrong address"}).get_data(as_text=True)
    assert "The invitation link sent to amina@exmaple.org stops working" in asked
    done = client.post(url, data={"reason": "wrong address", "confirmed": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "The invitation of amina@exmaple.org is withdrawn." in done
    with app.app_context():
        assert services.find_valid_token(raw, TokenPurpose.activation) is None


def test_a_reactivated_person_signs_in_with_their_password(client, login_as, create_user):
    login_as("admin")
    user_id = create_user("fp@example.org")
    client.post(f"/admin/users/{user_id}/deactivate",
                data={"reason": "on leave", "confirmed": "1"})
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert "Reactivate" in page and "sends a new activation link" not in page
    response = client.post(f"/admin/users/{user_id}/reactivate", follow_redirects=True)
    assert "can sign in again with their password" in response.get_data(as_text=True)
    client.post("/logout")
    response = login(client, "fp@example.org")
    assert response.status_code == 302 and "/login" not in response.location


def test_the_account_of_a_person_anonymised_is_not_offered_for_reactivation(
        app, client, reference, login_as, create_user):
    login_as("admin")
    user_id = create_user("zq@undp.org", given_name="Zéphyrine", family_name="Quillfeatherova")
    with app.app_context():
        user = db.session.get(User, user_id)
        term = appoint_undp_alternate(user)
        registry.end_appointment(term, reason=EndReason.left_entity, ended_on=date.today(),
                                 actor=None)
        anonymise_person(user.person, actor=None)
        db.session.commit()
    page = client.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert f"/admin/users/{user_id}/reactivate" not in page
    assert "cannot be reactivated" in page
    refused = client.post(f"/admin/users/{user_id}/reactivate",
                          follow_redirects=True).get_data(as_text=True)
    assert "cannot be reactivated" in refused
    with app.app_context():
        assert db.session.get(User, user_id).status == "deactivated"
        assert db.session.scalars(select(OutboxMessage.template)).all() == []


def test_unknown_user_action_is_404(client, login_as, create_user):
    login_as("admin")
    user_id = create_user("fp@example.org")
    assert client.post(f"/admin/users/{user_id}/delete").status_code == 404


def test_outbox_page_lists_and_retries(client, login_as, create_user, app):
    login_as("coordinator")
    create_user("fp@example.org")
    client.post("/logout")
    # Closing the answer, as a server does once it is sent, runs the work that follows it.
    client.post("/password/reset", data={"email": "fp@example.org"}).close()
    login_as("coordinator", email="coordinator2@example.org")
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        message.status, message.attempts, message.last_error = MailStatus.failed, 8, "refused"
        db.session.commit()
        message_id = message.id
    html = client.get("/admin/outbox/?status=failed").get_data(as_text=True)
    assert "fp@example.org" in html and "The mail server reported an error." in html
    assert client.get(f"/admin/outbox/{message_id}").status_code == 200
    assert client.post(f"/admin/outbox/{message_id}/retry").status_code == 302
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == MailStatus.queued
    assert "Email queued to be sent again" in client.get("/admin/audit/").get_data(as_text=True)


REFUSED = "SMTPRecipientsRefused: {'fp@example.org': (550, b'5.1.1 User unknown')}"


def test_the_outbox_says_in_the_readers_language_what_stopped_a_message(
        client, login_as, app):
    login_as("coordinator")
    with app.app_context():
        message = OutboxMessage(recipient="fp@example.org", sender="portal@example.org",
                                subject="Welcome", body_text="Welcome.", template="welcome",
                                message_id="<refused@example.org>", status=MailStatus.failed,
                                attempts=8, last_error=REFUSED)
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    listed = client.get("/admin/outbox/?status=failed&lang=fr").get_data(as_text=True)
    assert "Le serveur de messagerie a refusé l’adresse du destinataire." in listed
    assert "SMTPRecipientsRefused" not in listed
    detail = html_lib.unescape(client.get(f"/admin/outbox/{message_id}?lang=ar").get_data(
        as_text=True))
    assert "رفض خادم البريد عنوان المرسَل إليه." in detail
    assert f'<code dir="ltr" class="d-block">{REFUSED}</code>' in detail


def test_users_list_uses_a_fixed_number_of_queries(client, login_as, create_user,
                                                   count_queries):
    login_as("admin")
    with count_queries() as few:
        client.get("/admin/users/")
    for n in range(30):
        create_user(f"user{n}@example.org")
    with count_queries() as many:
        client.get("/admin/users/")
    assert few.count == many.count


def test_a_sent_email_whose_text_was_erased_says_so(client, login_as, app):
    """Past the retention period the outbox keeps who, when and the subject of a sent email,
    not its text: its page says so rather than showing an empty text."""
    login_as("coordinator")
    with app.app_context():
        old = utcnow() - timedelta(days=400)
        message = OutboxMessage(recipient="fp@example.org", sender="portal@example.org",
                                subject="Welcome", body_text="Welcome.", template="welcome",
                                message_id="<old@example.org>", status=MailStatus.sent,
                                sent_at=old, created_at=old)
        db.session.add(message)
        db.session.commit()
        assert clear_mail_bodies(now=utcnow()) == 1
        db.session.commit()
        message_id = message.id
    html = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "mail-body" not in html
    assert "The text of this message is no longer kept." in html


def test_retrying_from_a_filtered_page_of_the_outbox_returns_to_that_page(client, login_as,
                                                                           app):
    """Retrying an email from page 2 of the failed ones brings the coordinator back to page 2
    of the failed emails, not to the first page of the whole outbox."""
    login_as("coordinator")
    with app.app_context():
        for n in range(30):
            db.session.add(OutboxMessage(
                recipient=f"r{n}@example.org", sender="portal@example.org", subject=f"S{n}",
                body_text="Text", template="welcome", message_id=f"<m{n}@example.org>",
                status=MailStatus.failed, attempts=3, last_error="refused",
                created_at=utcnow() - timedelta(minutes=n)))
        db.session.commit()
    listing = "/admin/outbox/?status=failed&page=2"
    html = html_lib.unescape(client.get(listing).get_data(as_text=True))
    assert f'name="next" value="{listing}"' in html
    action = re.search(r'action="(/admin/outbox/\d+/retry)"', html).group(1)
    response = client.post(action, data={"next": listing})
    assert response.headers["Location"] == listing
    assert client.post(action, data={"next": "https://elsewhere.example.org/"}).headers[
        "Location"] == "/admin/outbox/"


def test_an_account_or_an_email_opened_from_a_filtered_list_leads_back_to_it(
        client, login_as, create_user, app):
    login_as("admin")
    create_user("fp@example.org")
    with app.app_context():
        db.session.add(OutboxMessage(
            recipient="fp@example.org", sender="portal@example.org", subject="Welcome",
            body_text="Welcome.", template="welcome", message_id="<back@example.org>",
            status=MailStatus.failed, attempts=8, last_error="refused"))
        db.session.commit()
    for listing, item in (("/admin/users/?q=fp&status=active", "/admin/users/"),
                          ("/admin/outbox/?status=failed&template=welcome", "/admin/outbox/")):
        assert listing in breadcrumb_links(opened_from(client, listing, item))


def test_retrying_an_email_from_its_page_returns_to_the_list_it_was_opened_from(
        client, login_as, app):
    login_as("coordinator")
    with app.app_context():
        message = OutboxMessage(recipient="fp@example.org", sender="portal@example.org",
                                subject="Welcome", body_text="Welcome.", template="welcome",
                                message_id="<retry@example.org>", status=MailStatus.failed,
                                attempts=8, last_error="refused")
        db.session.add(message)
        db.session.commit()
        message_id = message.id
    listing = "/admin/outbox/?status=failed&template=welcome"
    html = html_lib.unescape(client.get(f"/admin/outbox/{message_id}",
                                        query_string={"back": listing}).get_data(as_text=True))
    assert f'name="next" value="{listing}"' in html
    response = client.post(f"/admin/outbox/{message_id}/retry", data={"next": listing})
    assert response.headers["Location"] == listing
