"""Entity, Unct (with covered countries and member entities) and DutyStation."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from gfp_portal.core.db import association_table, enum_column
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import join_list
from gfp_portal.core.search import keep_search_key
from gfp_portal.extensions import db
from gfp_portal.reference.countries import country_name


class EntityType(TitledEnum):
    secretariat = _l("Secretariat department or office")
    mission = _l("Peacekeeping operation or political mission")
    fund_programme = _l("Fund or programme")
    specialized_agency = _l("Specialized agency")
    related_organization = _l("Related organization")
    research_training = _l("Research and training institute")
    other = _l("Other UN entity")


class Region(TitledEnum):
    africa = _l("Africa")
    arab_states = _l("Arab States")
    asia_pacific = _l("Asia-Pacific")
    europe_central_asia = _l("Europe and Central Asia")
    latin_america_caribbean = _l("Latin America and the Caribbean")


unct_members = association_table("unct_members", ("unct_id", "uncts.id"),
                                 ("entity_id", "entities.id"))


class Entity(db.Model):
    __tablename__ = "entities"

    id: Mapped[int] = mapped_column(primary_key=True)
    acronym: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[EntityType] = enum_column(EntityType, length=32)
    is_verified: Mapped[bool] = mapped_column(default=False)
    active_from: Mapped[date | None]
    active_to: Mapped[date | None]
    # The domains of the entity's official addresses, separated by spaces ("unicef.org").
    email_domains: Mapped[str | None] = mapped_column(String(400))
    # The acronym and name without accents or case, for search (core.search).
    search_key: Mapped[str] = mapped_column(Text, default="")

    @property
    def domains(self):
        return (self.email_domains or "").split()

    def uses_email_domain(self, email):
        """True when `email` is on one of the entity's domains (or a subdomain), or when no
        domain is recorded (nothing to compare with)."""
        domain = (email or "").rpartition("@")[2].strip().lower()
        return not self.domains or any(domain == d or domain.endswith("." + d)
                                       for d in self.domains)

    @hybrid_method
    def open_on(self, day):
        """Whether the entity is not closed on `day`: no active-until day, or not past it."""
        return self.active_to is None or self.active_to >= day

    @open_on.expression
    def open_on(cls, day):
        return or_(cls.active_to.is_(None), cls.active_to >= day)

    @hybrid_method
    def active_on(self, day):
        """Whether the entity is active on `day`: open then, and its active-from day (if it
        has one) reached. One not active yet is in no coverage cell: it has no gap to fill."""
        return (self.active_from is None or self.active_from <= day) and self.open_on(day)

    @active_on.expression
    def active_on(cls, day):
        return and_(or_(cls.active_from.is_(None), cls.active_from <= day), cls.open_on(day))

    def __str__(self):
        return f"{self.acronym} — {self.name}"


keep_search_key(Entity, "search_key", "acronym", "name")


class Unct(db.Model):
    """A UN Country Team, named after the host country (shown in the viewer's language)."""

    __tablename__ = "uncts"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), unique=True)
    name_en: Mapped[str] = mapped_column(String(120))
    region: Mapped[Region] = enum_column(Region, length=32)
    is_verified: Mapped[bool] = mapped_column(default=False)

    countries: Mapped[list["UnctCountry"]] = relationship(
        back_populates="unct", cascade="all, delete-orphan", order_by="UnctCountry.iso3"
    )
    members: Mapped[list[Entity]] = relationship(
        secondary=unct_members, order_by=Entity.acronym
    )
    # How many countries the team covers and how many entities are members, for the lists that
    # show only the numbers (reference.queries.uncts_query fills them; None elsewhere).
    countries_count: Mapped[int | None] = query_expression()
    members_count: Mapped[int | None] = query_expression()
    # The accounts holding the Resident Coordinator role for this team (see accounts.models).
    resident_coordinators = relationship("User", secondary="user_uncts", viewonly=True,
                                         order_by="User.email")

    @property
    def name(self):
        return country_name(self.iso3)

    @property
    def country_codes(self):
        return [c.iso3 for c in self.countries]

    def __str__(self):
        return self.name


class UnctCountry(db.Model):
    """A country or territory covered by a UNCT (a multi-country office covers several)."""

    __tablename__ = "unct_countries"

    unct_id: Mapped[int] = mapped_column(ForeignKey("uncts.id", ondelete="CASCADE"),
                                         primary_key=True)
    iso3: Mapped[str] = mapped_column(String(3), primary_key=True)
    is_verified: Mapped[bool] = mapped_column(default=False)

    unct: Mapped[Unct] = relationship(back_populates="countries")

    @property
    def name(self):
        return country_name(self.iso3)


class DutyStation(db.Model):
    __tablename__ = "duty_stations"
    __table_args__ = (UniqueConstraint("city", "country_iso3"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    city: Mapped[str] = mapped_column(String(120))
    country_iso3: Mapped[str] = mapped_column(String(3))
    time_zone: Mapped[str] = mapped_column(String(64))

    @property
    def country(self):
        return country_name(self.country_iso3)

    def __str__(self):
        return join_list([self.city, self.country])
