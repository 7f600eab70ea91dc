"""Guests at a session: the Office's invitation links, a guest's request for a place confirmed
through their email address, the invitation they then get like everyone registered, their
attendance and their certificate.

No answer of the public pages tells whether an address already has a place: the page after
the request is the same, and the email says it instead. A request from an address that already
asked is not a second place: it sends the guest's link again (a new one; the old stops)."""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from gfp_portal.attendance import certificates
from gfp_portal.attendance.models import AttendanceStatus
from gfp_portal.attendance.services import CODE_ALPHABET, attendance_status, refuse_if_cancelled
from gfp_portal.core.audit import log_action
from gfp_portal.core.db import added_unless_there, utcnow
from gfp_portal.core.edits import hold
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.i18n import LANGUAGES
from gfp_portal.core.jobs import hold_lock
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.text import email_address
from gfp_portal.core.tokens import digest, new_raw
from gfp_portal.extensions import db
from gfp_portal.programme import notices
from gfp_portal.programme.models import (
    AgendaPresenter,
    Guest,
    GuestInvitation,
    GuestPlaceStatus,
    GuestRegistration,
    Sector,
)
from gfp_portal.sessions import notices as session_notices
from gfp_portal.sessions.models import SessionStatus, TrainingSession

# A request is confirmed within this many days; a confirmed guest's link then works until
# this many days after the session (to come back for the certificate).
CONFIRM_DAYS = 3
KEEP_DAYS = 180
MAX_PLACES = 10000


# --- the Office's invitation links ------------------------------------------------------------

def create_invitation(session, places=None, *, actor, now=None):
    now = now or utcnow()
    if session.is_cancelled or session.ends_at <= now:
        raise DomainError("session_closed", _l(
            "Guests can be invited only to a session that is neither cancelled nor over."))
    if places is not None and not 1 <= places <= MAX_PLACES:
        raise DomainError("bad_places", _l("The number of places is a whole number from 1, or "
                                           "empty for no limit."), field="places")
    invitation = GuestInvitation(session=session, token=new_raw(), places=places,
                                 created_by_id=getattr(actor, "id", None), created_at=now)
    db.session.add(invitation)
    db.session.flush()
    log_action("guest_invitation.create", invitation, actor=actor, now=now,
               changes={"session": [None, session.id], "places": [None, places]})
    return invitation


def revoke_invitation(invitation, *, actor, now=None):
    """The link stops working; guests already registered keep their places, requests not yet
    confirmed can no longer be."""
    now = now or utcnow()
    if invitation.is_revoked:
        raise DomainError("already_revoked", _l("This invitation link is already revoked."))
    invitation.revoked_at, invitation.revoked_by_id = now, getattr(actor, "id", None)
    db.session.flush()
    log_action("guest_invitation.revoke", invitation, actor=actor, now=now,
               changes={"revoked": [False, True]})


def delete_invitations(session, *, actor, now=None):
    """Every invitation link of a session that is deleted (a draft, which no guest can have
    asked a place at: guests ask only at a published session)."""
    now = now or utcnow()
    for invitation in db.session.scalars(select(GuestInvitation).where(
            GuestInvitation.session_id == session.id)):
        log_action("guest_invitation.delete", invitation, actor=actor, now=now,
                   changes={"session": [session.id, None]})
        db.session.delete(invitation)
    db.session.flush()


def places_taken(invitation):
    return db.session.scalar(select(func.count(GuestRegistration.id)).where(
        GuestRegistration.invitation_id == invitation.id,
        GuestRegistration.status == GuestPlaceStatus.registered))


