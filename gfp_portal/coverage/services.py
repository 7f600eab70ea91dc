"""Coverage rules, read-only over the registry: cell states, the expiring flag and summaries."""
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cached_property

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, inspect, or_, select
from sqlalchemy.orm import selectinload

from gfp_portal.core import data_version
from gfp_portal.core.db import detached_copy
from gfp_portal.core.enums import TitledEnum
from gfp_portal.core.i18n import current_language
from gfp_portal.extensions import db
from gfp_portal.reference.countries import name_rank
from gfp_portal.reference.models import Entity, Region, Unct, unct_members
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus
from gfp_portal.registry.policy import Policy


class CellState(TitledEnum):
    covered = _l("Covered")
    no_alternate = _l("No alternate")
    no_focal_point = _l("No focal point")
    vacant = _l("Vacant")

    @property
    def severity(self):
        """Higher is worse: used to sort the list of gaps."""
        return SEVERITY[self]


SEVERITY = {CellState.covered: 0, CellState.no_alternate: 1, CellState.no_focal_point: 2,
            CellState.vacant: 3}


# (has a focal point, has an alternate) -> the cell's state
_STATES = {(True, True): CellState.covered, (True, False): CellState.no_alternate,
           (False, True): CellState.no_focal_point, (False, False): CellState.vacant}


def cell_state(focal_points, alternates):
    return _STATES[bool(focal_points), bool(alternates)]


@dataclass(slots=True)
class Cell:
    unct: Unct | None  # None: headquarters
    entity: Entity
    focal_points: int
    alternates: int
    soonest_end: date | None
    expiring: bool
    state: CellState    # cell_state(focal_points, alternates)
    # The roles that an active term held by nobody today is to take up (from a later start):
    # no one else is to be nominated to them.
    coming: frozenset = frozenset()

    @property
    def key(self):
        """(unct_id or None, entity_id): the cell's key in Coverage.cells and holders_of()."""
        return (self.unct.id if self.unct else None, self.entity.id)


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

    def merge(self, other):
        self.counts.update(other.counts)
        self.expiring += other.expiring


@dataclass
class Coverage:
    uncts: list
    cells: dict                       # (unct_id or None, entity_id) -> Cell
    by_unct: dict                     # unct_id -> Summary
    by_region: dict                   # Region (of the UNCTs shown) -> Summary
    network: Summary
    headquarters: list                # Cells at headquarters scope, one per current entity
    headquarters_summary: Summary
    columns: list                     # entities present in at least one shown UNCT
    members: dict                     # unct_id -> [(entity_id, entity)] by acronym
    today: date                       # the day whose terms the cells count

    @cached_property
    def column_index(self):
        """entity_id -> its column's position in the matrix."""
        return {entity.id: n for n, entity in enumerate(self.columns)}

    @property
    def headquarters_by_entity(self):
        return {cell.entity.id: cell for cell in self.headquarters}

    def cells_of(self, unct):
        return [self.cells[(unct.id, entity_id)]
                for entity_id, _ in self.members.get(unct.id, ())
                if (unct.id, entity_id) in self.cells]

    @cached_property
    def uncts_by_region(self):
        grouped = defaultdict(list)
        for unct in self.uncts:
            grouped[unct.region].append(unct)
        return grouped

    def _gaps(self, state=None):
        return [c for c in self.cells.values() if c.unct is not None and
                c.state != CellState.covered and (state is None or c.state == state)]

    def gap_count(self, state=None):
        return len(self._gaps(state))

    def gaps(self, state=None):
        """Every UNCT cell that is not covered (or only those in `state`), worst first, then
        by region, UNCT name and entity."""
        ranks = {unct.id: rank for rank, unct in enumerate(self.uncts)}  # region, then name
        return sorted(self._gaps(state), key=lambda c: (-SEVERITY[c.state], ranks[c.unct.id],
                                           c.entity.acronym))


