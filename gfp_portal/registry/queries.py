"""Read-only queries behind the registry list, the directory and the exports."""
from dataclasses import astuple, dataclass
from datetime import date, timedelta

from sqlalchemy import String, exists, false, func, not_, or_, select, type_coerce
from sqlalchemy.orm import aliased, joinedload, selectinload

from gfp_portal.core import data_version
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import in_rows_read_first, is_row_id, utcnow
from gfp_portal.core.i18n import current_language
from gfp_portal.core.search import matches
from gfp_portal.core.text import email_address
from gfp_portal.extensions import db
from gfp_portal.reference.countries import country_name, name_rank
from gfp_portal.reference.models import Entity, Region, Unct
from gfp_portal.registry.models import (
    Appointment,
    AppointmentStatus,
    EndReason,
    Person,
    name_order,
    one_per_role,
)
from gfp_portal.registry.policy import Policy
from gfp_portal.registry.signals import people_signing_in

SORTS = ("name", "entity", "end_date")


@dataclass
class RegistryFilter:
    q: str | None = None
    entity: str | None = None      # acronym
    unct: str | None = None        # ISO3
    region: str | None = None
    role: str | None = None
    status: str | None = "active"  # an AppointmentStatus value, "any", "none" or "left"
    expiring_days: int | None = None
    lapsed_days: int | None = None  # terms that ended at their end date within these days
    warning: bool = False
    sort: str = "name"
    scope_unct_ids: tuple | None = None  # Resident Coordinators see their UNCTs only


def _takes_ended_ahead(f):
    """Whether the filter's status, "active" (the default), takes in the terms ending soon that
    were ended ahead, which the window of terms ending lists (ending_between)."""
    return f.expiring_days is not None and f.status == AppointmentStatus.active.value


def _appointment_conditions(f, policy, today):
    conditions = []
    if f.status in {s.value for s in AppointmentStatus} and not _takes_ended_ahead(f):
        conditions.append(Appointment.status == f.status)
    if f.entity:
        conditions.append(Appointment.entity.has(func.lower(Entity.acronym) == f.entity.lower()))
    if f.unct:
        conditions.append(Appointment.unct.has(Unct.iso3 == f.unct.upper()))
    if f.region in Region.__members__:
        conditions.append(Appointment.unct.has(Unct.region == Region(f.region)))
    if f.role:
        conditions.append(Appointment.role == f.role)
    if f.expiring_days is not None:
        conditions.append(ending_between(today, today + timedelta(days=f.expiring_days)))
    if f.lapsed_days is not None:
        conditions += lapsed_conditions(today, f.lapsed_days)
    if f.warning:
        conditions.append(Appointment.status == AppointmentStatus.active)
        conditions.append(or_(*warning_conditions(policy)))
    if f.scope_unct_ids is not None:
        conditions.append(Appointment.unct_id.in_(f.scope_unct_ids) if f.scope_unct_ids
                          else false())
    return conditions


def ending_between(first, last):
    """The terms ending between the days `first` and `last` (both included), as coverage flags
    a cell "ends soon" (coverage.services._holder_counts): an active term by its end date; a
    term held on `first` whose end was entered ahead, by its last day, when no active term of
    its role, entity and scope runs on (a renewal or a successor entered ahead follows it)."""
    other = aliased(Appointment)
    follows = exists().where(
        other.entity_id == Appointment.entity_id, other.role == Appointment.role,
        or_(other.unct_id == Appointment.unct_id,
            other.unct_id.is_(None) & Appointment.unct_id.is_(None)),
        other.status == AppointmentStatus.active,
        or_(other.end_date.is_(None), other.end_date >= first))
    return or_(
        (Appointment.status == AppointmentStatus.active)
        & Appointment.end_date.between(first, last),
        (Appointment.status != AppointmentStatus.active) & Appointment.held_on(first)
        & (Appointment.last_day <= last) & ~follows)


def lapsed_conditions(today, days):
    """Terms whose end date fell within the last `days` days: marked as lapsed by the daily
    job, or still active until it runs; not a term that was renewed, whose holder goes on."""
    renewal = aliased(Appointment)
    return [Appointment.end_date < today,
            Appointment.end_date >= today - timedelta(days=days),
            or_(Appointment.status == AppointmentStatus.active,
                (Appointment.status == AppointmentStatus.ended)
                & (Appointment.end_reason == EndReason.term_ended)),
            ~exists().where(renewal.renewal_of_id == Appointment.id)]


