"""PlanPeriod, ImplementationPlan and what a plan holds: its responsible focal points, document
versions per language, targets by grade and year, the Office's review notes and the reminders
sent."""
from datetime import date, datetime

from flask_babel import lazy_pgettext
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, association_table, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry.models import NAME_ORDER, Person, in_name_order


class PlanStatus(TitledEnum):
    """The status a plan is given; "overdue" is never stored (see Standing)."""
    not_started = lazy_pgettext("plan status", "Not started")
    in_preparation = lazy_pgettext("plan status", "In preparation")
    submitted = lazy_pgettext("plan status", "Submitted")
    updated = lazy_pgettext("plan status", "Updated")


class Standing(TitledEnum):
    """Where a plan stands as a page shows it: its status, or overdue once the period's
    deadline has passed and it is neither submitted nor updated."""
    updated = lazy_pgettext("plan status", "Updated")
    submitted = lazy_pgettext("plan status", "Submitted")
    in_preparation = lazy_pgettext("plan status", "In preparation")
    not_started = lazy_pgettext("plan status", "Not started")
    overdue = lazy_pgettext("plan status", "Overdue")


DONE = (PlanStatus.submitted, PlanStatus.updated)


def standing_of(status, deadline, today):
    """The plan's standing on `today`: overdue the day after the deadline, not on it."""
    if status not in DONE and deadline < today:
        return Standing.overdue
    return Standing(status.value)


class PlanPeriod(db.Model):
    __tablename__ = "plan_periods"
    __table_args__ = (CheckConstraint("first_year <= last_year", name="years_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)
    first_year: Mapped[int]
    last_year: Mapped[int]
    deadline: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self):
        """The name as a page or an HTML email shows it: isolated left to right, so that
        "2022–2024" keeps its order inside a right-to-left sentence. Plain text gives the name
        alone: many mail programs show the marks as stray boxes."""
        return f"\u2066{self.name}\u2069"

    @property
    def years(self):
        return list(range(self.first_year, self.last_year + 1))

    def __str__(self):
        return self.name


plan_responsibles = association_table("plan_responsibles",
                                      ("plan_id", "implementation_plans.id"),
                                      ("person_id", "people.id"), index_second=True)


class ImplementationPlan(db.Model):
    __tablename__ = "implementation_plans"
    __table_args__ = (UniqueConstraint("entity_id", "period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), index=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("plan_periods.id"), index=True)
    status: Mapped[PlanStatus] = enum_column(PlanStatus, length=20,
                                             default=PlanStatus.not_started, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    entity: Mapped[Entity] = relationship()
    period: Mapped[PlanPeriod] = relationship()
    # In the registry's shared order of names; a page lists them in the reader's
    # (responsible_by_name).
    responsible: Mapped[list[Person]] = relationship(secondary=plan_responsibles,
                                                     order_by=NAME_ORDER)
    documents: Mapped[list["PlanDocument"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanDocument.language, PlanDocument.uploaded_at.desc(), "
                 "PlanDocument.id.desc())")
    targets: Mapped[list["PlanTarget"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanTarget.grade, PlanTarget.year)")
    notes: Mapped[list["PlanNote"]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanNote.created_at, PlanNote.id)")

    def standing(self, today):
        return standing_of(self.status, self.period.deadline, today)

    def current_documents(self):
        """{language: its newest version}."""
        current = {}
        for document in self.documents:
            current.setdefault(document.language, document)
        return current

    def is_responsible(self, person_id):
        return person_id is not None and any(p.id == person_id for p in self.responsible)

    @property
    def responsible_by_name(self):
        """The responsible people in the reader's order of names, as the registry lists them."""
        return in_name_order(self.responsible)

    def __str__(self):
        return f"{self.entity.acronym} · {self.period.label}"


class PlanDocument(db.Model):
    __tablename__ = "plan_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("implementation_plans.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(String(8))
    # The file, stored under a generated key (core.storage).
    file_key: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(160))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[ImplementationPlan] = relationship(back_populates="documents")
    uploaded_by = relationship("User")


class PlanTarget(db.Model):
    __tablename__ = "plan_targets"
    __table_args__ = (
        UniqueConstraint("plan_id", "grade", "year"),
        CheckConstraint("women_percent >= 0 AND women_percent <= 100", name="percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("implementation_plans.id", ondelete="CASCADE"), index=True)
    grade: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    women_percent: Mapped[int]

    plan: Mapped[ImplementationPlan] = relationship(back_populates="targets")


class PlanNote(db.Model):
    """A review note of the Office: written once, never changed."""
    __tablename__ = "plan_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("implementation_plans.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    plan: Mapped[ImplementationPlan] = relationship(back_populates="notes")
    author = relationship("User")


class PlanReminder(db.Model):
    """A deadline reminder already sent: (plan, threshold in days) is sent once."""
    __tablename__ = "plan_reminders"
    __table_args__ = (UniqueConstraint("plan_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("implementation_plans.id", ondelete="CASCADE"), index=True)
    threshold: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recipients: Mapped[int] = mapped_column(default=0)
