"""Attendance: one person's mark, recorded or corrected (with a reason) where the session and
the registration allow it; the answers to the sessions' signals (a recorded mark keeps its
registration, and its session's time); and self check-in with the host's code. The register's
page marks through register.py, walk-ins through walk_ins.py."""
import hmac
import secrets
import unicodedata
from datetime import timedelta

from flask import current_app
from flask_babel import LazyString, lazy_ngettext, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, exists, func, select

from gfp_portal.attendance import certificates
from gfp_portal.attendance.models import (
    CODE_ALPHABET,
    Attendance,
    AttendanceImport,
    AttendanceSource,
    AttendanceStatus,
    CheckInCode,
)
from gfp_portal.core.audit import log_action
from gfp_portal.core.db import added_unless_there, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Registration, RegistrationStatus, SessionStatus
from gfp_portal.sessions.signals import draft_deleting, registration_leaving, session_moved

DEFAULT_SETTINGS = {
    "attendance.check_in_opens_minutes": 15,
    "attendance.check_in_closes_minutes": 30,
    "attendance.present_percent": 75,
    "attendance.partial_percent": 25,
}

CODE_LENGTH = 6


def attendance_of(registration):
    return db.session.scalars(select(Attendance).where(
        Attendance.registration_id == registration.id)).first()


def _state(attendance):
    return {"status": attendance.status.value if attendance.status else None,
            "minutes": attendance.minutes,
            "source": attendance.source.value if attendance.source else None}


def attendance_status(value):
    """`value` as an AttendanceStatus, or a translated refusal."""
    try:
        return AttendanceStatus(value)
    except ValueError:
        raise DomainError("bad_status", _l("“%(value)s” is not an attendance status.",
                                           value=str(value)[:40])) from None


def refuse_if_cancelled(session):
    """A cancelled session trained nobody: no attendance is recorded for it."""
    if session.is_cancelled:
        raise DomainError("cancelled", _l("This session is cancelled: no attendance is "
                                          "recorded."))


def refuse_if_draft(session):
    """A draft has not been held: its register records nothing until it is published."""
    if session.status == SessionStatus.draft:
        raise DomainError("draft", _l("This session is a draft: no attendance is recorded "
                                      "until it is published."))


def refuse_unless_held(session):
    """Only a published session takes place: nobody is added to a draft or a cancelled
    one (a walk-in, or a line of a meeting report)."""
    if session.status != SessionStatus.published:
        raise DomainError("not_held", _l("This session is not taking place; nobody can be "
                                         "added to it."))


def mark(registration, status, *, minutes=None, source=AttendanceSource.manual, actor,
         reason=None, now=None, report=None):
    """Record or correct one person's attendance (never at a cancelled session). Correcting
    a recorded status needs a reason (it is audited); a waitlisted walk-in marked present
    becomes registered."""
    now = now or utcnow()
    status = attendance_status(status)
    session = registration.session
    refuse_if_cancelled(session)
    if registration.status == RegistrationStatus.cancelled:
        raise DomainError("not_registered", _l("This person's registration is cancelled."))
    if minutes is not None and not 0 <= minutes <= session.duration_minutes * 2:
        raise DomainError("bad_minutes", _l("Minutes attended must be between 0 and %(max)s.",
                                            max=session.duration_minutes * 2), field="minutes")
    if registration.status == RegistrationStatus.waitlisted and status.attended and \
            now < check_in_window(session)[0]:
        # Before the session, a seat goes to the waiting list in its order, invited.
        raise DomainError("waitlisted_before_start", _l(
            "%(name)s is on the waiting list: a seat is given in the order of the list when "
            "one is freed; a walk-in is marked once the session is under way.",
            name=registration.person.full_name))
    attendance = attendance_of(registration)
    before = _state(attendance) if attendance else {}
    # Marking the exceptions right after "all present" is not a correction; changing a status
    # recorded earlier (an hour or more) is, and says why.
    if attendance is not None and attendance.status != status and \
            source == AttendanceSource.manual and not (reason or "").strip() and \
            attendance.recorded_at < now - timedelta(hours=1):
        raise DomainError("reason_required", _l("Give the reason for correcting a recorded "
                                                "attendance."), field="reason")
    if attendance is None:
        new = Attendance(registration=registration, status=status, minutes=minutes,
                         source=source, recorded_by_id=getattr(actor, "id", None),
                         recorded_at=now, report=report)
        attendance = added_unless_there(new, lambda: attendance_of(registration))
        if attendance is not new:
            # Marked at the same moment by another request (a check-in as the host marks
            # everyone present): this mark is recorded on that row, the batch kept whole.
            before = _state(attendance)
    if registration.status == RegistrationStatus.waitlisted and status.attended:
        registration.status = RegistrationStatus.registered  # a walk-in takes a seat
        registration.registered_at = now
    attendance.status, attendance.minutes, attendance.source = status, minutes, source
    attendance.recorded_by_id = getattr(actor, "id", None)
    attendance.recorded_at = now
    attendance.report = report
    db.session.flush()
    changes = {k: [before.get(k), v] for k, v in _state(attendance).items()
               if before.get(k) != v}
    if changes:
        log_action("attendance.mark", attendance, actor=actor, now=now, reason=reason,
                   changes=changes)
        # A certificate the corrected mark no longer earns must not stay valid (nor one it
        # revoked stay revoked once the mark is corrected back).
        certificates.follow_mark(attendance, actor=actor, reason=reason, now=now)
    return attendance


@draft_deleting.connect
def forget_draft(session, **_extra):
    """A deleted draft takes its check-in code and its meeting reports with it (nobody being
    registered, a report imported into a draft recorded no attendance)."""
    for model in (CheckInCode, AttendanceImport):
        db.session.execute(delete(model).where(model.session_id == session.id))


