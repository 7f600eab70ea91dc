"""The newsletter seen from its reader's side: the unsubscribe link and the one-click answer of
a mail programme (RFC 8058) work signed out, change things once, say so in the reader's
language and can be undone; whoever left the newsletter gets no more of it, and still gets
what they must (mandatory notices, a password reset)."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.outbox import MailStatus, OutboxMessage, deliver_due, retry_message
from gfp_portal.core.settings import update_settings
from gfp_portal.core.transports import FileTransport, build_mime
from gfp_portal.extensions import db
from gfp_portal.messages import services
from gfp_portal.messages.models import NewsletterOptOut
from gfp_portal.registry.models import Person
from tests.helpers import appoint_undp_alternate, login
from tests.markup import filled_form, markup_problems

VALID = {"subject_en": "Network update", "body_en": "Dear colleagues,", "status": "active"}


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _send(app, coordinator_id, kind="newsletter", **texts):
    with app.app_context():
        actor = db.session.get(User, coordinator_id)
        message = services.save_draft(None, {**VALID, "kind": kind, **texts}, actor=actor)
        services.send_message(message, actor=actor)
        db.session.commit()
        return message.id


@pytest.fixture
def member(app, reference, create_user):
    """A focal point whose account reads Arabic, and a coordinator; returns their ids."""
    ids = {"coordinator": create_user("coord@example.org", roles=["coordinator"]),
           "member": create_user("amina@example.org", roles=["focal_point"], locale="ar")}
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, ids["member"]))
        db.session.commit()
        ids["person"] = db.session.get(User, ids["member"]).person_id
    return ids


def _links(app, email="amina@example.org"):
    """(the link of the body, the List-Unsubscribe address) of the first newsletter queued for
    `email`."""
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.template == "network_message", OutboxMessage.recipient == email)
            .order_by(OutboxMessage.id)).first()
        body = re.search(r"http://portal\.test(/messages/unsubscribe/\S+)", mail.body_text)[1]
        header = re.search(rb"^List-Unsubscribe: <http://portal\.test(/messages/unsubscribe/"
                           rb"[^\s>]+)>$", bytes(build_mime(mail)), re.MULTILINE)[1].decode()
        return body, header


def test_one_click_twice_changes_things_once(app, client, member, monkeypatch):
    """A mail programme may post its one-click answer more than once (a retry): each answer
    is a success, the choice is recorded once, and audited once."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    _send(app, member["coordinator"])
    __, url = _links(app)
    for _ in range(2):
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
    assert _count(app, NewsletterOptOut) == 1
    assert _count(app, AuditEvent, AuditEvent.action == "newsletter.opt_out") == 1
    # And the link of the body, opened and confirmed after it, says it is done.
    body, __ = _links(app)
    assert "data-unsubscribed" in client.get(body).get_data(as_text=True)


