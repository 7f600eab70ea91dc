"""Coverage rules, read-only over the registry: cell states, the expiring flag and summaries."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import collation_key
from gfp_portal.extensions import db
from gfp_portal.reference.countries import by_name
from gfp_portal.reference.models import Entity, Region, Unct
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus
from gfp_portal.registry.policy import Policy


class CellState(TitledEnum):
    covered = "covered", _l("Covered")
    no_alternate = "no_alternate", _l("No alternate")
    no_focal_point = "no_focal_point", _l("No focal point")
    vacant = "vacant", _l("Vacant")

    @property
    def severity(self):
        """Higher is worse: used to sort the list of gaps."""
        return SEVERITY[self]


SEVERITY = {CellState.covered: 0, CellState.no_alternate: 1, CellState.no_focal_point: 2,
            CellState.vacant: 3}


def cell_state(focal_points, alternates):
    if focal_points and alternates:
        return CellState.covered
    if focal_points:
        return CellState.no_alternate
    if alternates:
        return CellState.no_focal_point
    return CellState.vacant


@dataclass
class Cell:
    unct: Unct | None  # None: headquarters
    entity: Entity
    focal_points: int = 0
    alternates: int = 0
    soonest_end: date | None = None
    expiring: bool = False
    appointments: list = field(default_factory=list)  # filled by attach_holders()

    @property
    def state(self):
        return cell_state(self.focal_points, self.alternates)


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    expiring: int = 0

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def covered_share(self):
        """Share of cells covered, from 0 to 1 (None when there is no cell)."""
        return self.counts[CellState.covered] / self.total if self.total else None

    def add(self, cell):
        self.counts[cell.state] += 1
        self.expiring += cell.expiring


@dataclass
class Coverage:
    uncts: list
    cells: dict                       # (unct_id or None, entity_id) -> Cell
    by_unct: dict                     # unct_id -> Summary
    by_region: dict                   # Region -> Summary
    network: Summary
    headquarters: list                # Cells at headquarters scope, one per current entity
    headquarters_summary: Summary
    columns: list                     # entities present in at least one shown UNCT

    @property
    def headquarters_by_entity(self):
        return {cell.entity.id: cell for cell in self.headquarters}

    def cells_of(self, unct):
        return [self.cells[(unct.id, e.id)] for e in unct.members
                if (unct.id, e.id) in self.cells]

    def gaps(self):
        """Every UNCT cell that is not covered, worst first."""
        gaps = [c for c in self.cells.values() if c.unct is not None and
                c.state != CellState.covered]
        return sorted(gaps, key=lambda c: (-c.state.severity, c.unct.region.value,
                                           collation_key(c.unct.name), c.entity.acronym))


def _holder_counts(unct_ids=None):
    """(unct_id, entity_id) -> [focal points, alternates, soonest end] of active terms, in
    the given UNCTs only (None: the whole network, headquarters included)."""
    stmt = (select(Appointment.unct_id, Appointment.entity_id, Appointment.role, func.count(),
                   func.min(Appointment.end_date))
            .where(Appointment.status == AppointmentStatus.active)
            .group_by(Appointment.unct_id, Appointment.entity_id, Appointment.role))
    if unct_ids is not None:
        stmt = stmt.where(Appointment.unct_id.in_(unct_ids))
    rows = db.session.execute(stmt)
    counts = defaultdict(lambda: [0, 0, None])
    for unct_id, entity_id, role, n, soonest in rows:
        entry = counts[(unct_id, entity_id)]
        entry[0 if role == AppointmentRole.focal_point else 1] += n
        if soonest is not None and (entry[2] is None or soonest < entry[2]):
            entry[2] = soonest
    return counts


def compute_coverage(*, today=None, region=None, unct_ids=None, entity=None, policy=None):
    """The coverage of the network (or of the given UNCTs / region / entity), in 3 queries."""
    today = today or date.today()
    policy = policy or Policy.current()
    window_end = today + timedelta(days=policy.alert_window)
    stmt = select(Unct).options(selectinload(Unct.members)).order_by(Unct.region,
                                                                     by_name(Unct.iso3))
    if region:
        stmt = stmt.where(Unct.region == Region(region))
    if unct_ids is not None:
        stmt = stmt.where(Unct.id.in_(unct_ids))
    uncts = db.session.scalars(stmt).all()
    whole_network = unct_ids is None and region is None
    counts = _holder_counts(None if whole_network else [unct.id for unct in uncts])

    def make_cell(unct, ent):
        fps, alts, soonest = counts.get((unct.id if unct else None, ent.id), (0, 0, None))
        return Cell(unct=unct, entity=ent, focal_points=fps, alternates=alts,
                    soonest_end=soonest,
                    expiring=soonest is not None and today <= soonest <= window_end)

    cells, by_unct, by_region, network = {}, {}, defaultdict(Summary), Summary()
    columns = {}
    for unct in uncts:
        summary = by_unct[unct.id] = Summary()
        for ent in unct.members:
            if entity and ent.acronym != entity:
                continue
            columns[ent.id] = ent
            cell = cells[(unct.id, ent.id)] = make_cell(unct, ent)
            summary.add(cell)
            by_region[unct.region].add(cell)
            network.add(cell)
    headquarters, hq_summary = [], Summary()
    if whole_network:
        stmt = select(Entity).order_by(func.lower(Entity.acronym))
        if entity:
            stmt = stmt.where(Entity.acronym == entity)
        for ent in db.session.scalars(stmt):
            if not ent.is_current:
                continue
            cell = make_cell(None, ent)
            headquarters.append(cell)
            hq_summary.add(cell)
    return Coverage(uncts=uncts, cells=cells, by_unct=by_unct, by_region=dict(by_region),
                    network=network, headquarters=headquarters,
                    headquarters_summary=hq_summary,
                    columns=sorted(columns.values(), key=lambda e: e.acronym.lower()))


def attach_holders(coverage):
    """Load the active appointments (with their people) of every cell shown, in one query."""
    unct_ids = [u.id for u in coverage.uncts]
    scope = Appointment.unct_id.in_(unct_ids or [-1])
    if coverage.headquarters:
        scope = scope | Appointment.unct_id.is_(None)
    appointments = db.session.scalars(
        select(Appointment).where(Appointment.status == AppointmentStatus.active, scope)
        .options(selectinload(Appointment.person))
        .order_by(Appointment.role, Appointment.end_date, Appointment.id)).all()
    for appointment in appointments:
        cell = coverage.cells.get((appointment.unct_id, appointment.entity_id))
        if cell is None and appointment.unct_id is None:
            cell = coverage.headquarters_by_entity.get(appointment.entity_id)
        if cell is not None:
            cell.appointments.append(appointment)
    return coverage
