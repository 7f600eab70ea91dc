"""The figures the parity pages and exports show, summed in the database: a fixed number of
queries whatever the number of figures. Shares are exact fractions; pages round them."""
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from sqlalchemy import bindparam, exists, func, select
from sqlalchemy.orm import aliased

from gfp_portal.accounts.models import user_uncts
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.parity.models import ParityFigure, ParityImport, ParityTotal
from gfp_portal.reference.models import Entity, unct_members
from gfp_portal.registry.models import Appointment, AppointmentStatus

DEFAULT_SETTINGS = {"parity.range_min": 47, "parity.range_max": 53}
PARITY = Fraction(50)
FURTHEST = 3

# Senior grades first: UN-wide levels, then the Professional, National Officer, Field Service
# and General Service categories, each from the highest level down.
_SENIOR = ("USG", "ASG", "D-2", "D-1")
_CATEGORIES = ("P", "NO", "FS", "G")
_LEVEL = re.compile(r"([A-Z]+)-?([A-Z0-9]*)")


def grade_order(grade):
    """A sort key placing grades from the most senior down (a category alone before its
    levels, e.g. NO before NO-D); unknown ones last, by name."""
    if grade in _SENIOR:
        return (0, _SENIOR.index(grade), 0, (), "")
    match = _LEVEL.fullmatch(grade)
    if match and match[1] in _CATEGORIES:
        level = match[2]
        return (1 + _CATEGORIES.index(match[1]), 1 if level else 0,
                -int(level) if level.isdigit() else 0,
                () if level.isdigit() else tuple(-ord(c) for c in level), "")
    return (9, 0, 0, (), grade)


@dataclass(frozen=True)
class Point:
    """Women and men of one period (year, quarter), and of what it describes (a grade…)."""
    year: int
    quarter: int
    women: int
    men: int
    label: str = ""

    @property
    def period(self):
        return f"{self.year}-Q{self.quarter}"

    @property
    def total(self):
        return self.women + self.men

    @cached_property  # read again by the range, the distance and the tables
    def share(self):
        """Women as a percentage of the staff (a Fraction), None when there is nobody."""
        return Fraction(100 * self.women, self.total) if self.total else None

    @property
    def distance(self):
        """Points from parity (50 %), whichever side; None when there is nobody."""
        share = self.share
        return None if share is None else abs(share - PARITY)


@dataclass(frozen=True)
class ParityRange:
    low: Fraction
    high: Fraction

    @classmethod
    def current(cls):
        return cls(Fraction(str(get_setting("parity.range_min"))),
                   Fraction(str(get_setting("parity.range_max"))))

    @property
    def shares(self):
        """(low, high) as fractions of one (Decimals), for format_percent."""
        return tuple(Decimal(end.numerator) / Decimal(end.denominator) / 100
                     for end in (self.low, self.high))

    def holds(self, point):
        """Whether the share of women of `point` is within the range, both ends included."""
        share = point.share
        return share is not None and self.low <= share <= self.high


def _points(rows, label=None):
    return [Point(r.year, r.quarter, int(r.women or 0), int(r.men or 0),
                  getattr(r, label) if label else "") for r in rows]


def _sums(*columns):
    return select(*columns, func.sum(ParityFigure.women).label("women"),
                  func.sum(ParityFigure.men).label("men"))


@dataclass
class Network:
    """The network overview: share of women per period, entities within the range per year,
    and each entity's latest period."""
    periods: list  # [Point] of all entities together, oldest first
    years: list  # [(year, entities within the range, entities with figures)]
    entities: list  # [(Entity, latest Point, within the range)], by acronym
    parity_range: ParityRange


def network():
    """The overview's figures: two queries (the totals per entity and period, then the
    entities that have some). The totals come as plain rows: only the points the page shows
    are made of them."""
    parity_range = ParityRange.current()
    rows = db.session.execute(select(ParityTotal.entity_id, ParityTotal.year,
                                     ParityTotal.quarter, ParityTotal.women,
                                     ParityTotal.men)).all()
    totals, last_of_year = {}, {}
    for entity_id, year, quarter, women, men in rows:
        period_women, period_men = totals.get((year, quarter), (0, 0))
        totals[(year, quarter)] = (period_women + women, period_men + men)
        last = last_of_year.get((entity_id, year))
        if last is None or quarter > last[0]:
            last_of_year[(entity_id, year)] = (quarter, women, men)
    periods = [Point(year, quarter, women, men)
               for (year, quarter), (women, men) in sorted(totals.items())]
    years, latest = {}, {}
    for (entity_id, year), (quarter, women, men) in last_of_year.items():
        point = Point(year, quarter, women, men)
        within, counted = years.get(year, (0, 0))
        years[year] = (within + parity_range.holds(point), counted + 1)
        if entity_id not in latest or year > latest[entity_id].year:
            latest[entity_id] = point
    entities = db.session.scalars(select(Entity).where(Entity.id.in_(list(latest)))).all() \
        if latest else []
    # Nobody in an entity's latest quarter: no share, neither within the range nor outside.
    entities = sorted(((entity, latest[entity.id], None if latest[entity.id].share is None
                        else parity_range.holds(latest[entity.id])) for entity in entities),
                      key=lambda item: (item[0].acronym.lower(), item[0].id))
    return Network(periods, [(year, *years[year]) for year in sorted(years)], entities,
                   parity_range)


@dataclass
class EntityFigures:
    entity: Entity
    periods: list  # [Point] of the entity, oldest first
    grades: list  # grades present, most senior first
    by_grade: dict  # {(year, quarter): {grade: Point}}
    furthest: list  # [Point] of the latest period: the grades furthest from parity
    parity_range: ParityRange

    @property
    def latest(self):
        return self.periods[-1] if self.periods else None