def _check_open(invitation, now, *, holder=False):
    """Refuse an invitation guests can no longer ask through: unknown, revoked, its session
    cancelled, closed or over, or its places all taken (but for a `holder` of one, who asks
    for their link again). Returns whether its places are all taken."""
    if invitation is None:
        raise DomainError("unknown_link", _l("This invitation link is not valid. Check that "
                                             "you copied all of it."))
    if invitation.is_revoked:
        raise DomainError("revoked", _l("This invitation link has been withdrawn by the "
                                        "Office."))
    session = invitation.session
    if session.is_cancelled:
        raise DomainError("cancelled", _l("This session has been cancelled."))
    if session.status != SessionStatus.published or session.ends_at <= now:
        raise DomainError("closed", _l("This session is no longer open to guests."))
    full = invitation.places is not None and places_taken(invitation) >= invitation.places
    if full and not holder:
        raise DomainError("full", _l("All the guest places of this invitation are taken."))
    return full


def _invitation_of(token):
    return db.session.scalars(select(GuestInvitation).where(
        GuestInvitation.token == (token or "")[:64])).first()


def open_invitation(token, *, now=None):
    """The invitation of `token`, if guests may still ask for a place through it."""
    invitation = _invitation_of(token)
    _check_open(invitation, now or utcnow())
    return invitation


def invitation_page(token, *, now=None):
    """(the invitation of `token`, whether its places are all taken), refused as
    open_invitation refuses it but when full: a guest who holds a place may still ask
    through it for their link again."""
    invitation = _invitation_of(token)
    return invitation, _check_open(invitation, now or utcnow(), holder=True)


def _holds_a_place(invitation, email):
    """Whether the guest of `email` holds a place at the invitation's session (a full
    invitation still sends them their link again)."""
    return invitation is not None and bool(email) and db.session.scalar(
        select(GuestRegistration.id).join(Guest, Guest.id == GuestRegistration.guest_id).where(
            GuestRegistration.session_id == invitation.session_id,
            GuestRegistration.status == GuestPlaceStatus.registered,
            Guest.email == email)) is not None


# --- a guest's request and confirmation -------------------------------------------------------

def _email_of(data):
    return email_address(data.get("email") or "").lower()


def _clean(data):
    email = _email_of(data)
    name = required_text(data.get("name"), "name_required", _l("Enter your name."),
                         field="name")
    if "@" not in email:
        raise DomainError("email_required", _l("Enter your email address."), field="email")
    organisation = required_text(data.get("organisation"), "organisation_required",
                                 _l("Enter your organisation."), field="organisation")
    try:
        sector = Sector(data.get("sector"))
    except ValueError:
        raise DomainError("bad_sector", _l("Choose your sector."), field="sector") from None
    language = data.get("preferred_language")
    return {"name": name, "email": email, "organisation": organisation, "sector": sector,
            "preferred_language": language if language in LANGUAGES else "en"}


def guest_with(email):
    """The guest whose email address is `email` (lowercase), None when there is none."""
    return db.session.scalars(select(Guest).where(Guest.email == email)).first()


def _place_of(invitation, guest):
    return db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.session_id == invitation.session_id,
        GuestRegistration.guest_id == guest.id)).first()


def request_place(token, data, *, now=None):
    """A guest asks for a place through the invitation of `token`: their place waits for the
    email address to be confirmed through the link mailed to it. Returns the place; None
    when the invitation is full and the address holds no place there, which is answered as
    a holder is (no page tells whether an address holds a place)."""
    now = now or utcnow()
    invitation = _invitation_of(token)
    holder = _holds_a_place(invitation, _email_of(data))
    full = _check_open(invitation, now, holder=True)
    data = _clean(data)
    if full and not holder:
        return None
    # Sent twice at once (a retry while the first is on its way): the guest and the place
    # the other request added are this request's too.
    guest = guest_with(data["email"]) or added_unless_there(
        Guest(created_at=now, **data), lambda: guest_with(data["email"]))
    if guest.verified_at is None:
        # Nobody has proved this address yet: the latest request says who it is.
        for field, value in data.items():
            setattr(guest, field, value)
    db.session.flush()
    registration = _place_of(invitation, guest) or added_unless_there(
        GuestRegistration(session_id=invitation.session_id, guest_id=guest.id,
                          invitation_id=invitation.id, requested_at=now,
                          status=GuestPlaceStatus.pending),
        lambda: _place_of(invitation, guest))
    if registration.status != GuestPlaceStatus.registered:
        # Not confirmed yet: the place is asked through the link just used, not through an
        # earlier one since revoked or full.
        registration.status, registration.invitation = GuestPlaceStatus.pending, invitation
        registration.requested_at = now
    raw = new_raw()
    registration.token_hash = digest(raw)
    registered = registration.status == GuestPlaceStatus.registered
    registration.token_expires_at = _kept_until(registration.session) if registered else \
        now + timedelta(days=CONFIRM_DAYS)
    db.session.flush()
    log_action("guest_place.request", registration, actor=None, now=now,
               changes={"status": [None, registration.status.value]})
    notices.place_link(registration, raw, days=CONFIRM_DAYS, now=now)
    return registration


