"""The rules of messages to the network: drafts, the confirmed sending (a job), its delivery in
batches at the configured rate, and the newsletter opt-out."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from gfp_portal.core.audit import log_action
from gfp_portal.core.db import row_id_in, utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.i18n import LANGUAGES, language_fields
from gfp_portal.core.jobs import enqueue
from gfp_portal.core.outbox import stop_queued
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.messages import notices, queries
from gfp_portal.messages.models import (
    MessageKind,
    MessageRecipient,
    MessageStatus,
    NetworkMessage,
    NewsletterOptOut,
)
from gfp_portal.reference.models import Entity, EntityType, Region, Unct
from gfp_portal.registry.models import AppointmentRole, AppointmentStatus, Person
from gfp_portal.registry.queries import signing_in
from gfp_portal.sessions.topics import topic_by_key

# The sending rate: the outbox delivers at most this many of a message's emails per minute.
DEFAULT_SETTINGS = {"messages.per_minute": 120}

TEXT_FIELDS = language_fields("subject", "body")
_ENUM_FILTERS = {"role": AppointmentRole, "status": AppointmentStatus,
                 "entity_type": EntityType, "region": Region}
UNSUBSCRIBE_SALT = "messages.unsubscribe"


def _check_audience(filters):
    """The filters as stored: known names only, values that name something that exists."""
    clean = {}
    for name in queries.FILTERS:
        value = filters.get(name)
        if value in (None, "", False):
            continue
        if name == "below_parity":
            clean[name] = True
            continue
        value = str(value)
        if name in _ENUM_FILTERS:
            ok = value in {member.value for member in _ENUM_FILTERS[name]}
        elif name == "language":
            ok = value in LANGUAGES
        elif name == "not_attended":
            ok = topic_by_key(value) is not None
        elif name == "entity":
            entity_id = row_id_in(value)
            ok = entity_id is not None and db.session.get(Entity, entity_id) is not None
        else:  # unct: an ISO3 code, or HQ for the headquarters scope
            ok = value == "HQ" or db.session.scalar(
                select(Unct.id).where(Unct.iso3 == value)) is not None
        if not ok:
            raise DomainError("bad_filter", _l("One of the audience filters names something "
                                               "that does not exist. Choose it again."),
                              field=name)
        clean[name] = value
    return clean


def _check_texts(data):
    """English is required; another language is written whole (subject and message) or not
    at all, since its readers get either all of it or the English text."""
    required_text(data.get("subject_en"), "no_subject", _l("Enter the subject in English."),
                  field="subject_en")
    required_text(data.get("body_en"), "no_body", _l("Enter the message in English."),
                  field="body_en")
    for code in LANGUAGES[1:]:
        subject = (data.get(f"subject_{code}") or "").strip()
        body = (data.get(f"body_{code}") or "").strip()
        if bool(subject) != bool(body):
            raise DomainError("half_language", _l(
                "Write both the subject and the message in this language, or leave both "
                "empty: its readers then get the English text."),
                field=f"body_{code}" if subject else f"subject_{code}")


def save_draft(message, data, *, actor, shown=None, now=None):
    """Create (message None) or change a draft from `data`: kind, the subject and body in
    each language, and the audience's filters under "audience". Refused when the draft
    changed since the page that showed its version `shown` (version_of). Returns the
    draft."""
    now = now or utcnow()
    if message is not None and message.status != MessageStatus.draft:
        raise DomainError("not_draft", _l("This message has been sent; it can no longer be "
                                          "changed."))
    if message is not None and _changed_since(message, shown):
        raise DomainError("draft_changed", _l(
            "This draft was changed by someone else while this page was open: your text is "
            "kept below. Open the draft in another tab to compare, then save again."))
    _check_texts(data)
    audience = _check_audience(data.get("audience") or {})
    if message is None:
        message = NetworkMessage(created_by_id=actor.id, created_at=now)
        db.session.add(message)
    message.kind = MessageKind(data["kind"])
    for field in TEXT_FIELDS:
        value = (data.get(field) or "").strip()
        setattr(message, field, value or ("" if field.endswith("_en") else None))
    message.audience = audience
    message.updated_at = now
    db.session.flush()
    return message


def delete_draft(message, *, actor):
    if message.status != MessageStatus.draft:
        raise DomainError("not_draft", _l("This message has been sent; it can no longer be "
                                          "changed."))
    db.session.delete(message)
    db.session.flush()


def version_of(message):
    """What a preview carries to say which version of the draft it showed."""
    return message.updated_at.isoformat()


def _changed_since(message, shown):
    """Whether the draft changed since the page that showed its version `shown` (None: the
    page showed none to compare)."""
    return shown is not None and shown != version_of(message)


def send_message(message, *, actor, expected=None, shown=None, now=None):
    """Freeze the draft as sent (see freeze_message) and queue the job that writes its
    emails (deliver_message); returns the job. Refused when the draft changed since the
    preview that showed its version `shown` (version_of)."""
    now = now or utcnow()
    if message.status == MessageStatus.draft and _changed_since(message, shown):
        raise DomainError("draft_changed", _l("The draft was changed since this preview: "
                                              "read it again before sending."))
    freeze_message(message, actor=actor, expected=expected, now=now)
    job = enqueue("messages.send", {"message_id": message.id}, actor=actor, now=now)
    message.job_id = job.id
    return job


def freeze_message(message, *, actor, expected=None, now=None):
    """Mark the draft as being sent, with the counts of its audience now, and audit it;
    refused when the audience is empty, or no longer the `expected` number of people the
    preview showed."""
    now = now or utcnow()
    if message.status != MessageStatus.draft:
        raise DomainError("not_draft", _l("This message has already been sent."))
    _check_texts({field: getattr(message, field) for field in TEXT_FIELDS})
    message.audience = _check_audience(message.audience)
    counts = queries.preview(message, today=now.date())
    if not counts.total:
        raise DomainError("no_recipients", _l("Nobody matches this audience: change the "
                                              "filters."))
    if expected is not None and expected != counts.total:
        raise DomainError("audience_changed", _l("The audience has changed since the preview: "
                                                 "check the new counts and confirm again."))
    # Two confirmations at once (a double click, two coordinators): the first one to change
    # the row sends, the other is refused (the row is locked until the first commits).
    claimed = db.session.execute(
        update(NetworkMessage).where(NetworkMessage.id == message.id,
                                     NetworkMessage.status == MessageStatus.draft)
        .values(status=MessageStatus.sending)
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise DomainError("not_draft", _l("This message has already been sent."))
    message.status, message.sent_at, message.sent_by_id = MessageStatus.sending, now, actor.id
    message.counts, message.recipient_count = queries.counts_of(counts), counts.total
    log_action("message.send", message, actor=actor, now=now, changes={
        "kind": [None, message.kind.value], "subject": [None, message.subject_en],
        "audience": [None, message.audience], "recipients": [None, counts.total]})


def sending_stopped(message, job):
    """Whether the sending of `message` stopped before it ended: the message is still being
    sent, and its job (`job`, see queries.sending_job) failed or is gone; the Office may then
    send it again (retry_message)."""
    return message.status == MessageStatus.sending and (job is None or job.is_finished)


def check_retry(message, *, expected=None, now=None):
    """How many people sending `message` again would email: those of its audience it has
    not been queued for. Refused unless its sending stopped (see sending_stopped), or when
    that number is no longer the `expected` one the page showed."""
    if message.status != MessageStatus.sending:
        raise DomainError("not_sending", _l("This message has already been sent."))
    if not sending_stopped(message, queries.sending_job(message)):
        raise DomainError("still_sending", _l(
            "This message is being sent: wait until its sending ends before sending it "
            "again."))
    pending = queries.pending_count(message, today=(now or utcnow()).date())
    if not pending:
        raise DomainError("no_recipients", _l("Nobody in the audience of this message is "
                                              "still waiting for it."))
    if expected is not None and expected != pending:
        raise DomainError("audience_changed", _l(
            "The audience has changed since this page was shown: check the new count and "
            "confirm again."))
    return pending


def retry_message(message, *, actor, expected=None, now=None):
    """Start again the sending of a message whose sending stopped (see check_retry): a new
    job for the same audience, which emails only the people who have not been queued it
    (deliver_message), so nobody gets it twice. Audited; returns the job."""
    now = now or utcnow()
    pending = check_retry(message, expected=expected, now=now)
    previous = message.job_id
    job = enqueue("messages.send", {"message_id": message.id}, actor=actor, now=now)
    # Two retries at once: the first one to replace the stopped job sends, the other is
    # refused (the row is locked until the first commits).
    claimed = db.session.execute(
        update(NetworkMessage).where(
            NetworkMessage.id == message.id, NetworkMessage.status == MessageStatus.sending,
            NetworkMessage.job_id.is_(None) if previous is None
            else NetworkMessage.job_id == previous)
        .values(job_id=job.id).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise DomainError("still_sending", _l(
            "This message is being sent: wait until its sending ends before sending it "
            "again."))
    message.job_id = job.id
    message.counts = queries.counts_of(queries.preview(message, today=now.date()))
    queued = queries.queued_count(message)
    log_action("message.retry", message, actor=actor, now=now, changes={
        "recipients": [queued, queued + pending]})
    return job


def deliver_message(message, *, now, progress=None):
    """Queue one email per recipient, in the recipient's language, batch after batch: the
    emails of the n-th batch of `messages.per_minute` are due n minutes after `now`, so the
    outbox sends them at that rate. The people the message has already been queued for (a
    MessageRecipient row) are skipped, so running it again sends nobody twice. Returns how
    many were queued."""
    per_minute = max(1, int(get_setting("messages.per_minute")))
    already = queries.queued_count(message)
    rows = queries.recipients(message, pending=True, today=now.date())
    total = len(rows)
    if progress:
        progress(0, total)
    people = {}
    for start in range(0, total, per_minute):
        batch = rows[start:start + per_minute]
        due = now + timedelta(minutes=start // per_minute)
        people.update({p.id: p for p in db.session.scalars(
            select(Person).where(Person.id.in_([row.id for row in batch])))})
        signers = signing_in({row.id for row in batch}, roles=queries.READERS)
        for done, row in enumerate(batch, start=start + 1):
            mail = notices.network_message(message, people[row.id], row.language,
                                           unsubscribe=unsubscribe_token(row.id),
                                           signs_in=row.id in signers, now=now)
            mail.next_attempt_at = due
            db.session.add(MessageRecipient(message_id=message.id, person_id=row.id,
                                            language=row.language,
                                            outbox_message_id=mail.id))
            if progress:
                progress(done, total)
        db.session.flush()
    message.status, message.recipient_count = MessageStatus.sent, already + total
    return total


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(person_id):
    """The signed token of a person's unsubscribe link: it names the person and nothing else,
    and works without signing in."""
    return _serializer().dumps(person_id)


def person_of_token(token):
    """The person an unsubscribe token names, or None for a bad or forged one."""
    try:
        person_id = _serializer().loads(token or "")
    except BadSignature:
        return None
    return db.session.get(Person, person_id) if isinstance(person_id, int) else None


def set_newsletter(person, receive, *, actor, source="profile", now=None):
    """Receive the newsletter or not; True when it changed something. Audited on the person.
    Leaving it also stops the newsletters still waiting in the outbox for the person (a
    newsletter to the whole network is sent over an hour or more): none reaches them after
    their choice."""
    now = now or utcnow()
    row = db.session.get(NewsletterOptOut, person.id)
    if receive == (row is None):
        return False
    if receive:
        db.session.delete(row)
    else:
        db.session.add(NewsletterOptOut(person_id=person.id, source=source, created_at=now))
        stop_queued(queries.newsletter_emails_of(person),
                    "the recipient unsubscribed from the newsletter")
    log_action("newsletter.opt_in" if receive else "newsletter.opt_out", actor=actor, now=now,
               object_type="people", object_id=person.id,
               changes={"newsletter": [not receive, receive]})
    return True
