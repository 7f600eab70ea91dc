"""Person and Appointment: who holds which focal-point role, for which entity and scope, when."""
from datetime import date, datetime
from functools import partial

from flask_babel import LazyString, lazy_pgettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    or_,
)
from sqlalchemy.ext.hybrid import hybrid_method, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gfp_portal.core.db import UTCDateTime, enum_column, utcnow
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import current_language
from gfp_portal.core.search import ORDER_KEY, keep_search_key, order_key
from gfp_portal.extensions import db
from gfp_portal.reference.countries import country_name
from gfp_portal.reference.models import DutyStation, Entity, Unct


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
    entity_id: Mapped[int | None] = mapped_column(ForeignKey("entities.id"), index=True)
    duty_station_id: Mapped[int | None] = mapped_column(ForeignKey("duty_stations.id"))
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    directory_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the person's name and contact data were erased (gfp_portal.privacy); the row stays
    # with its appointments, registrations and attendance, so that every figure stays true.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The name and position title without accents or case, for search (core.search).
    search_key: Mapped[str] = mapped_column(Text, default="")
    # The family and given names folded the same way, for an order (core.search.order_key):
    # the order of every list of people, so that "Éclair" sorts with the E's on every
    # database (NAME_ORDER).
    name_key: Mapped[str] = mapped_column(ORDER_KEY, default="", server_default="")
    # The same as Spanish sorts them, the ñ after the n: the order of the lists a Spanish
    # reader reads (name_order).
    name_key_es: Mapped[str] = mapped_column(ORDER_KEY, default="", server_default="")

    entity: Mapped[Entity | None] = relationship()
    duty_station: Mapped[DutyStation | None] = relationship()
    appointments: Mapped[list["Appointment"]] = relationship(
        back_populates="person", order_by="Appointment.start_date.desc()",
        foreign_keys="Appointment.person_id")

    @property
    def full_name(self):
        return f"{self.given_name} {self.family_name}"

    @property
    def active_appointments(self):
        return [a for a in self.appointments if a.status == AppointmentStatus.active]

    def current_appointments(self, day):
        """The active appointments, and those held on `day` whose end was entered ahead
        (Appointment.current_on), one per role and scope (one_per_role)."""
        return one_per_role([a for a in self.appointments if a.current_on(day)],
                            prefer_active=True)

    def __str__(self):
        return self.full_name


# Email addresses are unique whatever their case.
Index("uq_people_email_lower", func.lower(Person.email), unique=True)
# The order of every list of people; the registry's page of 25 reads it from the index instead
# of sorting everyone.
NAME_ORDER = (Person.name_key, Person.id)
Index("ix_people_name_key", *NAME_ORDER)
keep_search_key(Person, "search_key", "full_name", "position_title")
keep_search_key(Person, "name_key", "family_name", "given_name", key=order_key)
# Spanish sorts names in an order of its own (the ñ after the n), read from a key of its own.
NAME_KEYS = {"es": Person.name_key_es}
Index("ix_people_name_key_es", Person.name_key_es, Person.id)
keep_search_key(Person, "name_key_es", "family_name", "given_name",
                key=partial(order_key, language="es"))


def name_order(language=None):
    """The order of a list of people in `language` (the reader's by default): by family
    name, then given name, as that language sorts them; then by id."""
    key = NAME_KEYS.get(language or current_language())
    return NAME_ORDER if key is None else (key, Person.id)


def name_key_of(person, language=None):
    """The key `person` (a Person, or a row holding its key column) is ordered by in a list
    in `language` (name_order), for a list sorted in Python."""
    return getattr(person, name_order(language)[0].key)


def in_name_order(people, language=None):
    """`people` loaded already in the order of a list in `language` (name_order): a
    relationship keeps the shared order (NAME_ORDER), fixed when the mapping is built,
    whoever reads it."""
    return sorted(people, key=lambda person: (name_key_of(person, language), person.id))