def place_for_token(token, *, now=None):
    """The place the guest's link leads to; a clear refusal when the link is wrong, expired
    or its invitation was revoked before the place was confirmed."""
    now = now or utcnow()
    registration = db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.token_hash == digest(token))).first() if token else None
    if registration is None:
        raise DomainError("unknown_link", _l("This link is not valid. Check that you copied "
                                             "all of it, or use the latest message sent to "
                                             "you."))
    if registration.token_expires_at is None or registration.token_expires_at <= now:
        raise DomainError("expired", _l("This link has expired. Ask for a place again "
                                        "through the invitation link."))
    if registration.status == GuestPlaceStatus.cancelled:
        raise DomainError("cancelled_place", _l("This place has been cancelled."))
    if registration.status == GuestPlaceStatus.pending and registration.invitation is not None \
            and registration.invitation.is_revoked:
        raise DomainError("revoked", _l("This invitation link has been withdrawn by the "
                                        "Office."))
    return registration


def confirm_place(token, *, now=None):
    """The guest confirms their address: registered (when a place is left), the invitation
    mailed. Confirming again changes nothing, also twice at once (a double click)."""
    now = now or utcnow()
    registration = place_for_token(token, now=now)
    if registration.status == GuestPlaceStatus.registered:
        return registration
    # The link sent twice at once (a double click): the second waits here until the first is
    # committed, then reads the place again and finds it confirmed, not its own place taken.
    hold(f"{GuestRegistration.__tablename__}:{registration.id}")
    db.session.refresh(registration)
    registration = place_for_token(token, now=now)
    if registration.status == GuestPlaceStatus.registered:
        return registration
    invitation = registration.invitation
    if invitation is not None:
        # One confirmation at a time per invitation, so that its places are never exceeded.
        db.session.execute(select(GuestInvitation.id).where(
            GuestInvitation.id == invitation.id).with_for_update())
        _check_open(invitation, now)
    elif registration.session.status != SessionStatus.published:
        raise DomainError("closed", _l("This session is no longer open to guests."))
    guest = registration.guest
    guest.verified_at = guest.verified_at or now
    registration.status, registration.registered_at = GuestPlaceStatus.registered, now
    registration.token_expires_at = _kept_until(registration.session)
    db.session.flush()
    log_action("guest_place.confirm", registration, actor=None, now=now,
               changes={"status": ["pending", "registered"]})
    # A guest whose place the Office cancelled, who asked again: above the CANCEL they got.
    session_notices.outrank_cancellation(registration)
    notices.session_notice(registration, "confirmed", now=now)
    return registration


