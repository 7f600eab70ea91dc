"""InductionPath (one per person, from their first appointment), the documents they opened
and the induction sessions they were invited to."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, utcnow
from gfp_portal.extensions import db
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.resources.models import Resource
from gfp_portal.sessions.models import TrainingSession


class InductionPath(db.Model):
    """A newly appointed person's induction: started by their appointment, complete when every
    step of the checklist is done (the steps are read from what they did, see progress.py)."""

    __tablename__ = "induction_paths"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), unique=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Ticked by the person once they have opened the terms of reference.
    terms_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last reminder or invitation email: at most one reminder a week.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship()
    appointment: Mapped[Appointment | None] = relationship()
    openings: Mapped[list["InductionOpening"]] = relationship(back_populates="path")


class InductionOpening(db.Model):
    """A document of the path (the terms of reference, a key guideline) the person opened."""

    __tablename__ = "induction_openings"
    __table_args__ = (UniqueConstraint("path_id", "resource_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("induction_paths.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    language: Mapped[str] = mapped_column(String(8))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    path: Mapped[InductionPath] = relationship(back_populates="openings")
    resource: Mapped[Resource] = relationship()


class InductionInvitation(db.Model):
    """An induction session the person was invited to by email (once per session)."""

    __tablename__ = "induction_invitations"
    __table_args__ = (UniqueConstraint("path_id", "session_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    path_id: Mapped[int] = mapped_column(ForeignKey("induction_paths.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship()
