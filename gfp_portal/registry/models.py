"""Person: a focal point, an alternate or anyone the network keeps a record of."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, utcnow
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity


class Person(db.Model):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Names are kept exactly as entered: no re-casing, no splitting.
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    position_title: Mapped[str | None] = mapped_column(String(200))
    grade: Mapped[str | None] = mapped_column(String(16))
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"))
    duty_station_id: Mapped[int | None] = mapped_column(ForeignKey("duty_stations.id"))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    directory_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entity: Mapped[Entity | None] = relationship()
    duty_station: Mapped[DutyStation | None] = relationship()

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    def __str__(self):
        return self.full_name


# Email addresses are unique whatever their case.
Index("uq_people_email_lower", func.lower(Person.email), unique=True)
