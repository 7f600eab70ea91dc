"""Reading implementation plans: the network view of a period, the filtered list, one plan with
what its page shows, and the plans a focal point works on."""
from dataclasses import dataclass, field

from sqlalchemy import and_, bindparam, case, func, literal, not_, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from gfp_portal.accounts.models import User
from gfp_portal.core.db import is_row_id, utcnow
from gfp_portal.extensions import db
from gfp_portal.plans.models import (
    DONE,
    ImplementationPlan,
    PlanDocument,
    PlanNote,
    PlanPeriod,
    Standing,
    plan_responsibles,
)
from gfp_portal.reference.models import Entity, EntityType
from gfp_portal.registry.models import (
    Appointment,
    AppointmentStatus,
    Person,
    name_key_of,
    name_order,
)


def periods():
    """Every period, the latest first."""
    return db.session.scalars(select(PlanPeriod).order_by(PlanPeriod.first_year.desc(),
                                                          PlanPeriod.id.desc())).all()


def period_by_id(period_id):
    return db.session.get(PlanPeriod, period_id) if is_row_id(period_id) else None


def _overdue(today):
    return and_(ImplementationPlan.status.not_in(DONE), PlanPeriod.deadline < today)


def standing_column(today):
    """The standing of each plan, in SQL: its status, or overdue (Standing)."""
    return case((_overdue(today), literal(Standing.overdue.value)),
                else_=ImplementationPlan.status)


@dataclass
class NetworkRow:
    type: EntityType | None  # None: the totals
    counts: dict = field(default_factory=dict)  # Standing -> number of entities

    @property
    def total(self):
        return sum(self.counts.values())


def network_view(period, today):
    """Per entity type, how many entities' plans for `period` stand where, and the totals
    (one query)."""
    standing = standing_column(today).label("standing")
    rows = db.session.execute(
        select(Entity.type, standing, func.count())
        .select_from(ImplementationPlan).join(ImplementationPlan.entity)
        .join(ImplementationPlan.period)
        .where(ImplementationPlan.period_id == period.id)
        .group_by(Entity.type, standing)).all()
    by_type = {}
    totals = NetworkRow(None, {s: 0 for s in Standing})
    for entity_type, value, count in rows:
        line = by_type.setdefault(entity_type, NetworkRow(entity_type,
                                                          {s: 0 for s in Standing}))
        line.counts[Standing(value)] += count
        totals.counts[Standing(value)] += count
    ordered = [by_type[t] for t in EntityType if t in by_type]
    return ordered, totals


@dataclass
class PlanFilter:
    period_id: int
    standing: str | None = None
    entity_type: str | None = None


def plans_query(f, today):
    # The entity and the period are joined for the filters and the order: they fill the plans'
    # own attributes too, rather than being joined a second time.
    return (_filtered(select(ImplementationPlan), f, today)
            .options(selectinload(ImplementationPlan.responsible),
                     contains_eager(ImplementationPlan.entity),
                     contains_eager(ImplementationPlan.period))
            .order_by(func.lower(Entity.acronym), ImplementationPlan.id))


def plans_count(f, today):
    """How many plans plans_query(f, today) lists, counted on their rows alone."""
    return _filtered(select(func.count(ImplementationPlan.id)), f, today)


def _filtered(stmt, f, today):
    stmt = (stmt.select_from(ImplementationPlan).join(ImplementationPlan.entity)
            .join(ImplementationPlan.period)
            .where(ImplementationPlan.period_id == f.period_id))
    if f.standing == Standing.overdue:
        stmt = stmt.where(_overdue(today))
    elif f.standing in Standing.__members__:
        stmt = stmt.where(ImplementationPlan.status == f.standing, not_(_overdue(today)))
    if f.entity_type in EntityType.__members__:
        stmt = stmt.where(Entity.type == f.entity_type)
    return stmt


# Built once: its loader options cost more to build and key than the page's queries take.
_PLAN_FOR_PAGE = (
    select(ImplementationPlan).where(ImplementationPlan.id == bindparam("plan_id"))
    .options(joinedload(ImplementationPlan.entity), joinedload(ImplementationPlan.period),
             selectinload(ImplementationPlan.responsible),
             selectinload(ImplementationPlan.documents).joinedload(PlanDocument.uploaded_by)
             .options(joinedload(User.person), lazyload(User.role_rows)),
             selectinload(ImplementationPlan.targets),
             selectinload(ImplementationPlan.notes).joinedload(PlanNote.author)
             .options(joinedload(User.person), lazyload(User.role_rows))))


def plan_for_page(plan_id):
    """The plan with everything its page shows, or None."""
    return db.session.scalars(_PLAN_FOR_PAGE, {"plan_id": plan_id}).first() \
        if is_row_id(plan_id) else None


