"""The outbox: queued in the caller's transaction, delivered by a worker, retried, never twice."""
import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from flask_babel import force_locale
from sqlalchemy import select

from gfp_portal.accounts.services import request_password_reset
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.core.outbox import (
    MailStatus,
    OutboxMessage,
    data_of,
    deliver_due,
    make_part,
    parts_may_hold,
    queue_email,
    retry_message,
)
from gfp_portal.core.transports import FileTransport, SMTPTransport, build_mime
from gfp_portal.extensions import db
from tests.helpers import refused


class Inbox:
    """aiosmtpd handler keeping every message it accepts."""

    def __init__(self):
        self.messages = []
        self.recipients = []  # the envelope's recipients (RCPT TO) of each message
        self.connections = []  # the SMTP session (one per connection) of each message
        self.refused = set()

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refused:
            return "550 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.recipients.append(envelope.rcpt_tos)
        self.connections.append(session)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(app, monkeypatch):
    port = free_port()
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT", 5)
    inbox = Inbox()
    server = SMTPServer(inbox, port)
    yield server, inbox
    server.stop()


class SMTPServer:
    """A real SMTP server on loopback, started only when the test says it is back up; like
    many relays, it speaks no SMTPUTF8 (RFC 6531) unless told."""

    def __init__(self, handler, port):
        self.handler, self.port, self.controller = handler, port, None

    def start(self, *, smtputf8=False):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     enable_SMTPUTF8=smtputf8)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller.loop.close()


def queue_reset(**kwargs):
    from gfp_portal.accounts.services import request_password_reset

    return request_password_reset("fp@example.org", **kwargs)


def test_message_is_queued_in_the_callers_transaction(ctx, create_user):
    create_user("fp@example.org")
    queue_reset()
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_reset_mail_queued_while_smtp_is_down_is_delivered_once_when_back(
        ctx, app, create_user, smtp):
    controller, inbox = smtp
    create_user("fp@example.org", locale="es")
    now = utcnow()
    queue_reset(now=now)
    db.session.commit()
    transport = SMTPTransport(app.config)

    # The server is down: the attempt fails and the message waits with a back-off.
    assert deliver_due(transport, now=now) == (0, 1)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert message.status == MailStatus.queued and message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert str(message.failure_reason) == "The mail server could not be reached."
    assert message.next_attempt_at == now + timedelta(seconds=app.config["MAIL_RETRY_BASE_SECONDS"])
    # Not yet due: nothing is tried.
    assert deliver_due(transport, now=now + timedelta(seconds=30)) == (0, 0)

    controller.start()
    later = now + timedelta(minutes=2)
    assert deliver_due(transport, now=later) == (1, 0)
    assert deliver_due(transport, now=later + timedelta(hours=1)) == (0, 0)
    assert len(inbox.messages) == 1
    received = inbox.messages[0]
    assert received["To"] == "fp@example.org"
    assert received["Content-Language"] == "es"
    assert "/password/reset/" in received.get_body(("plain",)).get_content()
    assert received.get_body(("html",)) is not None
    db.session.refresh(message)
    assert message.status == MailStatus.sent and message.sent_at == later
    assert message.last_error is None and message.failure_reason is None