@registration_leaving.connect
def keep_marked_registrations(registration, *, by_coordinator, **_extra):
    """A registration whose attendance is recorded stays: the register shows only those not
    cancelled, and a mark left behind one would still earn its certificate. The mark is
    corrected on the register instead."""
    if not db.session.scalar(select(exists().where(
            Attendance.registration_id == registration.id))):
        return
    if by_coordinator:
        raise DomainError("attendance_recorded", _l(
            "The attendance of %(name)s is recorded: correct it on the register rather than "
            "remove them.", name=registration.person.full_name))
    raise DomainError("attendance_recorded", _l(
        "Your attendance at this session is already recorded: your registration can no longer "
        "be cancelled."))


@session_moved.connect
def keep_marks_within_their_session(session, **_extra):
    """A session moved to a later time is not the one whose attendance was recorded: a mark
    taken before its new check-in opens would earn a certificate for a session not yet held.
    A start put back within the check-in margin still moves."""
    early = db.session.scalar(select(func.count()).select_from(Attendance).join(
        Registration).where(Registration.session_id == session.id,
                            Attendance.recorded_at < check_in_window(session)[0]))
    if early:
        raise DomainError("attendance_before_start", lazy_ngettext(
            "The attendance of %(num)s person was recorded before the new start: a session "
            "already held cannot be moved to a later time. Create a new session instead.",
            "The attendance of %(num)s people was recorded before the new start: a session "
            "already held cannot be moved to a later time. Create a new session instead.",
            early), field="starts_at")


# --- self check-in ----------------------------------------------------------------------------

# The longest a check-in may open before a session's start or stay open after its end (the
# bound of both settings on the settings page).
CHECK_IN_MARGIN_MINUTES = 240


def check_in_window(session):
    opens = session.starts_at - timedelta(
        minutes=int(get_setting("attendance.check_in_opens_minutes")))
    closes = session.ends_at + timedelta(
        minutes=int(get_setting("attendance.check_in_closes_minutes")))
    return opens, closes


def check_in_is_open(session, now):
    """Whether self check-in is open at `now` (never at a cancelled session). A session
    further away than the longest margin is decided without reading the settings (the page
    of a coming session reads none)."""
    margin = timedelta(minutes=CHECK_IN_MARGIN_MINUTES)
    if session.is_cancelled or now < session.starts_at - margin or \
            now > session.ends_at + margin:
        return False
    opens, closes = check_in_window(session)
    return opens <= now <= closes


def check_in_code(session):
    """The code the host shows and check-in accepts: the one drawn at the last rotation, or
    until then one derived from the session and the portal's secret key, so that showing the
    register writes nothing."""
    row = db.session.get(CheckInCode, session.id)
    return row.code if row is not None else _first_code(session.id)


def _first_code(session_id):
    secret = current_app.config["SECRET_KEY"]
    key = secret if isinstance(secret, bytes) else secret.encode()
    number = int.from_bytes(hmac.digest(key, f"check-in:{session_id}".encode(), "sha256"))
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def rotate_code(session, *, actor, now=None):
    """Draw a new code for the session: the previous one no longer works. Not for a session
    cancelled or still a draft, where nobody checks in."""
    now = now or utcnow()
    refuse_if_cancelled(session)
    refuse_if_draft(session)
    previous = check_in_code(session)
    code = previous
    while code == previous:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    row = db.session.get(CheckInCode, session.id)
    if row is None:
        db.session.add(CheckInCode(session_id=session.id, code=code, created_at=now))
    else:
        row.code, row.created_at = code, now
    db.session.flush()
    log_action("check_in.rotate", session, actor=actor, now=now)
    return code


def typed_code(text):
    """A code as typed on any keyboard, in the alphabet codes are drawn from: spaces dropped,
    wide letters and every script's digits (Arabic-Indic ones included) read as ASCII."""
    text = unicodedata.normalize("NFKC", "".join((text or "").split())).upper()
    return "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in text)


def _check_in_hours(opens, closes):
    """When self check-in is open: a sentence for each margin, each counting its own minutes
    (an Office setting from 0 to 240)."""
    return " ".join((
        ngettext("Check-in opens %(num)s minute before the session starts.",
                 "Check-in opens %(num)s minutes before the session starts.", opens),
        ngettext("Check-in closes %(num)s minute after the session ends.",
                 "Check-in closes %(num)s minutes after the session ends.", closes)))


def check_in(session, person, code, *, now=None):
    """A registered person enters the code the host shows: marked present (self check-in)."""
    now = now or utcnow()
    if session.is_cancelled:
        raise DomainError("cancelled", _l("This session is cancelled: nobody checks in."))
    opens, closes = check_in_window(session)
    if not opens <= now <= closes:
        raise DomainError("outside_window", LazyString(
            _check_in_hours, int(get_setting("attendance.check_in_opens_minutes")),
            int(get_setting("attendance.check_in_closes_minutes"))))
    if not secrets.compare_digest(typed_code(code).encode(), check_in_code(session).encode()):
        raise DomainError("wrong_code", _l("This is not the code of this session. Check it "
                                           "with the host."), field="code")
    registration = db.session.scalars(select(Registration).where(
        Registration.session_id == session.id, Registration.person_id == person.id,
        Registration.status == RegistrationStatus.registered)).first()
    if registration is None:
        raise DomainError("not_registered", _l("You are not registered for this session; "
                                               "ask the host to add you."))
    attendance = attendance_of(registration)
    if attendance is not None and attendance.status.attended:
        return attendance
    return mark(registration, AttendanceStatus.present, source=AttendanceSource.self_check_in,
                minutes=None, actor=None, now=now)