def warning_conditions(policy):
    """SQL twin of Policy.warnings(): an appointment with any compliance warning."""
    # Person is the holder: callers correlate Appointment.person_id with Person.id.
    conditions = [
        Appointment.time_share.is_(None),
        Appointment.time_share < policy.min_time_share,
        Person.grade.is_(None),
        func.upper(Person.grade).not_in(sorted(policy.compliant_grades)),
    ]
    if policy.require_terms_of_reference:
        conditions.append(not_(Appointment.tor_on_file))
    return conditions


def _as_listed():
    """What a page listing or showing people reads of each (entity, duty station, appointments
    with their entity and team), loaded with the people rather than one query each as the page
    reaches them. Built when called: loader options configure the mappers, which importing this
    module must not do before every model is known."""
    return (joinedload(Person.entity), joinedload(Person.duty_station),
            selectinload(Person.appointments).joinedload(Appointment.entity),
            selectinload(Person.appointments).joinedload(Appointment.unct))


# The orders that an index gives; the others sort every matching person, and a page of the list
# then sorts their ids alone (people_ids) and reads its rows by id (people_by_ids).
INDEXED_SORTS = ("name",)


def people_query(f, *, today=None, policy=None):
    """People matching the filter, with what the list shows loaded in a fixed number of queries."""
    return _in_order(select(Person).options(*_as_listed()), f, today=today, policy=policy)


def people_ids(f, *, today=None, policy=None):
    """The ids of the people `people_query` lists, in its order."""
    return _in_order(select(Person.id), f, today=today, policy=policy)


def people_by_ids(ids):
    """These people, with what the list shows loaded, in the order of `ids` (two queries)."""
    found = {person.id: person for person in db.session.scalars(
        select(Person).options(*_as_listed()).where(Person.id.in_(ids))).unique()}
    return [found[person_id] for person_id in ids if person_id in found]


def _in_order(stmt, f, *, today, policy):
    """`stmt` narrowed to the people the filter is about, in the order it asks for."""
    today = today or date.today()
    stmt = _matching(stmt, f, today=today, policy=policy or Policy.current())
    if f.sort == "entity":
        # People without an entity last, on SQLite as on PostgreSQL.
        stmt = stmt.outerjoin(Person.entity).order_by(Entity.acronym.nulls_last(), *name_order())
    elif f.sort == "end_date":
        # Each person's soonest end of an active term (one past its end date too, listed as
        # active until the daily run ends it: the soonest of all), or of one held today whose
        # end was entered ahead, grouped once for everyone (not looked up again for every
        # person the sort compares).
        ends = (select(Appointment.person_id, func.min(Appointment.end_date).label("soonest"))
                .where(or_(Appointment.status == AppointmentStatus.active,
                           Appointment.held_on(today)))
                .group_by(Appointment.person_id).subquery())
        stmt = stmt.outerjoin(ends, ends.c.person_id == Person.id).order_by(
            ends.c.soonest.is_(None), ends.c.soonest, Person.id)
    else:
        stmt = stmt.order_by(*name_order())
    return stmt


def people_count(f, *, today=None, policy=None):
    """The statement counting the people `people_query` lists: the same conditions, without
    its order and loader options."""
    return _matching(select(func.count()).select_from(Person), f,
                     today=today or date.today(), policy=policy or Policy.current())


def people_total(f, *, today, policy, now):
    """How many people the registry list shows for the filter: counted once for each data
    version and day (core.data_version), as the count reads every person matching it;
    counted at each view for a search, whose words are too many to keep."""
    def counted():
        return db.session.scalar(people_count(f, today=today, policy=policy))
    if f.q:
        return counted()
    return data_version.reuse(("registry count", astuple(f), today),
                              lambda: (counted(), None), now=now)


def count_people(f, *, today=None, policy=None):
    """How many people the registry list shows for the filter (one query)."""
    return db.session.scalar(people_count(f, today=today, policy=policy))


