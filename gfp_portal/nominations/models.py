"""Nomination: a proposal that a person take a focal-point role for an entity and a scope."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, and_, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry.models import Appointment, AppointmentRole, Person, scope_name


class NominationKind(TitledEnum):
    # by a Resident Coordinator or a coordinator
    nomination = _l("Nomination")
    # by the appointee, through /join
    self_registration = _l("Self-registration")


class NominationState(TitledEnum):
    # a self-registration whose email address is not confirmed yet
    unverified = _l("Email address not confirmed")
    submitted = _l("Submitted")
    changes_requested = _l("Changes requested")
    approved = _l("Approved")
    rejected = _l("Rejected")
    withdrawn = _l("Withdrawn")

    @property
    def is_pending(self):
        return self in PENDING_STATES


PENDING_STATES = (NominationState.submitted, NominationState.changes_requested)
# Still open: a request to join whose address is to be confirmed, or anything with the Office.
OPEN_STATES = (NominationState.unverified, *PENDING_STATES)


class Nomination(db.Model):
    __tablename__ = "nominations"
    __table_args__ = (
        CheckConstraint("time_share IS NULL OR (time_share >= 0 AND time_share <= 100)",
                        name="time_share_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[NominationKind] = enum_column(NominationKind, length=20,
                                               default=NominationKind.nomination)
    state: Mapped[NominationState] = enum_column(NominationState, length=20,
                                                 default=NominationState.submitted, index=True)
    role: Mapped[AppointmentRole] = enum_column(AppointmentRole)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    # No UNCT means the headquarters scope (a head of entity's nomination).
    unct_id: Mapped[int | None] = mapped_column(ForeignKey("uncts.id"), index=True)

    # The nominee, as the nominator describes them; copied to the registry on approval.
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    position_title: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(16))
    duty_station_id: Mapped[int | None] = mapped_column(ForeignKey("duty_stations.id"))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")

    time_share: Mapped[int | None]
    tor_acknowledged: Mapped[bool] = mapped_column(default=False)
    start_date: Mapped[date | None]
    justification: Mapped[str] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))

    # The optional nomination letter, stored under a generated key (core.storage).
    letter_key: Mapped[str | None] = mapped_column(String(64))
    letter_filename: Mapped[str | None] = mapped_column(String(160))
    letter_content_type: Mapped[str | None] = mapped_column(String(120))
    letter_size: Mapped[int | None]
    letter_sha256: Mapped[str | None] = mapped_column(String(64))

    # None for a self-registration: the applicant has no account before approval.
    nominator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A self-registration's single-use link (SHA-256 of it): to confirm the email address
    # while unverified, to amend the request while changes are requested.
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The coordinator's last comment (changes requested) or reason (rejection).
    decision_note: Mapped[str | None] = mapped_column(Text)
    # When coordinators were told of the latest submission (at once, or in the daily digest).
    coordinators_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))

    entity: Mapped[Entity] = relationship()
    unct: Mapped[Unct | None] = relationship()
    duty_station: Mapped[DutyStation | None] = relationship()
    replaces: Mapped[Appointment | None] = relationship(foreign_keys=[replaces_id])
    appointment: Mapped[Appointment | None] = relationship(foreign_keys=[appointment_id])
    person: Mapped[Person | None] = relationship()
    nominator = relationship("User", foreign_keys=[nominator_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def nominee_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def scope_label(self):
        return scope_name(self.entity, self.unct)

    @property
    def is_self_registration(self):
        return self.kind == NominationKind.self_registration

    @property
    def has_letter(self):
        return self.letter_key is not None

    def __str__(self):
        return self.nominee_name


def _scope_key():
    return func.coalesce(Nomination.unct_id, 0)


# One pending nomination per (entity, scope, role): the second one is refused, also when two
# nominators press "submit" at the same moment. Self-registrations are reviewed beside them.
_pending = and_(Nomination.kind == "nomination",
                Nomination.state.in_(["submitted", "changes_requested"]))
Index("uq_nominations_one_pending", Nomination.entity_id, _scope_key(), Nomination.role,
      unique=True, postgresql_where=_pending, sqlite_where=_pending)