def one_per_role(appointments, *, prefer_active):
    """`appointments` in their order, with one per person, role and scope: a renewal entered
    ahead and the term it follows are one role held on. Of the two, the active one (the
    renewal) when `prefer_active`, else the first given."""
    chosen = {}
    for one in appointments:
        key = (one.person_id, one.role, one.entity_id, one.unct_id)
        if key not in chosen or (prefer_active and one.status == AppointmentStatus.active
                                 and chosen[key].status != AppointmentStatus.active):
            chosen[key] = one
    kept = {id(one) for one in chosen.values()}
    return [one for one in appointments if id(one) in kept]


def roles_held_until(terms, day):
    """The roles of `terms` (a person's appointments that count as theirs today:
    Appointment.current_on) still held on `day`, a day to come (Appointment.lasts_until:
    active, or ended ahead with their last day not before it)."""
    return {term.role for term in terms if term.lasts_until(day)}


def station_code(station):
    """A duty station as an audit event keeps it: "Geneva, CHE", its country by its code
    (registry.history names it in the reader's language); None for no station."""
    return f"{station.city}, {station.country_iso3}" if station is not None else None


class AppointmentRole(TitledEnum):
    focal_point = _l("Focal point")
    alternate = _l("Alternate")

    @property
    def in_sentence(self):
        """The role inside a sentence ("…as focal point for UNICEF — Kenya"): lower case, in
        the form each language's sentences are written around, which a label cannot be."""
        return {AppointmentRole.focal_point: lazy_pgettext("role in a sentence", "focal point"),
                AppointmentRole.alternate: lazy_pgettext("role in a sentence", "alternate")}[self]


class AppointmentStatus(TitledEnum):
    active = lazy_pgettext("appointment", "Active")
    ended = _l("Ended")
    withdrawn = _l("Withdrawn")


class EndReason(TitledEnum):
    term_ended = _l("Term ended")
    left_entity = _l("Left the entity")
    replaced = _l("Replaced")
    withdrawn = _l("Withdrawn")


def scope_name(entity, unct):
    """"UNICEF — Kenya", or "UNICEF headquarters" for the entity-wide scope (lazy: rendered
    in the reader's language, the team's country included: an email's subject is rendered in
    its recipient's language, not in that of whoever caused it)."""
    if unct is None:
        return _l("%(entity)s headquarters", entity=entity.acronym)
    return _l("%(entity)s — %(unct)s", entity=entity.acronym,
              unct=LazyString(country_name, unct.iso3))


