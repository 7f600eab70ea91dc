"""Read-only queries of coverage beyond the matrix: the UN Country Teams without any focal
point, the member cells by region."""
from sqlalchemy import exists, select

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


def member_cells():
    """Every (unct_id, entity_id, region) cell of the current memberships (one query)."""
    return db.session.execute(
        select(unct_members.c.unct_id, unct_members.c.entity_id, Unct.region)
        .join(Unct, Unct.id == unct_members.c.unct_id)).all()