def _holder_counts(today, unct_ids=None, entity=None):
    """(unct_id, entity_id) -> [focal points, alternates, soonest end from `today` on, the
    roles a term not begun yet is to take up] of the terms held on `today`
    (Appointment.held_on), in the given UNCTs only (None: the whole network, headquarters
    included), of the entity with the given acronym only when one is given. A term not begun
    yet holds nothing; nor does one past its end date that the daily run has not ended yet,
    which hides no other term's end either. The soonest end is of an active term, or of one
    ended ahead whose role no active term takes on after it: a term renewed or replaced ahead
    does not flag its cell, one ended ahead with nobody to follow it does."""
    is_focal_point = Appointment.role == AppointmentRole.focal_point
    held = Appointment.held_on(today)
    active = Appointment.status == AppointmentStatus.active
    running = active & or_(Appointment.end_date.is_(None), Appointment.end_date >= today)
    ended_ahead = ~active & held

    def leaves_unfollowed(role):
        """The soonest last day of a term of `role` ended ahead, when no active term of that
        role runs on."""
        return case((func.count().filter(role & running) == 0,
                     func.min(case((role & ended_ahead, Appointment.last_day)))))

    to_begin = active & (Appointment.start_date > today)
    stmt = (select(Appointment.unct_id, Appointment.entity_id,
                   func.count().filter(is_focal_point & held),
                   func.count().filter(~is_focal_point & held),
                   func.min(case((running, Appointment.end_date))),
                   leaves_unfollowed(is_focal_point), leaves_unfollowed(~is_focal_point),
                   func.count().filter(is_focal_point & to_begin),
                   func.count().filter(~is_focal_point & to_begin))
            # The active terms, and those ended on a day still to come (entered ahead).
            .where(or_(active, held))
            .group_by(Appointment.unct_id, Appointment.entity_id))
    if unct_ids is not None:
        stmt = stmt.where(Appointment.unct_id.in_(unct_ids))
    if entity is not None:
        stmt = stmt.where(Appointment.entity_id.in_(
            select(Entity.id).where(Entity.acronym == entity)))
    counts = {}
    for unct_id, entity_id, fps, alts, soonest, fp_leaves, alt_leaves, fps_to_come, \
            alts_to_come in db.session.execute(stmt):
        if fp_leaves or alt_leaves:  # rare: a term ended ahead with nobody to follow it
            soonest = min(day for day in (soonest, fp_leaves, alt_leaves) if day is not None)
        coming = frozenset(role for role, held_now, to_come in (
            (AppointmentRole.focal_point, fps, fps_to_come),
            (AppointmentRole.alternate, alts, alts_to_come)) if to_come and not held_now)
        counts[unct_id, entity_id] = (fps, alts, soonest, coming)
    return counts


def _members(unct_ids, entities, entity=None):
    """unct_id -> [(entity_id, entity)] of its members among `entities` (the current ones) in
    acronym order (only the entity with the given acronym when one is given), from the
    membership table alone (the entities are already loaded)."""
    stmt = (select(unct_members.c.unct_id, unct_members.c.entity_id)
            .join(Entity, Entity.id == unct_members.c.entity_id).order_by(Entity.acronym))
    if unct_ids is not None:
        stmt = stmt.where(unct_members.c.unct_id.in_(unct_ids))
    if entity is not None:
        stmt = stmt.where(Entity.acronym == entity)
    members = defaultdict(list)
    for unct_id, entity_id in db.session.execute(stmt):
        if entity_id in entities:  # not a closed one
            members[unct_id].append((entity_id, entities[entity_id]))
    return members


def compute_coverage(*, today=None, region=None, unct_ids=None, entity=None, policy=None,
                     language=None):
    """The coverage of the network (or of the given UNCTs / region / entity), in 4 queries
    whatever its size: the UNCTs, the entities active on `today`, their memberships and the
    terms held on `today` counted per cell (and a fifth for the countries of given UNCTs).
    The teams are in the order of their names in `language` (the one in force unless told:
    an email gives its recipient's)."""
    today = today or date.today()
    policy = policy or Policy.current()
    window_end = today + timedelta(days=policy.alert_window)
    stmt = select(Unct)
    if region:
        stmt = stmt.where(Unct.region == Region(region))
    if unct_ids is not None:
        # A few teams, each shown with the countries it covers (one more query for all).
        stmt = stmt.where(Unct.id.in_(unct_ids)).options(selectinload(Unct.countries))
    rank = name_rank(language)
    uncts = sorted(db.session.scalars(stmt), key=lambda u: (u.region.value, rank(u.iso3)))
    whole_network = unct_ids is None and region is None
    shown = None if whole_network else [unct.id for unct in uncts]
    # A closed entity (its active-until day passed), or one not active yet, is in no cell, at
    # headquarters as in the teams whose member list names it.
    entities = select(Entity).where(Entity.active_on(today)) \
        .order_by(func.lower(Entity.acronym))
    if entity is not None:  # its cells are the only ones made
        entities = entities.where(Entity.acronym == entity)
    if shown is not None:  # only the members of the teams shown
        entities = entities.where(Entity.id.in_(
            select(unct_members.c.entity_id).where(unct_members.c.unct_id.in_(shown))))
    entities = {e.id: e for e in db.session.scalars(entities)}
    members = _members(shown, entities, entity)
    counts = _holder_counts(today, shown, entity)

    # What a cell holds besides its team and entity, per count of holders (most repeat).
    vacant = (0, 0, None, False, CellState.vacant)
    figures = {key: (fps, alts, soonest,
                     soonest is not None and today <= soonest <= window_end,
                     cell_state(fps, alts), coming)
               for key, (fps, alts, soonest, coming) in counts.items()}

    def make_cell(key, unct, ent):
        return Cell(unct, ent, *figures.get(key, vacant))

    cells, by_unct, by_region, network = {}, {}, defaultdict(Summary), Summary()
    columns = {}
    for unct in uncts:
        unct_id = unct.id
        states, expiring = [], 0
        for entity_id, ent in members.get(unct_id, ()):
            if entity and ent.acronym != entity:
                continue
            columns[entity_id] = ent
            key = (unct_id, entity_id)
            cell = cells[key] = make_cell(key, unct, ent)
            states.append(cell.state)
            expiring += cell.expiring
        summary = by_unct[unct_id] = Summary(Counter(states), expiring)
        region_summary = by_region[unct.region]  # a region of teams without cells has one too
        if summary.counts:
            region_summary.merge(summary)
            network.merge(summary)
    headquarters, hq_summary = [], Summary()
    if whole_network:
        for ent in entities.values():
            if entity and ent.acronym != entity:
                continue
            cell = make_cell((None, ent.id), None, ent)
            headquarters.append(cell)
            hq_summary.add(cell)
    return Coverage(uncts=uncts, cells=cells, by_unct=by_unct, by_region=dict(by_region),
                    network=network, headquarters=headquarters,
                    headquarters_summary=hq_summary,
                    columns=sorted(columns.values(), key=lambda e: e.acronym.lower()),
                    members=members, today=today)


