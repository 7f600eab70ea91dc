"""Read-only queries of coverage beyond the matrix: the UN Country Teams without any focal
point; the member cells by region; the people whose team has a coverage gap."""
from sqlalchemy import exists, select
from sqlalchemy.orm import aliased

from gfp_portal.extensions import db
from gfp_portal.reference.models import Unct, unct_members
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus


def uncts_without_focal_point(unct_ids=None):
    """The ids of the UN Country Teams (among `unct_ids`; None: all) that have member
    entities and no active focal point for any of them (one query)."""
    has_members = exists().where(unct_members.c.unct_id == Unct.id)
    has_focal_point = exists().where(
        Appointment.unct_id == Unct.id, Appointment.role == AppointmentRole.focal_point,
        Appointment.status == AppointmentStatus.active,
        exists().where(unct_members.c.unct_id == Unct.id,
                       unct_members.c.entity_id == Appointment.entity_id))
    stmt = select(Unct.id).where(has_members, ~has_focal_point)
    if unct_ids is not None:
        stmt = stmt.where(Unct.id.in_(unct_ids))
    return list(db.session.scalars(stmt))


def people_in_gaps(person_ids):
    """Those of `person_ids` who hold an active appointment in a scope (an entity at
    headquarters or in a UN Country Team) that lacks its focal point or any alternate: the
    people a waiting list puts first under the coverage-gap policy (one query)."""
    own, other = Appointment, aliased(Appointment)

    def holds(role):
        return exists().where(other.entity_id == own.entity_id,
                              other.unct_id.is_not_distinct_from(own.unct_id),
                              other.status == AppointmentStatus.active, other.role == role)

    return set(db.session.scalars(select(own.person_id).where(
        own.person_id.in_(person_ids), own.status == AppointmentStatus.active,
        ~holds(AppointmentRole.focal_point) | ~holds(AppointmentRole.alternate))))


def member_cells():
    """Every (unct_id, entity_id, region) cell of the current memberships (one query)."""
    return db.session.execute(
        select(unct_members.c.unct_id, unct_members.c.entity_id, Unct.region)
        .join(Unct, Unct.id == unct_members.c.unct_id)).all()
