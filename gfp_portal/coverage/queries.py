"""Read-only queries of coverage beyond the matrix: the UN Country Teams without any focal
point; the member cells by region; the people whose team has a coverage gap; the entities
below parity with a gap or an overdue plan."""
from dataclasses import dataclass

from sqlalchemy import (
    Date,
    String,
    and_,
    bindparam,
    distinct,
    exists,
    func,
    literal,
    select,
    type_coerce,
)
from sqlalchemy.orm import aliased

from gfp_portal.extensions import db
from gfp_portal.parity.queries import latest_below_parity
from gfp_portal.parity.tables import rounded
from gfp_portal.plans.queries import entities_with_overdue_plan
from gfp_portal.reference.models import Entity, Unct, unct_members
from gfp_portal.reference.queries import entities_by_ids
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus


def _without_focal_point(today):
    """The condition on a UN Country Team: it has member entities active on `today` and no
    focal point holding the role that day for any of them (an entity closed or not active
    yet is in no cell of the coverage pages, and a term not begun or past its end holds
    none). A team's first focal point of a member entity is looked for per team, and the
    search stops at it: as NOT EXISTS, the planner paired every focal point with every
    membership first."""
    has_members = exists().where(unct_members.c.unct_id == Unct.id,
                                 unct_members.c.entity_id == Entity.id, Entity.active_on(today))
    first_focal_point = (
        select(literal(1)).select_from(Appointment)
        .join(unct_members, and_(unct_members.c.unct_id == Appointment.unct_id,
                                 unct_members.c.entity_id == Appointment.entity_id))
        .join(Entity, Entity.id == Appointment.entity_id)
        .where(Appointment.unct_id == Unct.id, Appointment.role == AppointmentRole.focal_point,
               Appointment.held_on(today), Entity.active_on(today))
        .limit(1).scalar_subquery())
    return and_(has_members, first_focal_point.is_(None))


def uncts_without_focal_point(unct_ids, *, today):
    """The ids of the UN Country Teams (among `unct_ids`; None: all) that have member
    entities active on `today` and no focal point holding the role that day for any of them
    (one query)."""
    stmt = select(Unct.id).where(_without_focal_point(today))
    if unct_ids is not None:
        stmt = stmt.where(Unct.id.in_(unct_ids))
    return list(db.session.scalars(stmt))


def without_focal_point_count(today):
    """The statement counting the teams uncts_without_focal_point() lists on `today`."""
    return select(func.count()).select_from(Unct).where(_without_focal_point(today))


def _roles_filled(holder, entity_id, same_team, day):
    """How many of a scope's two roles (focal point, alternate) are held on `day`: a count
    per scope through the appointments' scope index, which the planner probes once per scope
    (two NOT EXISTS joined by OR made it scan every appointment)."""
    return (select(func.count(distinct(holder.role)))
            .where(holder.entity_id == entity_id, same_team, holder.held_on(day),
                   holder.role.in_((AppointmentRole.focal_point, AppointmentRole.alternate)))
            .scalar_subquery())


def people_in_gaps(person_ids, *, today):
    """Those of `person_ids` who hold an active appointment in a scope (an entity at
    headquarters or in a UN Country Team) that lacks its focal point or any alternate on
    `today`: the people a waiting list puts first under the coverage-gap policy (one
    query)."""
    own, other = Appointment, aliased(Appointment)
    return set(db.session.scalars(select(own.person_id).where(
        own.person_id.in_(person_ids), own.status == AppointmentStatus.active,
        _roles_filled(other, own.entity_id, other.unct_id.is_not_distinct_from(own.unct_id),
                      today) < 2)))


def member_cells(today):
    """Every (unct_id, entity_id, region) cell of the current memberships, of the entities
    active on `today`, as the coverage pages count them (one query; the region as its stored
    value, a Region's equal: plain rows, read past the ORM, which would handle each of the
    thousands)."""
    return db.session.connection().execute(
        select(unct_members.c.unct_id, unct_members.c.entity_id,
               type_coerce(Unct.region, String).label("region"))
        .join(Unct, Unct.id == unct_members.c.unct_id)
        .join(Entity, Entity.id == unct_members.c.entity_id)
        .where(Entity.active_on(today))).all()


# A member cell (an entity in a UN Country Team) lacking its focal point or any alternate on
# the day given as "today".
_CELL_HAS_A_GAP = _roles_filled(Appointment, unct_members.c.entity_id,
                                Appointment.unct_id == unct_members.c.unct_id,
                                bindparam("today", type_=Date)) < 2

# Built once: the list of entities needing support counts each one's gaps.
_GAPS_OF_ENTITIES = (
    select(unct_members.c.entity_id, func.count())
    .where(unct_members.c.entity_id.in_(bindparam("entity_ids", expanding=True)),
           _CELL_HAS_A_GAP)
    .group_by(unct_members.c.entity_id))

# Built once: the coordinator's home asks on every view whether each entity has a gap.
_WITH_A_GAP = select(Entity.id).where(
    Entity.id.in_(bindparam("entity_ids", expanding=True)),
    exists().where(unct_members.c.entity_id == Entity.id, _CELL_HAS_A_GAP))


def entities_with_a_gap(entity_ids, *, today):
    """Those of `entity_ids` lacking their focal point or any alternate on `today` in at least
    one of their UN Country Teams: each entity's teams are tested until the first gap (one
    query)."""
    if not entity_ids:
        return set()
    return set(db.session.scalars(_WITH_A_GAP, {"entity_ids": sorted(entity_ids),
                                                "today": today}))


def gaps_of_entities(entity_ids, *, today):
    """{entity id: how many of its UN Country Teams lack its focal point or any alternate on
    `today`}, for those of `entity_ids` with at least one such gap (one query)."""
    if not entity_ids:
        return {}
    return dict(db.session.execute(_GAPS_OF_ENTITIES, {"entity_ids": sorted(entity_ids),
                                                       "today": today}).all())


@dataclass
class SupportNeeded:
    """An entity below the parity range that also has a coverage gap or an overdue plan."""
    entity: object
    share: object               # of women in its latest quarter, from 0 to 1 (Decimal)
    period: str                 # that quarter ("2024-Q4")
    gaps: int                   # UN Country Teams where it lacks its focal point or alternate
    overdue: bool               # an implementation plan is overdue


def _needing_support(below, today):
    """(those of `below` with an overdue plan, those of `below` needing support): an overdue
    plan, else a gap, each entity's teams tested until its first gap (two queries at most)."""
    overdue = entities_with_overdue_plan(below, today)
    return overdue, overdue | entities_with_a_gap(below - overdue, today=today)


def count_entities_needing_support(today):
    """How many entities `entities_needing_support` lists (three queries at most)."""
    return len(_needing_support(set(latest_below_parity()), today)[1])


def entities_needing_support(today):
    """The entities the Office supports first ("tailored support to organizations that have
    lower representation of women"): below the parity range, with a coverage gap or an overdue
    plan; by acronym (five queries at most)."""
    below = latest_below_parity()
    overdue, flagged = _needing_support(set(below), today)
    gaps = gaps_of_entities(flagged, today=today)
    return sorted((SupportNeeded(entity, rounded(below[entity.id].share) / 100,
                                 below[entity.id].period, gaps.get(entity.id, 0),
                                 entity.id in overdue)
                   for entity in entities_by_ids(flagged)),
                  key=lambda row: row.entity.acronym.lower())