def test_permanent_failure_after_max_attempts(ctx, app, create_user, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    create_user("fp@example.org")
    now = utcnow()
    queue_reset(now=now)
    db.session.commit()
    transport = SMTPTransport(app.config)
    delays = []
    for _ in range(3):
        message = db.session.scalars(select(OutboxMessage)).one()
        when = message.next_attempt_at
        deliver_due(transport, now=when)
        delays.append(message.next_attempt_at - when)
    assert message.status == MailStatus.failed and message.attempts == 3
    assert delays[1] == 2 * delays[0]  # exponential back-off
    assert deliver_due(transport, now=now + timedelta(days=2)) == (0, 0)


def test_retry_puts_a_failed_message_back(ctx, app, create_user, smtp):
    from gfp_portal.core.outbox import retry_message

    controller, inbox = smtp
    create_user("fp@example.org")
    queue_reset()
    message = db.session.scalars(select(OutboxMessage)).one()
    message.status, message.attempts = MailStatus.failed, 8
    db.session.commit()
    retry_message(message, actor=None)
    db.session.commit()
    controller.start()
    assert deliver_due(SMTPTransport(app.config)) == (1, 0)
    assert len(inbox.messages) == 1


def test_mime_carries_alternative_and_attached_parts(ctx):
    message = queue_email("someone@example.org", "reset_password", subject="Subject",
                          context={"user": None, "link": "https://x/y", "hours": 2},
                          parts=[make_part("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                                           content_type="text/calendar",
                                           disposition="alternative",
                                           params={"method": "REQUEST"}),
                                 make_part(b"BEGIN:VCALENDAR", filename="invite.ics",
                                           content_type="application/ics")])
    mime = build_mime(message)
    types = [part.get_content_type() for part in mime.walk()]
    assert "text/calendar" in types and "text/html" in types and "text/plain" in types
    calendar = next(p for p in mime.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    attachment = next(p for p in mime.walk() if p.get_filename() == "invite.ics")
    assert attachment.get_content_disposition() == "attachment"


@pytest.mark.parametrize("locale, direction", [("ar", "rtl"), ("fr", "ltr")])
def test_the_html_body_carries_its_direction_where_webmail_keeps_it(ctx, locale, direction):
    # Gmail and other webmail drop the attributes of <html> and <body>: an Arabic message
    # would read left to right unless the element that holds the text says otherwise.
    message = queue_email("someone@example.org", "reset_password", subject="Subject",
                          locale=locale, context={"user": None, "link": "https://x/y",
                                                  "hours": 2})
    body = message.body_html.split("<body", 1)[1]
    assert re.search(rf'<div lang="{locale}" dir="{direction}"', body)


def test_file_transport_writes_eml(ctx, app, tmp_path, monkeypatch, create_user):
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    create_user("fp@example.org")
    queue_reset()
    db.session.commit()
    assert deliver_due(FileTransport(app.config)) == (1, 0)
    [eml] = tmp_path.glob("*.eml")
    assert b"fp@example.org" in eml.read_bytes()


def test_mail_deliver_command(runner, app, create_user, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "file")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    create_user("fp@example.org")
    with app.app_context():
        queue_reset()
        db.session.commit()
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and "Sent 1" in result.output
    assert len(list(tmp_path.glob("*.eml"))) == 1


def queue_many(count, **kwargs):
    for n in range(count):
        queue_email(f"person{n}@example.org", "reset_password", subject=f"Message {n}",
                    context={"user": None, "link": "https://x/y", "hours": 2}, **kwargs)
    db.session.commit()


def test_a_batch_is_sent_over_one_smtp_connection(ctx, app, smtp):
    controller, inbox = smtp
    controller.start()
    queue_many(4)
    assert deliver_due(SMTPTransport(app.config)) == (4, 0)
    assert len(inbox.messages) == 4
    assert len({id(session) for session in inbox.connections}) == 1


def test_after_a_failure_the_batch_goes_on_over_a_new_connection(ctx, app, smtp):
    controller, inbox = smtp
    controller.start()
    inbox.refused.add("person1@example.org")
    queue_many(3)
    assert deliver_due(SMTPTransport(app.config)) == (2, 1)
    assert sorted(m["To"] for m in inbox.messages) == ["person0@example.org",
                                                       "person2@example.org"]


def test_a_failed_send_is_logged_by_the_message_s_id_never_its_address(ctx, app, smtp,
                                                                        caplog):
    """Logs keep no personal data: a message refused (the server names the address in its
    answer) or not sent (the server down) is logged by its id and the kind of failure."""
    controller, inbox = smtp
    inbox.refused.add("person1@example.org")
    queue_many(2)
    while_down, refused_one = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
    assert deliver_due(SMTPTransport(app.config)) == (0, 1)
    controller.start()
    assert deliver_due(SMTPTransport(app.config), now=utcnow() + timedelta(hours=1)) == (1, 1)
    assert "person1@example.org" in refused_one.last_error  # the server's words, kept
    failures = [r.getMessage() for r in caplog.records if r.getMessage().startswith("mail ")]
    assert failures == [f"mail {while_down.id} failed: ConnectionRefusedError (attempt 1)",
                        f"mail {refused_one.id} failed: SMTPRecipientsRefused (attempt 1)"]
    assert "@example.org" not in caplog.text


class Killed(BaseException):
    """The worker dies (SIGKILL, power cut) after the server accepted a message."""


def test_a_message_resent_after_a_crash_keeps_its_message_id(ctx, app, smtp, monkeypatch):
    controller, inbox = smtp
    controller.start()
    queue_many(1)
    commit = db.session.commit

    def crash():
        raise Killed()
    monkeypatch.setattr(db.session, "commit", crash)
    with pytest.raises(Killed):
        deliver_due(SMTPTransport(app.config))
    monkeypatch.setattr(db.session, "commit", commit)
    db.session.rollback()
    assert deliver_due(SMTPTransport(app.config)) == (1, 0)
    first, second = inbox.messages
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert first["Message-ID"] == second["Message-ID"] == stored.message_id


def test_the_worker_drains_full_batches_without_waiting(runner, app, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "file")
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    monkeypatch.setitem(app.config, "MAIL_BATCH_SIZE", 2)
    with app.app_context():
        queue_many(5)
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and "Sent 5" in result.output
    assert len(list(tmp_path.glob("*.eml"))) == 5


def test_a_subject_with_a_line_break_is_still_delivered(ctx, app, smtp):
    controller, inbox = smtp
    controller.start()
    queue_email("fp@example.org", "reset_password", subject="Bystander\r\nintervention",
                context={"user": None, "link": "https://x/y", "hours": 2})
    # A row written before subjects were cleaned, or by another path, is sent all the same.
    queue_email("fp@example.org", "reset_password", subject="Subject",
                context={"user": None, "link": "https://x/y", "hours": 2}).subject = \
        "Parity\ndashboard\r\n"
    db.session.commit()
    assert deliver_due(SMTPTransport(app.config)) == (2, 0)
    assert sorted(m["Subject"] for m in inbox.messages) == ["Bystander intervention",
                                                            "Parity dashboard"]


def queue_to(address):
    message = queue_email(address, "reset_password", subject="Réinitialisation", locale="fr",
                          context={"user": None, "link": "https://x/y", "hours": 2})
    db.session.commit()
    return message


def test_an_address_of_an_accented_domain_reaches_a_server_without_smtputf8(ctx, app, smtp):
    """Only an accented name before the @ needs SMTPUTF8: an accented domain is sent as its
    ASCII form (its A-label, xn--…, RFC 5890), which every server reads."""
    controller, inbox = smtp
    controller.start()
    queue_to("jose@universidád.example")
    assert deliver_due(SMTPTransport(app.config)) == (1, 0)
    assert inbox.recipients == [["jose@xn--universidd-04a.example"]]
    assert inbox.messages[0]["To"] == "jose@xn--universidd-04a.example"


def test_an_accented_name_fails_at_once_on_a_server_without_smtputf8(ctx, app, smtp):
    """No retry would help: the message fails at once, saying why in the reader's
    language."""
    controller, inbox = smtp
    controller.start()
    message = queue_to("josé@universidad.example")
    assert deliver_due(SMTPTransport(app.config)) == (0, 1)
    assert (message.status, message.attempts) == (MailStatus.failed, 1)
    assert inbox.messages == []
    assert str(message.failure_reason) == (
        "The mail server does not accept this address: it has accented or non-Latin letters "
        "before the @, which only a server supporting SMTPUTF8 can carry. Ask the person for "
        "another address.")
    with force_locale("fr"):
        assert str(message.failure_reason).startswith(
            "Le serveur de messagerie n’accepte pas cette adresse")


def test_an_accented_name_reaches_a_server_that_speaks_smtputf8(ctx, app, smtp):
    controller, inbox = smtp
    controller.start(smtputf8=True)
    queue_to("josé@universidád.example")
    assert deliver_due(SMTPTransport(app.config)) == (1, 0)
    assert inbox.recipients == [["josé@universidád.example"]]
    assert inbox.messages[0]["To"] == "josé@universidád.example"


@pytest.mark.parametrize("address, written", [
    ("jose@universidád.example", b"To: jose@xn--universidd-04a.example\n"),
    # As a server that speaks SMTPUTF8 receives it (RFC 6532), never as encoded-words.
    ("josé@universidád.example", "To: josé@universidád.example\n".encode()),
])
def test_the_file_transport_writes_an_address_as_a_server_receives_it(
        ctx, app, tmp_path, monkeypatch, address, written):
    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    queue_to(address)
    assert deliver_due(FileTransport(app.config)) == (1, 0)
    [eml] = tmp_path.glob("*.eml")
    assert written in eml.read_bytes()
    assert b"=?" not in eml.read_bytes().split(b"\nSubject:")[0]


class FlakyTransport:
    """A test transport: accepts `accepted` messages, then the server goes away (the send
    and every later connection fail)."""

    def __init__(self, accepted):
        self.accepted, self.delivered, self.connections = accepted, [], 0

    def connect(self):
        from contextlib import nullcontext

        if len(self.delivered) >= self.accepted:
            raise ConnectionRefusedError("server down")
        self.connections += 1
        return nullcontext(self)

    def send(self, message):
        if len(self.delivered) >= self.accepted:
            raise ConnectionResetError("connection lost")
        self.delivered.append(message.id)


def test_a_batch_is_claimed_and_recorded_in_one_commit(ctx, app, monkeypatch):
    from sqlalchemy import event

    queue_many(10)
    commits, session = [], db.session()

    def committed(session):
        commits.append(session)
    event.listen(session, "after_commit", committed)
    try:
        assert deliver_due(FlakyTransport(accepted=100)) == (10, 0)
    finally:
        event.remove(session, "after_commit", committed)
    assert len(commits) == 1
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {MailStatus.sent}


def test_a_failure_in_the_middle_of_a_batch_leaves_the_rest_queued(ctx, app):
    queue_many(6)
    now = utcnow()
    transport = FlakyTransport(accepted=2)
    assert deliver_due(transport, now=now) == (2, 1)
    db.session.expire_all()
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    # Accepted by the server: recorded as sent.
    assert [m.status for m in messages[:2]] == [MailStatus.sent] * 2
    assert transport.delivered == [m.id for m in messages[:2]]
    # The one that failed waits with a back-off; the others were not tried and are due now.
    assert messages[2].status == MailStatus.queued and messages[2].attempts == 1
    assert "ConnectionResetError" in messages[2].last_error
    assert messages[2].next_attempt_at > now
    assert [(m.status, m.attempts, m.last_error) for m in messages[3:]] == \
        [(MailStatus.queued, 0, None)] * 3
    # The server is back: the rest go out on the next run, the failed one after its back-off.
    transport.accepted = 100
    assert deliver_due(transport, now=now) == (3, 0)
    assert deliver_due(transport, now=messages[2].next_attempt_at) == (1, 0)
    assert sorted(transport.delivered) == [m.id for m in messages]


def test_a_message_whose_link_expired_is_never_sent_nor_offered_again(ctx, app,
                                                                      create_user):
    """A reset email that failed until its link (two hours) expired: the worker no longer
    sends it, "Retry now" is not offered and is refused, with the reason; a message without
    a link of limited life is retried as before."""
    create_user("fp@example.org")
    asked = utcnow() - timedelta(hours=3)
    request_password_reset("fp@example.org", now=asked)
    reset = db.session.scalars(select(OutboxMessage)).one()
    assert reset.valid_until == asked + timedelta(hours=app.config["RESET_TOKEN_HOURS"])
    reset.status, reset.attempts, reset.last_error = MailStatus.failed, 8, "OSError: down"
    assert not reset.can_retry
    refused("link_expired", retry_message, reset, actor=None)
    reset.status = MailStatus.queued  # as when the worker's last try comes too late
    plain = queue_email("other@example.org", "reset_password", subject="Hi",
                        context={"user": None, "link": "https://x/y", "hours": 2}, now=asked)
    db.session.commit()
    transport = FlakyTransport(accepted=10)
    assert deliver_due(transport) == (1, 0)
    assert transport.delivered == [plain.id]
    assert reset.status == MailStatus.failed and reset.failure_reason == (
        "Not sent: the link it carried had expired. Send the person a new one.")


def test_a_second_retry_of_a_message_already_due_records_nothing(ctx):
    message = queue_email("fp@example.org", "reset_password", subject="Hi",
                          context={"user": None, "link": "https://x/y", "hours": 2})
    message.status, message.attempts = MailStatus.failed, 8
    retry_message(message, actor=None)
    retry_message(message, actor=None)  # a double click
    assert [e.changes for e in db.session.scalars(select(AuditEvent).filter_by(
        action="mail.retry"))] == [{"status": ["failed", "queued"]}]


@pytest.mark.parametrize("offset", range(6))
def test_a_text_is_found_in_the_data_of_parts_at_any_offset(ctx, offset):
    """parts_may_hold finds the messages whose base64 parts carry a text, whatever its
    offset in their data (three alignments), and none that do not."""
    text = "UID:session-12@gfp-portal.local\r\n"
    for data in ("x" * offset + text + "tail", "x" * offset + text,
                 "x" * offset + text.replace("12@", "123@")):
        db.session.add(OutboxMessage(recipient="a@example.org", sender="p@example.org",
                                     subject="s", body_text="", template="t",
                                     message_id=f"<{offset}-{len(data)}@x>",
                                     parts=[make_part(data, content_type="text/plain")]))
    db.session.flush()
    found = db.session.scalars(select(OutboxMessage).where(parts_may_hold(text))).all()
    assert sorted(data_of(m.parts[0]).decode() for m in found) == sorted(
        ["x" * offset + text + "tail", "x" * offset + text])
