"""Good practices and success stories (with their language versions and contacts), and the
awards of the network."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, association_table, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import LanguageVersion, LanguageVersions
from gfp_portal.core.search import keep_search_key
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry.models import NAME_ORDER, Person, in_name_order


class GuidelineArea(TitledEnum):
    """The areas of the Enabling Environment Guidelines, and the field-specific guidelines."""

    flexible_working = _l("Flexible working and work-life integration")
    standards_of_conduct = _l("Standards of conduct")
    security_and_safety = _l("Security and safety")
    well_being = _l("Well-being")
    talent = _l("Recruitment, talent management and retention")
    leadership = _l("Leadership and accountability")
    field_specific = _l("Field-specific measures")


class PracticeState(TitledEnum):
    submitted = _l("Submitted")
    changes_requested = _l("Changes requested")
    published = _l("Published")
    declined = _l("Declined")


# The states in which the person who submitted a practice may still change it.
OPEN_STATES = (PracticeState.submitted, PracticeState.changes_requested)


practice_contacts = association_table("practice_contacts", ("practice_id", "practices.id"),
                                      ("person_id", "people.id"), index_second=True)


class Practice(LanguageVersions, db.Model):
    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    area: Mapped[GuidelineArea] = enum_column(GuidelineArea, length=24)
    state: Mapped[PracticeState] = enum_column(PracticeState, length=20,
                                               default=PracticeState.submitted, index=True)
    submitter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # The coordinator's last comment (changes requested) or reason (declined).
    decision_note: Mapped[str | None] = mapped_column(Text)

    entity: Mapped[Entity] = relationship()
    submitter = relationship("User", foreign_keys=[submitter_id])
    versions: Mapped[list["PracticeVersion"]] = relationship(
        back_populates="practice", cascade="all, delete-orphan",
        order_by="PracticeVersion.language")
    # In the registry's shared order of names; the page lists them in the reader's
    # (contacts_by_name).
    contacts: Mapped[list[Person]] = relationship(secondary=practice_contacts,
                                                  order_by=NAME_ORDER)

    @property
    def contacts_by_name(self):
        """The contacts in the reader's order of names, as the registry lists them."""
        return in_name_order(self.contacts)

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    def __str__(self):
        return self.title_or(f"#{self.id}")


class PracticeVersion(LanguageVersion, db.Model):
    """One language of a practice: title, summary, the measures taken and the results."""

    __tablename__ = "practice_versions"
    __table_args__ = (UniqueConstraint("practice_id", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practices.id", ondelete="CASCADE"),
                                             index=True)
    # The measures taken.
    body: Mapped[str] = mapped_column(Text, default="")
    # The figures before and after, as the entity states them ("women in P and higher
    # categories: 32 % in 2020, 41 % in 2023"): free text, written in the version's language.
    results: Mapped[str] = mapped_column(Text, default="")
    search_key: Mapped[str] = mapped_column(Text, default="")

    practice: Mapped[Practice] = relationship(back_populates="versions")


keep_search_key(PracticeVersion, "search_key", "title", "summary", "body", "results")


award_recipients = association_table("award_recipients", ("award_id", "awards.id"),
                                     ("person_id", "people.id"), index_second=True)


class Award(db.Model):
    """An award given at an event of the network to one or more people of the registry."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    event: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entity: Mapped[Entity | None] = relationship()
    # In the registry's shared order of names; the roll of honour lists them in the reader's
    # (recipients_by_name).
    recipients: Mapped[list[Person]] = relationship(secondary=award_recipients,
                                                    order_by=NAME_ORDER)
    citations: Mapped[list["AwardCitation"]] = relationship(
        cascade="all, delete-orphan", order_by="AwardCitation.language")

    @property
    def recipients_by_name(self):
        """The recipients in the reader's order of names, as the registry lists them."""
        return in_name_order(self.recipients)

    def version(self, language):
        return next((c for c in self.citations if c.language == language), None)

    def __str__(self):
        return f"{self.name} ({self.event})"


class AwardCitation(db.Model):
    __tablename__ = "award_citations"

    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"),
                                          primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