def document_of(plan, document_id):
    return next((d for d in plan.documents if d.id == document_id), None)


def acting_ids(plan, person_ids, *, today=None):
    """The ids among `person_ids` of people holding an active appointment for the plan's
    entity, or one held on `today` (the server's by default) whose end was entered ahead
    (Appointment.current_on), in one query: a responsible person who left it keeps no say in
    the plan."""
    if not person_ids:
        return set()
    return set(db.session.scalars(select(Appointment.person_id).where(
        Appointment.person_id.in_(person_ids), Appointment.entity_id == plan.entity_id,
        Appointment.current_on(today or utcnow().date()))))


def responsibles_past_last_day(today):
    """(plan id, person id) of the plans' responsible people who hold no term of the plan's
    entity lasting until `today` (Appointment.lasts_until): the last day of a term whose end
    was entered ahead has passed."""
    lasting = select(Appointment.id).where(
        Appointment.person_id == plan_responsibles.c.person_id,
        Appointment.entity_id == ImplementationPlan.entity_id, Appointment.lasts_until(today))
    return db.session.execute(
        select(plan_responsibles.c.plan_id, plan_responsibles.c.person_id)
        .join(ImplementationPlan, ImplementationPlan.id == plan_responsibles.c.plan_id)
        .where(~lasting.exists())
        .order_by(plan_responsibles.c.plan_id, plan_responsibles.c.person_id)).all()


def responsible_choices(plan):
    """(person id, name) of who may be made responsible: the people holding an active
    appointment for the plan's entity, and those responsible now, in the order of names the
    registry lists them in for the reader (name_order)."""
    holders = db.session.execute(
        select(Person.id, Person.given_name, Person.family_name, name_order()[0])
        .join(Appointment, Appointment.person_id == Person.id)
        .where(Appointment.entity_id == plan.entity_id,
               Appointment.status == AppointmentStatus.active)
        .distinct()).all()
    people = {person_id: (key, f"{given} {family}")
              for person_id, given, family, key in holders}
    people.update((p.id, (name_key_of(p), p.full_name)) for p in plan.responsible)
    ordered = sorted(people.items(), key=lambda item: (item[1][0], item[0]))
    return [(person_id, name) for person_id, (__, name) in ordered]


def people_by_ids(ids):
    return db.session.scalars(select(Person).where(Person.id.in_(ids))).all() if ids else []


def entities_without_plan(period):
    """(id, acronym) of the current entities that have no plan for `period`."""
    has_plan = select(ImplementationPlan.entity_id).where(
        ImplementationPlan.period_id == period.id)
    return [(e.id, e.acronym) for e in db.session.scalars(
        select(Entity).where(Entity.id.not_in(has_plan), Entity.active_to.is_(None))
        .order_by(func.lower(Entity.acronym)))]


def entity_by_id(entity_id):
    return db.session.get(Entity, entity_id) if is_row_id(entity_id) else None


def plans_of_person(person, limit=10):
    """The plans `person` is responsible for or that belong to their entity, the latest
    period first, with their entity and period (one query)."""
    if person is None:
        return []
    mine = select(plan_responsibles.c.plan_id).where(plan_responsibles.c.person_id == person.id)
    conditions = [ImplementationPlan.id.in_(mine)]
    if person.entity_id is not None:
        conditions.append(ImplementationPlan.entity_id == person.entity_id)
    return db.session.scalars(
        select(ImplementationPlan).join(ImplementationPlan.period).where(or_(*conditions))
        .options(joinedload(ImplementationPlan.entity), joinedload(ImplementationPlan.period))
        .order_by(PlanPeriod.first_year.desc(), ImplementationPlan.id).limit(limit)).all()


def plans_of_entity(entity):
    """The entity's plans, the latest period first, with their periods (one query)."""
    return db.session.scalars(
        select(ImplementationPlan).where(ImplementationPlan.entity_id == entity.id)
        .options(joinedload(ImplementationPlan.period))
        .join(PlanPeriod, PlanPeriod.id == ImplementationPlan.period_id)
        .order_by(PlanPeriod.first_year.desc(), PlanPeriod.id.desc())).all()


def entities_with_overdue_plan(entity_ids, today):
    """Those of `entity_ids` with a plan overdue on `today` (one query)."""
    if not entity_ids:
        return set()
    return set(db.session.scalars(
        select(ImplementationPlan.entity_id)
        .join(PlanPeriod, PlanPeriod.id == ImplementationPlan.period_id)
        .where(ImplementationPlan.entity_id.in_(entity_ids), _overdue(today))))
