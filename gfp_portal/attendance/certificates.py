"""Certificates of attendance: issued after the session to people marked present, verified
publicly by code, revoked with a reason."""
import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from gfp_portal.attendance.models import CODE_ALPHABET, Attendance, AttendanceStatus, Certificate
from gfp_portal.core.audit import log_action
from gfp_portal.core.db import added_unless_there, utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Registration

CERTIFICATE_CODE_LENGTH = 10


def _new_code():
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CERTIFICATE_CODE_LENGTH))
        if db.session.scalars(select(Certificate.id).filter_by(code=code)).first() is None:
            return code


def refusal(session, attendance, *, now=None):
    """Why no certificate can be issued for this attendance (None when one can): only for a
    session held (not cancelled), once it has ended, to people marked present, for enough of
    the scheduled time when the minutes are known (a self check-in records none)."""
    now = now or utcnow()
    if session.is_cancelled:
        return DomainError("cancelled", _l("No certificate is issued for a cancelled "
                                           "session."))
    if now < session.ends_at:
        return DomainError("not_ended", _l("Certificates are issued after the session has "
                                           "ended."))
    return _unearned(session, attendance)


def _unearned(session, attendance):
    """Why this attendance does not earn a certificate, whenever asked (None when it does)."""
    if attendance is None or attendance.status != AttendanceStatus.present:
        return DomainError("not_present", _l("Certificates are issued to people marked present "
                                             "at the session."))
    share = int(get_setting("attendance.present_percent"))
    if attendance.minutes is not None and \
            100 * attendance.minutes < share * session.duration_minutes:
        return DomainError("below_threshold", _l(
            "Certificates are issued for attending at least %(percent)s %% of the session.",
            percent=share))
    return None


def _earned(session, person, now):
    """The person's registration for the session, once it earns a certificate (else the
    DomainError that says why not, from `refusal`), with its certificate if issued."""
    registration = db.session.scalars(select(Registration).where(
        Registration.session_id == session.id, Registration.person_id == person.id)).first()
    attendance = registration and db.session.scalars(select(Attendance).filter_by(
        registration_id=registration.id)).first()
    error = refusal(session, attendance, now=now)
    if error is not None:
        raise error
    return registration, db.session.scalars(select(Certificate).filter_by(
        registration_id=registration.id)).first()


def issued_certificate(session, person, *, now=None):
    """The person's certificate for the session if it is issued, None while it is earned
    but not issued yet; reading it writes nothing (see `refusal` for the DomainError)."""
    return _earned(session, person, now)[1]


def certificate_for(session, person, *, now=None):
    """The person's certificate for the session, issued now if it is not yet (see `refusal`)."""
    registration, certificate = _earned(session, person, now)
    if certificate is not None:
        return certificate
    certificate = Certificate(code=_new_code(), registration_id=registration.id,
                              person_id=person.id, session_id=session.id,
                              issued_at=now or utcnow())
    # Asked twice at once (a double click): the one issued first is the certificate.
    issued = added_unless_there(certificate, lambda: db.session.scalars(select(
        Certificate).filter_by(registration_id=registration.id)).first())
    if issued is not certificate:
        return issued
    log_action("certificate.issue", certificate, actor=None, now=now)
    return certificate


def find(code):
    return db.session.scalars(select(Certificate).filter_by(
        code="".join((code or "").split()).upper())).first()


def revoke(certificate, reason, *, actor, now=None):
    now = now or utcnow()
    if certificate.is_revoked:
        raise DomainError("already_revoked", _l("This certificate is already revoked."))
    reason = required_text(reason, "reason_required",
                           _l("Give the reason for revoking the certificate."), field="reason")
    certificate.revoked_at, certificate.revoked_reason = now, reason
    certificate.revoked_by_id = actor.id
    db.session.flush()
    log_action("certificate.revoke", certificate, actor=actor, now=now, reason=reason)


def follow_mark(attendance, *, actor, reason=None, now=None):
    """Keep the certificate of `attendance`'s registration in line with its corrected mark:
    revoked when the mark no longer earns one (absent, partly present, too few minutes), so
    that the verification page stops calling it valid; valid again, with its code, when a
    mark corrected back earns it, unless a coordinator revoked it. Audited; returns the
    certificate changed, if any."""
    now = now or utcnow()
    certificate = db.session.scalars(select(Certificate).where(
        Certificate.registration_id == attendance.registration_id)).first()
    if certificate is None:
        return None
    earned = _unearned(certificate.session, attendance) is None
    if not certificate.is_revoked and not earned:
        certificate.revoked_at, certificate.revoked_reason = now, reason
        certificate.revoked_by_id = getattr(actor, "id", None)
        certificate.revoked_by_mark = True
        action = "certificate.revoke"
    elif certificate.revoked_by_mark and earned:
        certificate.revoked_at = certificate.revoked_reason = certificate.revoked_by_id = None
        certificate.revoked_by_mark = False
        action = "certificate.reinstate"
    else:
        return None
    db.session.flush()
    log_action(action, certificate, actor=actor, now=now, reason=reason)
    return certificate
