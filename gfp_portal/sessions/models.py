"""TrainingSession (multilingual, in UTC with its own time zone), TrainingSeries, Registration."""
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import current_language, language_fields
from gfp_portal.core.search import keep_search_key
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person, roles_held_until


class Topic(db.Model):
    """A topic of training sessions, managed by the Office: a stable key (what sessions keep),
    a name in each language (English required), whether it is still offered for new sessions,
    and whether its sessions belong to the induction path of new focal points."""

    __tablename__ = "topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What sessions keep (training_sessions.topic): never changed once created.
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str | None] = mapped_column(String(200))
    name_es: Mapped[str | None] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    # Inactive topics stay on the sessions that have them but are not offered for new ones.
    is_active: Mapped[bool] = mapped_column(default=True)
    # Attending a session of every induction topic is a step of the induction path.
    is_induction: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def name(self, language):
        return getattr(self, f"name_{language}", None) or self.name_en

    @property
    def title(self):
        """The name in the reader's language (English when it has none)."""
        return self.name(current_language())

    def __str__(self):
        return self.name_en


class Format(TitledEnum):
    virtual = _l("Online")
    in_person = _l("In person")
    hybrid = _l("Hybrid (in person and online)")


class Audience(TitledEnum):
    both = _l("Focal points and alternates")
    focal_points = _l("Focal points")
    alternates = _l("Alternates")

    @property
    def roles(self):
        return {Audience.both: ("focal_point", "alternate"),
                Audience.focal_points: ("focal_point",),
                Audience.alternates: ("alternate",)}[self]

    def admits(self, roles):
        """Whether a person holding one of `roles` (those of their active appointments) may
        register for a session for this audience."""
        return not set(self.roles).isdisjoint(roles)

    @classmethod
    def admitting(cls, roles):
        """The audiences that admit a person holding one of `roles`."""
        return [audience for audience in cls if audience.admits(roles)]


class WaitlistPolicy(TitledEnum):
    """The order in which a full session's waiting list gets freed seats: the people a
    priority names first, then everyone in order of arrival."""
    first_come = _l("First come, first served")
    coverage_gap = _l("Priority to people whose team has a coverage gap")
    not_trained = _l("Priority to people not yet trained on the topic")
    below_parity = _l("Priority to people whose entity is below the parity "
                                      "range")


class SessionStatus(TitledEnum):
    draft = _l("Draft")
    published = _l("Published")
    cancelled = _l("Cancelled")


class RegistrationStatus(TitledEnum):
    registered = _l("Registered")
    waitlisted = _l("On the waiting list")
    cancelled = _l("Cancelled")


class Multilingual:
    """Text kept per language (`title_en`, `title_fr`…), read in a language with English as the
    fallback."""

    def text(self, field, language):
        return getattr(self, f"{field}_{language}", None) or getattr(self, f"{field}_en") or ""

    def text_language(self, field, language):
        """The language text(field, language) is in: for the `lang` attribute."""
        return language if getattr(self, f"{field}_{language}", None) else "en"


class TrainingSeries(Multilingual, db.Model):
    """Sessions that belong together, such as the three days of the Global Annual Meeting."""

    __tablename__ = "training_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    title_ar: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list["TrainingSession"]] = relationship(
        back_populates="series", order_by="TrainingSession.starts_at")


class TrainingSession(Multilingual, db.Model):
    __tablename__ = "training_sessions"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        Index("ix_training_sessions_listing", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("training_series.id"), index=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    title_es: Mapped[str | None] = mapped_column(String(200))
    title_ar: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_fr: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    description_ar: Mapped[str | None] = mapped_column(Text)
    # The key of its topic (topics.key); `topic_entry` is the topic itself.
    topic: Mapped[str] = mapped_column(ForeignKey("topics.key"))
    format: Mapped[Format] = enum_column(Format)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    join_url: Mapped[str | None] = mapped_column(String(500))
    venue: Mapped[str | None] = mapped_column(String(300))
    # Languages the session is delivered in, as codes separated by spaces ("en fr").
    languages: Mapped[str] = mapped_column(String(40), default="en")
    capacity: Mapped[int]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audience: Mapped[Audience] = enum_column(Audience, default=Audience.both)
    waitlist_policy: Mapped[WaitlistPolicy] = enum_column(
        WaitlistPolicy, length=32, default=WaitlistPolicy.first_come,
        server_default=WaitlistPolicy.first_come.value)
    status: Mapped[SessionStatus] = enum_column(SessionStatus, default=SessionStatus.draft)
    # SEQUENCE of the iCalendar event: raised on every material change (RFC 5546).
    ical_sequence: Mapped[int] = mapped_column(default=0)
    # Why it was cancelled: told to the people registered and shown on its page.
    cancellation_reason: Mapped[str | None] = mapped_column(Text)
    # The titles in every language without accents or case, for search (core.search).
    search_key: Mapped[str] = mapped_column(Text, default="")
    # Bumped by every registration change: taking the row's write lock serialises them.
    seats_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    series: Mapped[TrainingSeries | None] = relationship(back_populates="sessions")
    # Loaded with the session (a join): every page naming a session names its topic.
    topic_entry: Mapped[Topic] = relationship(lazy="joined", innerjoin=True)
    registrations: Mapped[list["Registration"]] = relationship(back_populates="session")

    @property
    def is_cancelled(self):
        """Whether the Office cancelled the session (it is then never held)."""
        return self.status == SessionStatus.cancelled

    @property
    def zone(self):
        return ZoneInfo(self.time_zone)

    @property
    def first_day(self):
        """The day the session starts where it is held (in its time zone)."""
        return self.starts_at.astimezone(self.zone).date()

    def admits_holder_of(self, terms):
        """Whether the holder of `terms` (their appointments that count as theirs today:
        registry.queries.current_terms) may register for the session themselves: it is for
        the role of a term still theirs on its first day. A term whose end was entered ahead
        admits its holder to the sessions up to its last day; an incoming holder's term,
        active, to any."""
        return self.audience.admits(roles_held_until(terms, self.first_day))

    @property
    def language_codes(self):
        return self.languages.split()

    @property
    def duration_minutes(self):
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def __str__(self):
        return self.title_en


keep_search_key(TrainingSession, "search_key", *language_fields("title"))


class Registration(db.Model):
    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        Index("ix_registrations_queue", "session_id", "status", "waitlisted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    status: Mapped[RegistrationStatus] = enum_column(RegistrationStatus)
    # Place in the queue: the earliest waitlisted person is promoted first.
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The SEQUENCE of the last calendar email sent for this registration: an invitation, the
    # cancellation of its session, or that of its place (none before it was kept).
    invited_sequence: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="registrations")
    person: Mapped[Person] = relationship()

    @property
    def status_since(self):
        """When the registration took its present status (a seat, a place on the waiting
        list, its cancellation)."""
        since = {RegistrationStatus.registered: self.registered_at,
                 RegistrationStatus.waitlisted: self.waitlisted_at,
                 RegistrationStatus.cancelled: self.cancelled_at}.get(self.status)
        return since or self.created_at