class Appointment(db.Model):
    """One term of one person in one role; never overwritten, only ended and followed."""

    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("time_share IS NULL OR (time_share >= 0 AND time_share <= 100)",
                        name="time_share_percent"),
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_in_order"),
        Index("ix_appointments_scope", "entity_id", "unct_id", "role", "status"),
        # A team's active terms (its coverage page, its Resident Coordinator's home).
        Index("ix_appointments_team", "unct_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    entity_id: Mapped[int] = mapped_column(ForeignKey("entities.id"))
    # No UNCT means the headquarters scope: the appointment covers the whole entity.
    unct_id: Mapped[int | None] = mapped_column(ForeignKey("uncts.id"))
    role: Mapped[AppointmentRole] = enum_column(AppointmentRole)
    status: Mapped[AppointmentStatus] = enum_column(AppointmentStatus,
                                                    default=AppointmentStatus.active)
    appointed_by_name: Mapped[str | None] = mapped_column(String(200))
    appointed_by_title: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date]
    end_date: Mapped[date | None] = mapped_column(index=True)
    time_share: Mapped[int | None]
    tor_on_file: Mapped[bool] = mapped_column(default=False)
    end_reason: Mapped[EndReason | None] = enum_column(EndReason)
    ended_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    renewal_of_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    nomination_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="appointments",
                                          foreign_keys=[person_id])
    entity: Mapped[Entity] = relationship()
    unct: Mapped[Unct | None] = relationship()

    @property
    def scope_label(self):
        return self.unct.name if self.unct else None

    @hybrid_property
    def last_day(self):
        """The last day the term is held: the day it ended (which may be to come, when its end
        was entered ahead), else its end date; None for a term with neither."""
        return self.ended_on or self.end_date

    @last_day.expression
    def last_day(cls):
        return func.coalesce(cls.ended_on, cls.end_date)

    @hybrid_method
    def held_on(self, day):
        """Whether the term is held on `day`: begun by then and not past its last day,
        whatever the daily run has marked yet. A renewal or a replacement entered ahead ends
        the current term on a later day, which holds the role up to then; the next term holds
        it from its own start."""
        last = self.last_day
        return self.start_date <= day and (
            day <= last if last is not None else self.status == AppointmentStatus.active)

    @held_on.expression
    def held_on(cls, day):
        last = cls.last_day
        return and_(cls.start_date <= day,
                    or_(last >= day, and_(last.is_(None), cls.status == AppointmentStatus.active)))

    @hybrid_method
    def unexpired_on(self, day):
        """Whether the term has not run out by `day`: it has no end date, or that date is not
        before `day`. An active term past its end date is over, though the daily run
        (lapse_ended_terms) may not have marked it ended yet."""
        return self.end_date is None or self.end_date >= day

    @unexpired_on.expression
    def unexpired_on(cls, day):
        return or_(cls.end_date.is_(None), cls.end_date >= day)

    @hybrid_method
    def current_on(self, day):
        """Whether the term counts as the person's on `day`: active (begun, or still to begin:
        the incoming holder's) and not run out by then (unexpired_on: as coverage counts it,
        held_on), or held that day though its end was entered ahead (the outgoing holder's,
        until their last day)."""
        return (self.status == AppointmentStatus.active and self.unexpired_on(day)) \
            or self.held_on(day)

    @current_on.expression
    def current_on(cls, day):
        return or_(and_(cls.status == AppointmentStatus.active, cls.unexpired_on(day)),
                   cls.held_on(day))

    @hybrid_method
    def lasts_until(self, day):
        """Whether the term is active, or held on `day` or on a day after it: its end was
        entered ahead and its last day has not passed by `day`. A term withdrawn before it
        began was never held. An active term lasts whatever its end date, which may come
        before `day` (it may be renewed by then): whoever asks about a day to come asks it of
        terms not run out today (current_on, unexpired_on)."""
        last = self.last_day
        return self.status == AppointmentStatus.active or (
            last is not None and last >= day and last >= self.start_date)

    @lasts_until.expression
    def lasts_until(cls, day):
        last = cls.last_day
        return or_(cls.status == AppointmentStatus.active,
                   and_(last >= day, last >= cls.start_date))

    @property
    def is_headquarters(self):
        return self.unct_id is None


def _scope_key():
    # NULL scopes would not collide in a unique index; 0 stands for headquarters there.
    return func.coalesce(Appointment.unct_id, 0)


# At most one active focal point per (entity, scope), enforced by the database too, so that two
# coordinators saving at the same moment cannot both succeed.
_active_fp = and_(Appointment.role == "focal_point", Appointment.status == "active")
Index("uq_appointments_one_active_focal_point", Appointment.entity_id, _scope_key(),
      unique=True, postgresql_where=_active_fp, sqlite_where=_active_fp)
_active = Appointment.status == "active"
Index("uq_appointments_one_active_role_per_person", Appointment.person_id,
      Appointment.entity_id, _scope_key(), unique=True,
      postgresql_where=_active, sqlite_where=_active)


class AppointmentAlert(db.Model):
    """A term alert already sent: (appointment, threshold) is sent once whatever happens."""

    __tablename__ = "appointment_alerts"
    __table_args__ = (UniqueConstraint("appointment_id", "threshold"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id",
                                                           ondelete="CASCADE"))
    # Days before the end date; 0 is the alert on the day the term lapses.
    threshold: Mapped[int]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