def entity_figures(entity):
    """One entity's figures: one query (its sums per period and grade)."""
    rows = db.session.execute(
        _sums(ParityFigure.year, ParityFigure.quarter, ParityFigure.grade)
        .where(ParityFigure.entity_id == entity.id)
        .group_by(ParityFigure.year, ParityFigure.quarter, ParityFigure.grade)).all()
    by_grade, totals = {}, {}
    for point in _points(rows, "grade"):
        by_grade.setdefault((point.year, point.quarter), {})[point.label] = point
        women, men = totals.get((point.year, point.quarter), (0, 0))
        totals[(point.year, point.quarter)] = (women + point.women, men + point.men)
    periods = [Point(year, quarter, women, men)
               for (year, quarter), (women, men) in sorted(totals.items())]
    grades = sorted({grade for points in by_grade.values() for grade in points},
                    key=grade_order)
    furthest = []
    if periods:
        latest = by_grade[(periods[-1].year, periods[-1].quarter)].values()
        furthest = sorted((p for p in latest if p.total),
                          key=lambda p: (-p.distance, grade_order(p.label)))[:FURTHEST]
    return EntityFigures(entity, periods, grades, by_grade, furthest, ParityRange.current())


def latest_import(entity=None):
    """The latest import that the figures shown (of `entity`, or of the network) came from."""
    stmt = select(ParityImport).order_by(ParityImport.created_at.desc(),
                                         ParityImport.id.desc()).limit(1)
    # Newest first, each import tested by its figures' index until one still has some.
    kept = exists().where(ParityFigure.import_id == ParityImport.id)
    if entity is not None:
        kept = kept.where(ParityFigure.entity_id == entity.id)
    return db.session.scalars(stmt.where(kept)).first()


def own_entity_ids(user):
    """The entities of a focal point: their person's and those of their active appointments
    (none for anyone else). One query at most."""
    ids = set()
    if user.has_role("focal_point") and user.person is not None:
        if user.person.entity_id:
            ids.add(user.person.entity_id)
        ids.update(db.session.scalars(select(Appointment.entity_id).where(
            Appointment.person_id == user.person.id,
            Appointment.status == AppointmentStatus.active)))
    return ids


def visible_entity_ids(user):
    """The entities whose page `user` may open: None for the Office (all of them); a focal
    point's own entity (of an active appointment, or of the person); the member entities of
    a Resident Coordinator's UN Country Teams. One query at most."""
    if user.is_staff:
        return None
    ids = own_entity_ids(user)
    if user.has_role("resident_coordinator"):
        ids.update(db.session.scalars(select(unct_members.c.entity_id).where(
            unct_members.c.unct_id.in_(select(user_uncts.c.unct_id)
                                       .where(user_uncts.c.user_id == user.id)))))
    return ids


def entities_below_parity(entity_ids=None):
    """Those of `entity_ids` (None: every entity with figures) whose share of women in their
    latest quarter is below the parity range (one query)."""
    return set(latest_below_parity(entity_ids))


def _latest_sums(entity_ids):
    """The totals of each entity's latest quarter with figures, of the entities `entity_ids`
    names (None: all): the latest quarter is found by a backward walk of the totals' key, one
    step per entity."""
    newest = aliased(ParityTotal)

    def latest(name):
        return (select(getattr(newest, name)).where(newest.entity_id == Entity.id)
                .order_by(newest.year.desc(), newest.quarter.desc()).limit(1)
                .scalar_subquery().label(name))

    quarters = select(Entity.id.label("entity_id"), latest("year"), latest("quarter"))
    if entity_ids is not None:
        quarters = quarters.where(Entity.id.in_(entity_ids))
    quarters = quarters.subquery()
    return (select(ParityTotal.entity_id, ParityTotal.year, ParityTotal.quarter,
                   ParityTotal.women, ParityTotal.men)
            .join(quarters, (quarters.c.entity_id == ParityTotal.entity_id)
                  & (quarters.c.year == ParityTotal.year)
                  & (quarters.c.quarter == ParityTotal.quarter)))


# Built once: the coordinator's home, the parity and entity pages and the waiting lists read
# them on every view, and an alias and two subqueries cost more to build than to run.
_LATEST_SUMS = _latest_sums(None)
_LATEST_SUMS_OF = _latest_sums(bindparam("entity_ids", expanding=True))


def latest_below_parity(entity_ids=None):
    """{entity id: its latest Point} of those of `entity_ids` (None: every entity with
    figures) whose share of women in that quarter is below the parity range (one query)."""
    if entity_ids is None:
        rows = db.session.execute(_LATEST_SUMS).all()
    elif not entity_ids:
        return {}
    else:
        rows = db.session.execute(_LATEST_SUMS_OF, {"entity_ids": list(entity_ids)}).all()
    low = ParityRange.current().low
    latest = {row.entity_id: _points([row])[0] for row in rows}
    return {entity_id: point for entity_id, point in latest.items()
            if point.share is not None and point.share < low}


def people_below_parity(session, person_ids):
    """Those of `person_ids` with an active appointment in an entity below the parity range:
    the people a waiting list puts first under the below-parity policy (two queries)."""
    held = db.session.execute(select(Appointment.person_id, Appointment.entity_id).where(
        Appointment.person_id.in_(person_ids),
        Appointment.status == AppointmentStatus.active)).all()
    below = entities_below_parity({entity_id for _person_id, entity_id in held})
    return {person_id for person_id, entity_id in held if entity_id in below}
