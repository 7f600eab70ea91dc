"""Agenda items of a session and their presenters; guests, their invitation links and their
places at sessions.

Guests are kept in tables of their own, never as people of the registry: a guest has no
appointment, no entity and no account, so the registry's lists, search and exports, the
coverage, the network's figures and the parity pages — which all read `people` and
`appointments` — cannot count one. A guest's place (GuestRegistration) is not a Registration
either: the seats of a session, its waiting list and its attendance figures stay those of the
network, and guests take the places their invitation link offers instead. A guest's data is
kept to what the session needs: a name, an email address, an organisation, a sector and a
language.
"""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.accounts.models import User
from gfp_portal.attendance.models import AttendanceStatus
from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.sessions.models import Multilingual, TrainingSession


class Sector(TitledEnum):
    member_state = _l("Member State")
    academia = _l("Academia")
    civil_society = _l("Civil society")
    private_sector = _l("Private sector")
    other = _l("Other")


class GuestPlaceStatus(TitledEnum):
    pending = _l("Awaiting email confirmation")
    registered = _l("Registered")
    cancelled = _l("Cancelled")


class AgendaItem(Multilingual, db.Model):
    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    title_ar: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_fr: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    description_ar: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship()
    presenters: Mapped[list["AgendaPresenter"]] = relationship(
        back_populates="item", order_by="AgendaPresenter.id", cascade="all, delete-orphan")


class Guest(db.Model):
    """An outside speaker or participant. The email address is confirmed (`verified_at`) by
    the link of a place; a guest presenter added by the Office may have none."""

    __tablename__ = "guests"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Kept in lower case: one guest per address.
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    organisation: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = enum_column(Sector, length=20)
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the retention periods once every session of theirs is long over (privacy).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def full_name(self):
        return self.name

    def __str__(self):
        return self.name


class AgendaPresenter(db.Model):
    """One presenter of an item: a person of the registry, a member of the Office (a user), or
    a guest — exactly one of the three."""

    __tablename__ = "agenda_presenters"
    __table_args__ = (
        CheckConstraint("(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) + "
                        "(CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) + "
                        "(CASE WHEN guest_id IS NULL THEN 0 ELSE 1 END) = 1",
                        name="one_presenter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_items.id", ondelete="CASCADE"),
                                         index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guests.id"), index=True)

    item: Mapped[AgendaItem] = relationship(back_populates="presenters")
    person: Mapped[Person | None] = relationship()
    user: Mapped[User | None] = relationship()
    guest: Mapped[Guest | None] = relationship()

    @property
    def name(self):
        if self.person is not None:
            return self.person.full_name
        if self.guest is not None:
            return self.guest.name
        return self.user.display_name

    @property
    def affiliation(self):
        """The guest's organisation; the Office for its staff; the entity of a person."""
        if self.guest is not None:
            return self.guest.organisation
        if self.person is not None:
            return self.person.entity.acronym if self.person.entity else None
        return None


class GuestInvitation(db.Model):
    """A link the Office hands out for a session: whoever has it may ask for a place, which
    their email address then confirms. It may offer a number of places, and be revoked."""

    __tablename__ = "guest_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    # Meant to be passed on (it is the link itself), so kept as it is, not as a digest.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    places: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    session: Mapped[TrainingSession] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class GuestRegistration(db.Model):
    """A guest's place at a session, with their attendance, certificate and evaluation."""

    __tablename__ = "guest_registrations"
    __table_args__ = (UniqueConstraint("session_id", "guest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"), index=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guests.id"), index=True)
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("guest_invitations.id"),
                                                      index=True)
    status: Mapped[GuestPlaceStatus] = enum_column(GuestPlaceStatus)
    # The guest's own link (confirmation, then their place and certificate), as a digest.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The SEQUENCE of the last calendar email sent for this place: an invitation, the
    # cancellation of its session, or that of the place (none before it was kept).
    invited_sequence: Mapped[int | None]
    # The reminder of the session's start, sent once (again when the start moves).
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance: Mapped[AttendanceStatus | None] = enum_column(AttendanceStatus, nullable=True)
    attendance_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    certificate_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The evaluation: the guest's link to it (sent once, as a digest), and the day it was
    # answered (once; the answers are kept apart, as everyone's).
    evaluation_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    evaluation_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evaluated_on: Mapped[datetime | None] = mapped_column(UTCDateTime)

    session: Mapped[TrainingSession] = relationship()
    guest: Mapped[Guest] = relationship()
    invitation: Mapped[GuestInvitation | None] = relationship()

    # What the certificate pages read of a certificate.
    @property
    def code(self):
        return self.certificate_code

    @property
    def person(self):
        return self.guest

    @property
    def is_revoked(self):
        return False
