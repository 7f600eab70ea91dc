"""The outbox: emails are written in the caller's transaction and delivered later by a worker."""
import base64
import secrets
from contextlib import ExitStack
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Index, String, Text, cast, false, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import UTCDateTime, db, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.errors import DomainError
from gfp_portal.core.text import single_line


class MailStatus(TitledEnum):
    queued = _l("Queued")
    sent = _l("Sent")
    failed = _l("Failed")


_UNREACHABLE = _l("The mail server could not be reached.")
WITHDRAWN = "Withdrawn"  # the last error's kind of a message `withdraw` stopped
EXPIRED = "Expired"  # … of a message whose link expired before it could be sent
UNSUBSCRIBED = "Unsubscribed"  # … of one its recipient unsubscribed from before it was sent
REVOKED = "Revoked"  # … of one whose link was revoked before it was sent
# By the class of the exception the transport raised (smtplib's, or the socket's).
_FAILURE_REASONS = {
    "SMTPRecipientsRefused": _l("The mail server refused the recipient's address."),
    "SMTPSenderRefused": _l("The mail server refused the portal's sending address."),
    "SMTPDataError": _l("The mail server refused the message."),
    "SMTPAuthenticationError": _l("The portal could not sign in to the mail server."),
    "SMTPNotSupportedError": _l("The mail server does not support what the portal's mail "
                                "settings ask of it (encryption or signing in)."),
    # transports.AddressNeedsSMTPUTF8: failed at once, as no later attempt would fare better.
    "AddressNeedsSMTPUTF8": _l("The mail server does not accept this address: it has accented "
                               "or non-Latin letters before the @, which only a server "
                               "supporting SMTPUTF8 can carry. Ask the person for another "
                               "address."),
    "SMTPServerDisconnected": _l("The mail server closed the connection."),
    "ConnectionResetError": _l("The mail server closed the connection."),
    "TimeoutError": _l("The mail server did not answer in time."),
    "SMTPConnectError": _UNREACHABLE,
    "ConnectionRefusedError": _UNREACHABLE,
    "gaierror": _UNREACHABLE,
    "OSError": _UNREACHABLE,
    None: _l("The mail server reported an error."),
    # Not the transport's: `withdraw` stopped the message before it was sent.
    WITHDRAWN: _l("Withdrawn before it was sent: its recipient's personal data was erased."),
    EXPIRED: _l("Not sent: the link it carried had expired. Send the person a new one."),
    # Not the transport's: its recipient unsubscribed while it waited (`stop_queued`).
    UNSUBSCRIBED: _l("Not sent: its recipient unsubscribed before it was sent."),
    REVOKED: _l("Not sent: the link it carried stopped working before it could be sent."),
}
# The kinds of a message stopped for good before it was sent, and why no retry sends it.
_STOPPED = {
    WITHDRAWN: _l("This message was withdrawn when its recipient's personal data was erased: "
                  "it cannot be sent."),
    UNSUBSCRIBED: _l("Its recipient unsubscribed before this message was sent: it cannot be "
                     "sent."),
    REVOKED: _l("The link this message carries stopped working before it was sent: it cannot "
                "be sent."),
}


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    sender: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(998))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # Extra MIME parts: [{"filename", "content_type", "data" (base64), "disposition",
    # "params"}]; "alternative" parts (e.g. text/calendar) sit beside the text and HTML bodies.
    parts: Mapped[list] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(8), default="en")
    template: Mapped[str] = mapped_column(String(120))
    # The message carries something that grants access (a single-use link, a feed address):
    # only its recipient may read it, so no page shows its text or parts.
    is_secret: Mapped[bool] = mapped_column(default=False, server_default=false())
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[MailStatus] = enum_column(MailStatus, default=MailStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What stopped the last attempt: the transport's exception, "<its class>: <its text>".
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The end of the life of the link the message carries (a password reset's, say): after
    # it, the message is never sent. None: nothing in it expires.
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Headers of its own beyond the usual ones ({name: value}): a newsletter's List-Unsubscribe,
    # a message to the network's Precedence.
    headers: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    def has_expired(self, now=None):
        return self.valid_until is not None and self.valid_until <= (now or utcnow())

    @property
    def is_withdrawn(self):
        """Stopped for good (`withdraw`, `stop_queued`): no retry sends it."""
        return (self.last_error or "").partition(":")[0] in _STOPPED

    @property
    def can_retry(self):
        """Whether the outbox pages offer "Retry now": not sent, not withdrawn, its link (if
        any) still valid."""
        return self.status != MailStatus.sent and not self.is_withdrawn and \
            not self.has_expired()

    @property
    def failure_reason(self):
        """What stopped the last attempt, in the reader's language; None when nothing did.
        The mail server's own words (last_error) are technical and in English: a page shows
        them beside this, as details."""
        if not self.last_error:
            return None
        kind = self.last_error.partition(":")[0]
        return _FAILURE_REASONS.get(kind, _FAILURE_REASONS[None])


def make_part(data, *, filename=None, content_type, disposition="attachment", params=None):
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return {
        "filename": filename,
        "content_type": content_type,
        "data": base64.b64encode(raw).decode("ascii"),
        "disposition": disposition,
        "params": params or {},
    }


def data_of(part):
    """The bytes a part (make_part) carries."""
    return base64.b64decode(part["data"])


def with_data(part, data):
    """`part` carrying `data` (bytes) instead."""
    return {**part, "data": base64.b64encode(data).decode("ascii")}


def parts_may_hold(text):
    """The condition on messages whose parts may carry `text` (UTF-8) in their data, wherever
    it lies: base64 writes each three bytes as four characters, so `text` is written as one of
    three runs of characters, by its offset, less the characters it shares with the bytes
    around it. A message found is a candidate, to read decoded (data_of); `text` of a dozen
    bytes or more leaves runs long enough to tell it apart."""
    raw, runs = text.encode("utf-8"), []
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + raw).decode("ascii")
        end = len(encoded) - (4 if (shift + len(raw)) % 3 else 0)
        if run := encoded[4 if shift else 0:end]:
            runs.append(run)
    # Base64 holds no character LIKE reads as a wildcard.
    return or_(*(cast(OutboxMessage.parts, Text).like(f"%{run}%") for run in runs))


def _message_id():
    domain = current_app.config.get("SERVER_NAME") or "gfp-portal.local"
    return f"<{secrets.token_hex(16)}@{domain.split(':')[0]}>"


def queue_email(recipient, template, *, subject, locale="en", context=None, parts=(), now=None,
                secret=False, valid_until=None, headers=None):
    """Render `emails/<template>.txt|.html` in the recipient's language and queue the message.

    `subject` is a lazy string, resolved inside the recipient's locale. Nothing is sent here:
    the message commits or rolls back with the caller's transaction. `secret`: the message
    grants access (a single-use link…), so its text is never shown on any page; `valid_until`:
    the end of that link's life, past which the message is never sent; `headers`: headers of
    its own ({name: value}).
    """
    context = dict(context or {})
    with force_locale(locale):
        # A line break (e.g. from a session title) would make every attempt fail.
        rendered_subject = single_line(str(subject))
        body_text = render_template(f"emails/{template}.txt", subject=rendered_subject, **context)
        body_html = render_template(f"emails/{template}.html", subject=rendered_subject,
                                    lang=locale, **context)
    message = OutboxMessage(
        recipient=recipient,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        subject=rendered_subject,
        body_text=body_text,
        body_html=body_html,
        parts=list(parts),
        locale=locale,
        template=template,
        is_secret=secret,
        message_id=_message_id(),
        next_attempt_at=now or utcnow(),
        created_at=now or utcnow(),
        valid_until=valid_until,
        headers={name: single_line(value) for name, value in (headers or {}).items()},
    )
    db.session.add(message)
    db.session.flush()
    return message


def retry_delay(attempts, config):
    """Exponential back-off: base, 2×base, 4×base … capped."""
    seconds = config["MAIL_RETRY_BASE_SECONDS"] * (2 ** max(attempts - 1, 0))
    return timedelta(seconds=min(seconds, config["MAIL_RETRY_MAX_SECONDS"]))


def _claim_batch(now, limit):
    """Lock up to `limit` due messages, oldest first; on PostgreSQL parallel workers skip each
    other's rows, so two workers never hold the same message."""
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == MailStatus.queued, OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()


class _BatchConnection:
    """The transport's connection for one batch: opened at the first message, closed and
    opened again after a failure, which may have left it unusable."""

    def __init__(self, transport):
        self.transport, self.stack, self.connection = transport, ExitStack(), None

    @property
    def is_open(self):
        return self.connection is not None

    def open(self):
        self.connection = self.stack.enter_context(self.transport.connect())

    def send(self, message):
        if self.connection is None:
            self.open()
        self.connection.send(message)

    def close(self):
        self.connection = None
        try:
            self.stack.close()
        except Exception as exc:  # noqa: BLE001 — the messages sent are already recorded
            current_app.logger.warning("closing the mail connection failed: %s", exc)
        self.stack = ExitStack()


def deliver_due(transport, *, now=None, limit=None):
    """Send a batch of due messages over one connection and record the batch in one commit;
    returns (sent, failed_tries).

    The batch's rows stay locked until that commit, so two workers never send the same
    message; a message is marked sent only once the server accepted it. When a message fails,
    it waits with a back-off and the batch goes on over a new connection; when the server
    cannot be reached again, the rest of the batch stays queued, untouched, for the next run.
    A worker killed before the commit sends the batch again, with the same Message-IDs.
    """
    config = current_app.config
    current = now or utcnow()
    messages = _claim_batch(current, limit or config["MAIL_BATCH_SIZE"])
    sent = failures = 0
    connection = _BatchConnection(transport)
    try:
        for index, message in enumerate(messages):
            if message.has_expired(current):
                _stop_expired(message)
                continue
            if not connection.is_open and index:
                try:
                    connection.open()
                except Exception as exc:  # noqa: BLE001 — the server went away: stop here
                    current_app.logger.warning(
                        "the mail server cannot be reached (%s); %s messages wait for the "
                        "next run", exc, len(messages) - index)
                    break
            if _send(connection, message, current, config):
                sent += 1
            else:
                failures += 1
    finally:
        connection.close()
    db.session.commit()
    return sent, failures


def _stop_expired(message):
    """A message whose link has expired is never sent: it would hand out a dead link."""
    message.status = MailStatus.failed
    message.last_error = \
        f"{EXPIRED}: its link was valid until {message.valid_until:%Y-%m-%d %H:%M} UTC"


def _send(connection, message, current, config):
    """Hand one message to the connection and record the outcome; True when accepted."""
    try:
        connection.send(message)
    except Exception as exc:  # noqa: BLE001 — any transport failure is retried later
        connection.close()
        message.attempts += 1
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        # A failure the transport knows no later attempt would change is final at once.
        if message.attempts >= config["MAIL_MAX_ATTEMPTS"] or getattr(exc, "permanent", False):
            message.status = MailStatus.failed
        else:
            message.next_attempt_at = current + retry_delay(message.attempts, config)
        # By the message's id and the exception's class: the server's own words (kept as the
        # last error, for the outbox page) may name the recipient, and logs keep no one's data.
        current_app.logger.warning("mail %s failed: %s (attempt %s)", message.id,
                                   type(exc).__name__, message.attempts)
        return False
    message.attempts += 1
    message.status = MailStatus.sent
    message.sent_at = current
    message.last_error = None
    return True


def withdraw(message, why):
    """Stop for good a message not sent, queued or failed (`why`, in English, is kept as its
    last error); `retry_message` refuses it."""
    if message.status != MailStatus.sent:
        message.status = MailStatus.failed
        message.last_error = f"{WITHDRAWN}: {why}"


def stop_queued(message_ids, why, *, kind=UNSUBSCRIBED):
    """Stop for good, as `kind` (UNSUBSCRIBED or REVOKED; `why`, in English, is kept as their
    last error), the messages of `message_ids` (a list or a select of ids) still waiting to be
    sent; a message a worker is sending now is left to it. Returns how many were stopped."""
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == MailStatus.queued)
        .values(status=MailStatus.failed, last_error=f"{kind}: {why}")
        .execution_options(synchronize_session="fetch")).rowcount


def retry_message(message, *, actor, now=None):
    """Put a failed (or waiting) message back at the head of the queue; never a withdrawn
    one."""
    now = now or utcnow()
    if message.is_withdrawn:
        raise DomainError("withdrawn", _STOPPED[message.last_error.partition(":")[0]])
    if message.has_expired(now):
        raise DomainError("link_expired", _l(
            "The link this message carries has expired: it cannot be sent. Send the person a "
            "new one (a new password reset, or the invitation again)."))
    if message.status == MailStatus.queued and message.next_attempt_at <= now:
        return  # already due: a second click changes nothing
    before = message.status
    message.status = MailStatus.queued
    message.next_attempt_at = now
    message.attempts = 0 if before == MailStatus.failed else message.attempts
    log_action("mail.retry", message, actor=actor, now=now,
               changes={"status": [before.value, MailStatus.queued.value]})
    db.session.flush()