def _matching(stmt, f, *, today, policy):
    """`stmt` narrowed to the people the filter is about."""
    if f.q:
        stmt = stmt.where(or_(matches(Person.search_key, f.q),
                              func.lower(Person.email).contains(email_address(f.q).lower(),
                                                                autoescape=True)))
    conditions = _appointment_conditions(f, policy, today)
    if f.status == "none":
        stmt = stmt.where(~exists().where(Appointment.person_id == Person.id))
        if f.scope_unct_ids is not None:  # nobody without an appointment is in a team
            stmt = stmt.where(false())
    elif f.status == "left":  # who may be anonymised: appointed once, no longer, still named
        stmt = stmt.where(exists().where(Appointment.person_id == Person.id, *conditions),
                          ~exists().where(Appointment.person_id == Person.id,
                                          in_office_after(today)),
                          Person.anonymised_at.is_(None))
    elif f.scope_unct_ids is not None and not f.warning:
        # A Resident Coordinator's teams hold a few hundred people of thousands: read first.
        # (The warnings test the person too, so they stay correlated, below.)
        stmt = stmt.where(in_rows_read_first(
            Person.id, select(Appointment.person_id).where(*conditions)))
    elif conditions or f.status != "any":
        stmt = stmt.where(exists().where(Appointment.person_id == Person.id, *conditions))
    return stmt


def in_office_after(today):
    """The condition "the term keeps its holder in the network after `today`": active (held,
    or still to begin), or ended ahead with its last day still to come (Appointment.lasts_until).
    Its holder has not left and may not be anonymised. A term ended as of today lets its
    holder go today: that is how the Office records that someone has just left."""
    return Appointment.lasts_until(today + timedelta(days=1))


def matching_appointments(person, f, today=None):
    """The person's appointments the filter is about (all of them when it says nothing); with
    the terms ending soon, the "active" ones are also those held on `today` whose end was
    entered ahead."""
    today = today or date.today()
    result = []
    for appointment in person.appointments:
        if f.status in {s.value for s in AppointmentStatus} and appointment.status != f.status \
                and not (_takes_ended_ahead(f) and appointment.current_on(today)):
            continue
        if f.scope_unct_ids is not None and appointment.unct_id not in f.scope_unct_ids:
            continue
        result.append(appointment)
    return result


def directory_query(q=None, entity=None, *, today=None):
    """The network directory: people holding an active appointment, or one held on `today`
    whose end was entered ahead (listed until their last day)."""
    stmt = select(Person).where(exists().where(
        Appointment.person_id == Person.id, Appointment.current_on(today or date.today())))
    if q:
        stmt = stmt.where(matches(Person.search_key, q))
    if entity:
        stmt = stmt.where(Person.entity.has(func.lower(Entity.acronym) == entity.lower()))
    return stmt.options(*_as_listed()).order_by(*name_order())


def person_in_scope(person, unct_ids):
    return any(a.unct_id in unct_ids for a in person.appointments)


def works_in(person, uncts):
    """Whether `person` works in one of `uncts`: of one of their member entities, and holding
    a term of one of them or stationed in a country one of them covers. What a Resident
    Coordinator may read of a person they have not nominated."""
    members = {e.id for unct in uncts for e in unct.members}
    countries = {code for unct in uncts for code in unct.country_codes}
    station = person.duty_station
    return person.entity_id in members and (
        person_in_scope(person, {unct.id for unct in uncts}) or
        (station is not None and station.country_iso3 in countries))


def entity_acronyms():
    """Every entity's acronym, in their order: read once for each data version (the filters
    of most lists offer them)."""
    return list(data_version.reuse("entity acronyms", lambda: (tuple(db.session.scalars(
        select(Entity.acronym).order_by(func.lower(Entity.acronym)))), None), now=utcnow()))


UNCT_CODES = select(Unct.iso3)


def unct_choices():
    """(iso3, name) of every UN Country Team in the viewer's language order; the codes are
    all it reads (a team's name is its country's), once for each data version."""
    language = current_language()
    rank = name_rank(language)
    codes = data_version.reuse("unct codes", lambda: (tuple(db.session.scalars(UNCT_CODES)),
                                                      None), now=utcnow())
    return [(code, country_name(code, language)) for code in sorted(codes, key=rank)]



def current_appointments(person, *, today):
    """The person's active appointments, and those held on `today` whose end was entered
    ahead (Appointment.current_on: held until their last day), one per role and scope (a
    renewal rather than the term it follows), the soonest end first (one query)."""
    return one_per_role(db.session.scalars(
        select(Appointment).where(Appointment.person_id == person.id,
                                  Appointment.current_on(today))
        .options(joinedload(Appointment.entity), joinedload(Appointment.unct))
        .order_by(Appointment.end_date.is_(None), Appointment.end_date, Appointment.id)).all(),
        prefer_active=True)


