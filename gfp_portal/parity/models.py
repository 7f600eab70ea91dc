"""Parity figures and the imports they came from."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, utcnow
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity

HEADQUARTERS, FIELD = "headquarters", "field"


class ParityImport(db.Model):
    """A file of figures applied: importing the same file (checksum) again changes nothing
    while its figures are all kept; once a later file replaced some, it restores them (an
    import of its own)."""

    __tablename__ = "parity_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    rows: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ParityFigure(db.Model):
    """The women and men of one entity in one quarter, for one grade (or staff category), one
    kind of duty station (headquarters, field, or the ISO3 of a UN Country Team) and one age
    group ("" when the figures are not split by age)."""

    __tablename__ = "parity_figures"
    __table_args__ = (
        UniqueConstraint("entity_id", "year", "quarter", "grade", "station", "age_group",
                         name="uq_parity_figures_key"),
        CheckConstraint("women >= 0 AND men >= 0", name="counts"),
        CheckConstraint("quarter BETWEEN 1 AND 4", name="quarter"),
        Index("ix_parity_figures_period", "year", "quarter"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("parity_imports.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    year: Mapped[int] = mapped_column(SmallInteger)
    quarter: Mapped[int] = mapped_column(SmallInteger)
    grade: Mapped[str] = mapped_column(String(16))
    station: Mapped[str] = mapped_column(String(12))
    age_group: Mapped[str] = mapped_column(String(20), default="")
    women: Mapped[int]
    men: Mapped[int]

    entity: Mapped[Entity] = relationship()
    source: Mapped[ParityImport] = relationship()


class ParityTotal(db.Model):
    """The women and men of one entity in one quarter, all its figures together. Each import
    writes them with the figures (parity.imports.apply_figures), so that the overview and the
    pages showing each entity's latest share read one row per entity and quarter instead of
    summing every figure on every view."""

    __tablename__ = "parity_totals"

    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    quarter: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    women: Mapped[int]
    men: Mapped[int]