def cancel_place(registration, *, actor, now=None):
    """The Office removes a guest: the calendar entry is withdrawn from theirs (by the
    session's cancellation, when it is cancelled and they were not yet told of it)."""
    now = now or utcnow()
    if registration.status == GuestPlaceStatus.cancelled:
        raise DomainError("already_cancelled", _l("This guest's place is already cancelled."))
    was = registration.status
    # The link stays known, to tell the guest who opens it that their place was cancelled.
    registration.status = GuestPlaceStatus.cancelled
    # A cancelled place earns no certificate: its code goes, as a corrected mark's does.
    registration.certificate_code = registration.certificate_issued_at = None
    db.session.flush()
    log_action("guest_place.cancel", registration, actor=actor, now=now,
               changes={"status": [was.value, "cancelled"]})
    if was != GuestPlaceStatus.registered:
        return
    if not registration.session.is_cancelled:
        notices.session_notice(registration, "withdrawn", now=now)
    elif session_notices.not_yet_invited([registration]):
        # Removed before the job telling everyone of the cancellation reached them.
        notices.session_notice(registration, "cancelled", now=now)


def notify_guests(session, *, kind, now, since=None):
    """A change of the session reaches the registered guests too (sessions' signal), but not
    those who already hold its calendar entry (of SEQUENCE `since`, or a later one), nor those
    anonymised since (reached_guests). Returns how many it told."""
    memo, guests = {}, session_notices.not_yet_invited(reached_guests(session), since)
    session_notices.keep_invitations(guests)
    for registration in guests:
        notices.session_notice(registration, kind, now=now, memo=memo)
    return len(guests)


def keep_links_past(session):
    """The links of the guests holding a place in a session that moved work until KEEP_DAYS
    after its new end, as they did after the first: a session put off by more than that must
    not leave them expired before it takes place."""
    for registration in reached_guests(session):
        registration.token_expires_at = _kept_until(session)
    db.session.flush()


def send_reminders(*, now, until):
    """Remind the guests holding a place (not anonymised) at a published session that starts
    after `now` and no later than `until`, once each, as everyone registered is reminded
    (sessions.services.send_reminders, whose run and lock this is part of). Returns how many
    were reminded."""
    due = db.session.scalars(
        select(GuestRegistration).join(GuestRegistration.session).join(GuestRegistration.guest)
        .where(TrainingSession.status == SessionStatus.published,
               TrainingSession.starts_at > now, TrainingSession.starts_at <= until,
               GuestRegistration.status == GuestPlaceStatus.registered,
               GuestRegistration.reminder_sent_at.is_(None),
               Guest.anonymised_at.is_(None))
        .order_by(GuestRegistration.id)).all()
    memo = {}
    for registration in due:
        notices.session_notice(registration, "reminder", now=now, memo=memo)
        registration.reminder_sent_at = now
    db.session.flush()
    return len(due)


def remind_again(session, starts_before):
    """A reminder is of the start it announced: when the start moved, the guests are reminded
    of the new one in their turn."""
    if session.starts_at == starts_before:
        return
    db.session.execute(update(GuestRegistration).where(
        GuestRegistration.session_id == session.id).values(reminder_sent_at=None)
        .execution_options(synchronize_session="fetch"))


def _kept_until(session):
    return session.ends_at + timedelta(days=KEEP_DAYS)


def _reached(session):
    """The places of the guests the notices of `session` reach: registered, and not
    anonymised (the retention period left them no address; their place stays, for the
    session's figures)."""
    return (GuestRegistration.session_id == session.id,
            GuestRegistration.status == GuestPlaceStatus.registered,
            Guest.anonymised_at.is_(None))


def reached_guests(session):
    return db.session.scalars(select(GuestRegistration).join(Guest).where(*_reached(session))
                              .order_by(GuestRegistration.id)).all()


def reached_guest_count(session):
    """How many guests the notices of the session reach."""
    return db.session.scalar(select(func.count(GuestRegistration.id)).join(Guest)
                             .where(*_reached(session)))