def current_terms(person_ids, *, today):
    """person id -> their active appointments, and those held on `today` whose end was
    entered ahead (Appointment.current_on), in one query: the terms whose roles a session
    admits (TrainingSession.admits_holder_of)."""
    result = {}
    if person_ids:
        for term in db.session.scalars(select(Appointment).where(
                Appointment.person_id.in_(person_ids), Appointment.current_on(today))):
            result.setdefault(term.person_id, []).append(term)
    return result


def terms_of(person_ids):
    """person id -> every appointment of theirs, held, to come or over, in one query: who
    held a term and has none left (sessions.registration.last_day_before)."""
    result = {}
    if person_ids:
        for term in db.session.scalars(select(Appointment).where(
                Appointment.person_id.in_(person_ids))):
            result.setdefault(term.person_id, []).append(term)
    return result


def terms_ending(unct_ids, *, first, last):
    """The appointments in the given UN Country Teams whose term ends between the days `first`
    (today) and `last`, both included (ending_between: those ended ahead with nobody to follow
    too), the soonest first, with their people (two queries)."""
    return db.session.scalars(
        select(Appointment).where(Appointment.unct_id.in_(unct_ids),
                                  ending_between(first, last))
        .options(selectinload(Appointment.person))
        .order_by(Appointment.end_date, Appointment.id)).all()


def person_with_profile(person_id):
    """The person with this id and what a page about them reads (entity, duty station,
    appointments with their entity and team) in two queries, rather than one each as the page
    reaches them; None when there is no such person."""
    if person_id is None:
        return None
    return db.session.scalars(select(Person).where(Person.id == person_id)
                              .options(*_as_listed())).first()


def person_by_id(person_id):
    """The person with this id; None when the id is missing or no row's id."""
    return db.session.get(Person, person_id) if is_row_id(person_id) else None


def appointment_by_id(appointment_id):
    return db.session.get(Appointment, appointment_id) if is_row_id(appointment_id) else None


def person_history(person, limit=200):
    """The audit events of the person's record and of their appointments, newest first."""
    appointment_ids = [a.id for a in person.appointments]
    return db.session.scalars(
        select(AuditEvent).where(or_(
            (AuditEvent.object_type == "people") & (AuditEvent.object_id == person.id),
            (AuditEvent.object_type == "appointments") & AuditEvent.object_id.in_(
                appointment_ids or [-1])))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)).all()


def term_rows():
    """Every appointment as (role, status, start, end date, ended on, unct_id, entity_id,
    region or None at headquarters, entity type), for the network's figures over time (one
    query, no object loaded; the enumerations as their stored values, which thousands of
    rows read faster; plain rows, read past the ORM, which would handle each one)."""
    def value(column, name):
        return type_coerce(column, String).label(name)

    return db.session.connection().execute(
        select(value(Appointment.role, "role"), value(Appointment.status, "status"),
               Appointment.start_date, Appointment.end_date, Appointment.ended_on,
               Appointment.unct_id, Appointment.entity_id, value(Unct.region, "region"),
               value(Entity.type, "type"))
        .join(Entity, Entity.id == Appointment.entity_id)
        .outerjoin(Unct, Unct.id == Appointment.unct_id)).all()


def entity_holders(entity, *, today):
    """The entity's appointments held on `today` (Appointment.held_on, as coverage counts
    them), then its active ones still to begin (but the renewal of a term held today), with
    their people and teams: headquarters first, then by team, focal points before alternates
    (one query)."""
    to_begin = Appointment.start_date > today
    return one_per_role(db.session.scalars(
        select(Appointment).where(Appointment.entity_id == entity.id, or_(
            Appointment.held_on(today),
            (Appointment.status == AppointmentStatus.active) & to_begin))
        .options(joinedload(Appointment.person), joinedload(Appointment.unct))
        .order_by(Appointment.unct_id.is_not(None), Appointment.unct_id, Appointment.role,
                  to_begin, Appointment.id)).all(), prefer_active=False)


def signing_in(person_ids, *, roles=None):
    """The people among `person_ids` who can sign in to the portal, with an account holding
    one of `roles` when given (the domains that sign people in know:
    registry.signals.people_signing_in)."""
    if not person_ids:
        return set()
    return set().union(*(found for _receiver, found in people_signing_in.send(
        None, person_ids=sorted(person_ids), roles=roles)))