def test_the_confirmation_reads_in_the_readers_language(app, client, member):
    _send(app, member["coordinator"], subject_ar="أخبار الشبكة", body_ar="الزملاء الأعزاء")
    body, header = _links(app)
    assert "lang=ar" in body and "lang=ar" in header
    html = client.post(body).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in html
    assert "data-unsubscribed" in html
    assert "You will no longer receive" not in html  # translated, not English
    other = app.test_client()
    html = other.post(header, data={"List-Unsubscribe": "One-Click"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in html and "You will no longer receive" not in html


def test_unsubscribing_can_be_undone_from_the_same_page_signed_out(app, client, member,
                                                                   monkeypatch):
    """Left by mistake (a wrong click, a colleague reading the mailbox): the page that says
    it is done offers to receive the newsletter again, without signing in."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    _send(app, member["coordinator"])
    body, __ = _links(app)
    html = client.get(body).get_data(as_text=True)
    html = client.post(body, data=filled_form(html, "csrf_token")).get_data(as_text=True)
    assert "data-unsubscribed" in html
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, re.S)
    assert forms, "the page that confirms the unsubscription offers no way back"
    assert markup_problems(html) == []
    again = filled_form(html, "receive")
    response = client.post(body, data=again)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "data-subscribed" in html and markup_problems(html) == []
    assert _count(app, NewsletterOptOut) == 0
    assert _count(app, AuditEvent, AuditEvent.action == "newsletter.opt_in") == 1
    # Undone twice (back and send): nothing more changes.
    client.post(body, data=again)
    assert _count(app, AuditEvent, AuditEvent.action == "newsletter.opt_in") == 1
    # The next newsletter reaches the person again.
    _send(app, member["coordinator"])
    with app.app_context():
        person = db.session.get(Person, member["person"])
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.recipient == person.email,
            OutboxMessage.template == "network_message")) == 2


def test_whoever_left_gets_no_newsletter_and_still_what_they_must(app, client, member,
                                                                 make_network):
    make_network(1)  # a newsletter to nobody else would not be sent
    _send(app, member["coordinator"])
    body, __ = _links(app)
    client.post(body)
    with app.app_context():
        person = db.session.get(Person, member["person"])
        email = person.email
    _send(app, member["coordinator"])  # a newsletter: not to them
    _send(app, member["coordinator"], kind="notice")  # a mandatory notice: to them
    with app.app_context():
        accounts.request_password_reset(email)
        db.session.commit()
        mails = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == email).order_by(OutboxMessage.id)).all()
    assert [m.template for m in mails] == ["network_message", "network_message",
                                           "reset_password"]
    assert "/messages/unsubscribe/" not in mails[1].body_text  # the notice's
    assert "List-Unsubscribe" not in mails[1].headers


def test_a_newsletter_waiting_in_the_outbox_is_not_sent_after_unsubscribing(
        app, client, member, make_network, monkeypatch, tmp_path):
    """A newsletter to a large network is sent over an hour or more, batch after batch: one
    who leaves it (from an earlier issue) meanwhile is not sent this one."""
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    make_network(3)
    with app.app_context():
        update_settings({"messages.per_minute": 1}, actor=None)
        db.session.commit()
    _send(app, member["coordinator"])
    with app.app_context():
        waiting = db.session.scalars(select(OutboxMessage).order_by(
            OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())).first()
        assert waiting.next_attempt_at > waiting.created_at  # a later batch's
        person = db.session.scalars(select(Person).filter_by(email=waiting.recipient)).one()
        token = services.unsubscribe_token(person.id)
        waiting_id, due = waiting.id, waiting.next_attempt_at
    client.post(f"/messages/unsubscribe/{token}")
    with app.app_context():
        deliver_due(FileTransport(app.config), now=due + timedelta(minutes=1))
        assert db.session.get(OutboxMessage, waiting_id).status != MailStatus.sent
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == MailStatus.sent)) == 3  # the others'


def test_the_account_page_and_the_link_agree(app, client, member):
    """Left through the link, the person signed in sees the newsletter unticked on their
    account page."""
    _send(app, member["coordinator"])
    body, __ = _links(app)
    client.post(body)
    login(client, "amina@example.org")
    html = client.get("/me").get_data(as_text=True)
    assert "checked" not in html.split('id="news-receive"')[1][:200]


def test_a_newsletter_stopped_so_says_why_and_is_never_sent_again(app, client, member,
                                                                  make_network):
    """Stopped in the outbox by the choice of its recipient: the Office reads why, and "Retry
    now" is refused; a notice waiting for the same person is left as it is."""
    make_network(1)
    _send(app, member["coordinator"], kind="notice")
    _send(app, member["coordinator"])
    with app.app_context():
        person = db.session.get(Person, member["person"])
        notice, newsletter = db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == person.email).order_by(OutboxMessage.id)).all()
        newsletter_id, notice_id = newsletter.id, notice.id
        token = services.unsubscribe_token(person.id)
    client.post(f"/messages/unsubscribe/{token}")
    with app.app_context():
        stopped = db.session.get(OutboxMessage, newsletter_id)
        assert stopped.status == MailStatus.failed and not stopped.can_retry
        assert str(stopped.failure_reason) == \
            "Not sent: its recipient unsubscribed before it was sent."
        with pytest.raises(DomainError) as refused:
            retry_message(stopped, actor=None)
        assert refused.value.code == "withdrawn"
        assert db.session.get(OutboxMessage, notice_id).status == MailStatus.queued