def purge_unconfirmed(*, now=None):
    """Delete the requests for a place whose link expired unconfirmed, the emails that carried
    the link, and the guests left with nothing (no place, never confirmed, presenting
    nothing): nothing personal is kept of them. Returns how many requests went."""
    now = now or utcnow()
    hold_lock("programme.purge-unconfirmed", now=now)
    expired = db.session.scalars(select(GuestRegistration).where(
        GuestRegistration.status == GuestPlaceStatus.pending,
        GuestRegistration.token_expires_at <= now)).all()
    guest_ids = {place.guest_id for place in expired}
    for place in expired:
        db.session.delete(place)
    db.session.flush()
    for guest in db.session.scalars(select(Guest).where(
            Guest.id.in_(guest_ids), Guest.verified_at.is_(None),
            ~Guest.id.in_(select(GuestRegistration.guest_id)),
            ~Guest.id.in_(select(AgendaPresenter.guest_id).where(
                AgendaPresenter.guest_id.is_not(None))))):
        db.session.execute(delete(OutboxMessage).where(
            OutboxMessage.recipient == guest.email,
            OutboxMessage.template == "guest_place_link"))
        db.session.delete(guest)
    db.session.flush()
    return len(expired)


# --- attendance and certificate ---------------------------------------------------------------

def mark_guest(registration, status, *, actor, now=None):
    """Record or correct a guest's attendance (never at a cancelled session)."""
    now = now or utcnow()
    status = attendance_status(status)
    refuse_if_cancelled(registration.session)
    if registration.status != GuestPlaceStatus.registered:
        raise DomainError("not_registered", _l("This guest is not registered for the session."))
    before = registration.attendance.value if registration.attendance else None
    if before == status.value:
        return False
    registration.attendance = status
    registration.attendance_recorded_by_id = getattr(actor, "id", None)
    registration.attendance_recorded_at = now
    # A certificate the corrected mark no longer earns must not stay valid. A guest's has no
    # revocation: its code goes, so the verification page no longer vouches for it.
    if registration.certificate_code is not None and \
            certificate_refusal(registration, now=now) is not None:
        registration.certificate_code = registration.certificate_issued_at = None
    db.session.flush()
    log_action("guest_attendance.mark", registration, actor=actor, now=now,
               changes={"status": [before, status.value]})
    return True


def mark_guests(places, statuses, *, actor, now=None):
    """Record the attendance `statuses` gives (place id -> status; a place it leaves out or
    gives no status keeps its mark) for each of `places`; returns how many changed."""
    now = now or utcnow()
    return sum(1 for place in places if statuses.get(place.id)
               and mark_guest(place, statuses[place.id], actor=actor, now=now))


@dataclass(frozen=True)
class _Mark:
    """A guest's attendance as the certificate rules read one (no minutes are kept)."""
    status: AttendanceStatus | None
    minutes: None = None


def certificate_refusal(registration, *, now=None):
    mark = _Mark(registration.attendance) if registration.attendance else None
    return certificates.refusal(registration.session, mark, now=now)


def certificate_issued(registration, *, now=None):
    """Whether the guest's certificate is issued (True) or earned but not issued yet (False);
    the DomainError of `certificate_refusal` when it is not earned. Writes nothing."""
    error = certificate_refusal(registration, now=now or utcnow())
    if error is not None:
        raise error
    return registration.certificate_code is not None


def issue_certificate(registration, *, now=None):
    """The guest's certificate, issued now if it is not yet, under the rules of everyone's."""
    now = now or utcnow()
    if not certificate_issued(registration, now=now):
        registration.certificate_code = _new_code()
        registration.certificate_issued_at = now
        db.session.flush()
        log_action("guest_certificate.issue", registration, actor=None, now=now)
    return registration


def _new_code():
    # One code space with everyone's certificates: the public page verifies both.
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET)
                       for _ in range(certificates.CERTIFICATE_CODE_LENGTH))
        if certificates.find(code) is None and db.session.scalars(
                select(GuestRegistration.id).filter_by(certificate_code=code)).first() is None:
            return code


def find_certificate(code):
    code = "".join((code or "").split()).upper()
    if not code:
        return None
    return db.session.scalars(select(GuestRegistration).filter_by(
        certificate_code=code, status=GuestPlaceStatus.registered)).first()