def shared_coverage(*, region=None, unct_ids=None, entity=None, today=None, now):
    """compute_coverage() for a page that only shows it (the matrix, the gaps, an entity's
    teams): computed once by this process for the same filters, language (the teams' order)
    and day, then reused until a change is committed (core.data_version). It is shared: its
    teams and entities are copies that belong to no session (nothing more is loaded from
    them: a relationship read from one raises DetachedInstanceError), and nothing is added
    to it (holders_of() reads the people of its cells beside it)."""
    today = today or date.today()
    key = ("coverage", current_language(), today, region,
           None if unct_ids is None else tuple(unct_ids), entity)
    return data_version.reuse(key, lambda: (_copied(compute_coverage(
        today=today, region=region, unct_ids=unct_ids, entity=entity)), None), now=now)


def _copied(coverage):
    """`coverage` with a copy of each of its teams (with their countries when they were read)
    and entities, made once each."""
    copies = {}

    def copy(row):
        key = (type(row), row.id)
        if key not in copies:
            countries = isinstance(row, Unct) and "countries" not in inspect(row).unloaded
            copies[key] = detached_copy(row, *(("countries",) if countries else ()))
        return copies[key]

    def copy_cell(cell):
        return replace(cell, unct=cell.unct and copy(cell.unct), entity=copy(cell.entity))

    return replace(
        coverage, uncts=[copy(unct) for unct in coverage.uncts],
        cells={key: copy_cell(cell) for key, cell in coverage.cells.items()},
        headquarters=[copy_cell(cell) for cell in coverage.headquarters],
        columns=[copy(entity) for entity in coverage.columns],
        members={unct_id: [(entity_id, copy(entity)) for entity_id, entity in pairs]
                 for unct_id, pairs in coverage.members.items()})


def holders_of(coverage):
    """(unct_id or None, entity_id) -> the appointments (with their people) of each cell of
    `coverage`: those holding it on its day, then the active ones still to begin; focal
    points first, the soonest end first, in one query."""
    unct_ids = [u.id for u in coverage.uncts]
    scope = Appointment.unct_id.in_(unct_ids or [-1])
    if coverage.headquarters:
        scope = scope | Appointment.unct_id.is_(None)
    today = coverage.today
    to_begin = Appointment.start_date > today
    appointments = db.session.scalars(
        select(Appointment).where(scope, or_(
            Appointment.held_on(today),
            (Appointment.status == AppointmentStatus.active) & to_begin))
        .options(selectinload(Appointment.person))
        .order_by(Appointment.role, to_begin, Appointment.end_date, Appointment.id)).all()
    headquarters = coverage.headquarters_by_entity
    holders = defaultdict(list)
    for appointment in appointments:
        key = (appointment.unct_id, appointment.entity_id)
        if key in coverage.cells or (appointment.unct_id is None and
                                     appointment.entity_id in headquarters):
            holders[key].append(appointment)
    return holders
