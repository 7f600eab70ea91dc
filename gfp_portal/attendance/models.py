"""Attendance per registration, its import provenance, evaluations kept apart from who gave
them, and certificates of attendance."""
import uuid
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.sessions.models import Registration, TrainingSession


class AttendanceStatus(TitledEnum):
    present = _l("Present")
    partial = _l("Partly present")
    absent = _l("Absent")
    excused = _l("Excused")

    @property
    def attended(self):
        return self in ATTENDED


# The marks that count as having attended a session: for the figures, the learning record,
# certificates and evaluations.
ATTENDED = (AttendanceStatus.present, AttendanceStatus.partial)


# The letters of check-in and certificate codes. No 0/O, 1/I/L: read aloud and typed on a
# phone without confusion.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class AttendanceSource(TitledEnum):
    manual = _l("Recorded by the Office")
    self_check_in = _l("Self check-in")
    import_ = "import", _l("Meeting report")


class AttendanceImport(db.Model):
    """A meeting report applied to a session: importing the same file twice changes nothing."""

    __tablename__ = "attendance_imports"
    __table_args__ = (UniqueConstraint("session_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    report_format: Mapped[str] = mapped_column(String(16))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    imported_by = relationship("User")


class Attendance(db.Model):
    __tablename__ = "attendances"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), unique=True)
    status: Mapped[AttendanceStatus] = enum_column(AttendanceStatus)
    minutes: Mapped[int | None]
    source: Mapped[AttendanceSource] = enum_column(AttendanceSource)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("attendance_imports.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()
    recorded_by = relationship("User")
    report: Mapped[AttendanceImport | None] = relationship()


class EvaluationResponse(db.Model):
    """Who answered a session's evaluation (one each), without the answers."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The day only: an exact time would let answers be matched to people by time.
    submitted_on: Mapped[datetime] = mapped_column(UTCDateTime)


class EvaluationAnswer(db.Model):
    """What was answered, with no link to who answered it: a random key and no time, so the
    order of the rows tells nothing either."""

    __tablename__ = "evaluation_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True,
                                    default=lambda: uuid.uuid4().hex)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    applicable: Mapped[bool]
    rating: Mapped[str] = mapped_column(String(16))
    belonging: Mapped[bool]
    empowered: Mapped[bool]
    comment: Mapped[str | None] = mapped_column(Text)
    # Set only for answers that must be found again to erase what was written (a guest's, at
    # their anonymisation): a key made with the application's secret, which the database
    # does not hold, so that nothing stored links the answer to its writer.
    erasure_key: Mapped[str | None] = mapped_column(String(64), index=True)


class EvaluationReminder(db.Model):
    __tablename__ = "evaluation_reminders"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckInCode(db.Model):
    """The short code the host shows during a session; rotating it ends the old one."""

    __tablename__ = "check_in_codes"

    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"),
                                            primary_key=True)
    code: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Certificate(db.Model):
    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(Text)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Revoked because a corrected mark no longer earned it (not by a coordinator's decision):
    # correcting the mark back makes it valid again.
    revoked_by_mark: Mapped[bool] = mapped_column(default=False, server_default=false())

    person: Mapped[Person] = relationship()
    session: Mapped[TrainingSession] = relationship()
    registration: Mapped[Registration] = relationship()

    @property
    def is_revoked(self):
        return self.revoked_at is not None
