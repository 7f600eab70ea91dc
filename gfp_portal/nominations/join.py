"""Joining the network: a newly appointed focal point or alternate asks to be registered.

A request is written `unverified` and reaches the Office only when its email address is
confirmed through a single-use link; unconfirmed requests expire and are purged with everything
they held. Verified requests are reviewed beside nominations (same table, kind
`self_registration`) and approved through the same service. Nothing here creates an account or
a registry entry, and no answer tells whether an address already has an account.
"""
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from gfp_portal.core import storage
from gfp_portal.core.audit import diff, log_action
from gfp_portal.core.db import locked_in_state, utcnow
from gfp_portal.core.edits import hold
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.text import email_address
from gfp_portal.core.tokens import digest
from gfp_portal.extensions import db
from gfp_portal.nominations import notices, services
from gfp_portal.nominations.models import OPEN_STATES, Nomination, NominationKind, NominationState
from gfp_portal.nominations.tokens import new_token
from gfp_portal.registry import services as registry

VERIFY_TEMPLATES = ("join_verify", "join_already_open")


def open_request_for(email):
    return db.session.scalars(select(Nomination).where(
        Nomination.kind == NominationKind.self_registration,
        func.lower(Nomination.email) == email_address(email or "").lower(),
        Nomination.state.in_(OPEN_STATES))).first()


def _check(request, today):
    """The nomination's checks of what the applicant chose (services._check_scope): an
    entity open today, a member of the team."""
    entity, unct = request.entity, request.unct
    registry.check_entity_open(entity, today)
    if unct is not None and entity not in unct.members:
        raise DomainError("not_a_member", _l(
            "%(entity)s is not a member of the UN Country Team in %(unct)s.",
            entity=entity.acronym, unct=unct.name), field="entity")
    if request.time_share is not None and not 0 <= request.time_share <= 100:
        raise DomainError("bad_time_share",
                          _l("The share of working time is a percentage from 0 to 100."),
                          field="time_share")


def _read_memo(memo):
    """(data, kind) of the memo uploaded, checked; None when none was."""
    if memo is None or not getattr(memo, "filename", None):
        return None
    return storage.read_upload(memo, kinds=services.LETTER_KINDS,
                               max_bytes=current_app.config["NOMINATION_LETTER_MAX_BYTES"],
                               field="memo")


def check_memo(memo):
    """Refuse, as submitting or amending would (a DomainError on the memo field), a memo that
    is empty, too large or not a document; the file is then read again from its start."""
    try:
        _read_memo(memo)
    finally:
        if memo is not None and getattr(memo, "filename", None):
            memo.seek(0)


def _store_memo(request, memo, read):
    if read is None:
        return None
    stored = storage.save(*read, memo.filename)
    old_key = request.letter_key
    request.letter_key, request.letter_filename = stored.key, stored.filename
    request.letter_content_type, request.letter_size = stored.content_type, stored.size
    request.letter_sha256 = stored.sha256
    return old_key


def submit_join_request(data, *, memo=None, now=None):
    """A request from the appointee; `data` as for a nomination, without justification.

    An unconfirmed request from the same address is replaced by this one (the new link
    supersedes the old); a confirmed one still open refuses it (`duplicate_open_request`,
    answered by notify_open_request).
    Returns (request, key of a superseded memo to remove after commit)."""
    now = now or utcnow()
    days = current_app.config["JOIN_VERIFY_DAYS"]
    # The same form sent twice at once: the second waits, then replaces the first as if sent
    # after it, instead of keeping a second open request from the address.
    hold("join:" + email_address(data.get("email") or "").lower())
    current = open_request_for(data.get("email"))
    # Confirmed: with the Office, or sent back to its applicant for more information.
    confirmed = current is not None and current.state != NominationState.unverified
    request = current if current is not None and not confirmed else \
        Nomination(kind=NominationKind.self_registration, created_at=now)
    # Every check first, so that bad input gets the same answer whatever the address: the
    # answer must not tell whether a request from it is open.
    services.apply_details(request, {**data, "justification": data.get("justification") or ""})
    request.state = NominationState.unverified
    request.submitted_at = now
    _check(request, now.date())
    read = _read_memo(memo)
    if confirmed:
        raise DomainError("duplicate_open_request", _l(
            "A request from this address is already with the Office."), field="email")
    if current is None:
        db.session.add(request)
    old_key = _store_memo(request, memo, read)
    raw = new_token(request, days=days, now=now)
    db.session.flush()
    notices.join_verification(request, raw, now=now)
    return request, old_key


def notify_open_request(email, *, now=None):
    """The answer to a second request from an address whose request is confirmed and still
    open: an email to that address (the page says the same as for any request). A request
    with the Office: it is there, and the Office will write. A request the Office sent back
    for more information waits for its applicant, whose link may have expired or been lost
    (the expired link's page offers to send a new request): a new link to complete it, its
    answers and the Office's remark kept; the one sent before stops working."""
    now = now or utcnow()
    request = open_request_for(email)
    if request is None:
        return
    if locked_in_state(request, NominationState.changes_requested):
        raw = new_token(request, days=current_app.config["JOIN_AMEND_DAYS"], now=now)
        db.session.flush()
        log_action("nomination.new_link", request, actor=None, now=now)
        notices.join_amend_again(request, raw, now=now)
    elif request.state == NominationState.submitted:  # also when amended meanwhile
        notices.join_already_open(request, now=now)


def _invalid_link():
    return DomainError("invalid_link", _l("This link is not valid or has already been used."))


def _by_token(raw, state, now):
    request = db.session.scalars(select(Nomination).where(
        Nomination.token_hash == digest(raw),
        Nomination.kind == NominationKind.self_registration)).first()
    if request is None or request.state != state:
        raise _invalid_link()
    if request.token_expires_at <= now:
        raise DomainError("expired_link", _l("This link has expired."))
    return request


def _used_by_token(raw, state, now):
    """The request the single-use link opens, its row locked (core.db.locked_in_state): the
    same link sent twice at once is used once, the second answered as a link already used."""
    request = _by_token(raw, state, now)
    if not locked_in_state(request, state):
        raise _invalid_link()
    return request


def verify(raw, *, now=None):
    """Confirm the address: the request reaches the Office (as a nomination would)."""
    now = now or utcnow()
    request = _used_by_token(raw, NominationState.unverified, now)
    request.state = NominationState.submitted
    request.submitted_at = now
    request.token_hash = request.token_expires_at = None
    db.session.flush()
    log_action("nomination.verify", request, actor=None, now=now,
               changes=diff({}, services.state_of(request)))
    services.notify_coordinators(request, now)
    return request


def request_to_verify(raw, *, now=None):
    """The unconfirmed request a confirmation link opens (link unexpired)."""
    return _by_token(raw, NominationState.unverified, now or utcnow())


def request_for_amendment(raw, *, now=None):
    """The request an amendment link opens (changes requested, link unexpired)."""
    return _by_token(raw, NominationState.changes_requested, now or utcnow())


def amend(raw, data, *, memo=None, now=None):
    """The applicant's amended request goes back to the Office."""
    now = now or utcnow()
    request = _used_by_token(raw, NominationState.changes_requested, now)
    before = services.state_of(request)
    # The address stays the one its owner confirmed: another would reach the Office unconfirmed
    # (and, approved, take the registry record that holds it).
    services.apply_details(request, {**data, "email": request.email,
                                     "justification": request.justification})
    _check(request, now.date())
    old_key = _store_memo(request, memo, _read_memo(memo))
    request.state = NominationState.submitted
    request.submitted_at = now
    request.token_hash = request.token_expires_at = None
    request.coordinators_notified_at = None
    db.session.flush()
    log_action("nomination.resubmit", request, actor=None, now=now,
               changes=diff(before, services.state_of(request)))
    services.notify_coordinators(request, now)
    return old_key


def purge_unverified(*, now=None):
    """Delete unconfirmed requests whose link has expired, with their memo and the emails
    sent about them: nothing personal is left behind. Returns (how many, the memo keys to
    remove once committed)."""
    now = now or utcnow()
    hold_lock("nominations.purge-unconfirmed", now=now)
    return delete_unverified(db.session.scalars(select(Nomination).where(
        Nomination.kind == NominationKind.self_registration,
        Nomination.state == NominationState.unverified,
        Nomination.token_expires_at <= now)).all())


def unverified_where(cutoff):
    """The conditions of a request never confirmed, last submitted before `cutoff`."""
    return (Nomination.kind == NominationKind.self_registration,
            Nomination.state == NominationState.unverified,
            Nomination.submitted_at < cutoff)


def unverified_before(cutoff):
    """The requests never confirmed, last submitted before `cutoff` (a retention period)."""
    return db.session.scalars(select(Nomination).where(*unverified_where(cutoff))).all()


def delete_unverified(requests):
    """Delete unconfirmed `requests` with the emails sent about them; returns (how many, the
    memo keys to remove once committed). The emails are told apart by their address and
    time: while a request waits for its confirmation, no other request from its address is
    opened (a new one replaces it, submit_join_request), so the confirmation emails sent to
    the address since the request was made are about it; the earlier ones are about the
    requests the address made before, and go only with the last of them."""
    keys = [r.letter_key for r in requests if r.letter_key]
    for request in requests:
        others = db.session.scalar(select(func.count(Nomination.id)).where(
            func.lower(Nomination.email) == request.email.lower(),
            Nomination.id != request.id))
        db.session.execute(delete(OutboxMessage).where(
            func.lower(OutboxMessage.recipient) == request.email.lower(),
            OutboxMessage.template.in_(VERIFY_TEMPLATES),
            *([OutboxMessage.created_at >= request.created_at] if others else [])))
        db.session.delete(request)
    db.session.flush()
    return len(requests), keys
