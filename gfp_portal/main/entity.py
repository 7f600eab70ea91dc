"""One entity in one place (/entities/<acronym>): its focal points and alternates, its coverage
across the UN Country Teams it belongs to, the training its people took, its parity figures,
its implementation plans and its good practices; read in a fixed number of queries."""
from dataclasses import dataclass, replace

from gfp_portal.accounts.queries import visible_unct_ids
from gfp_portal.attendance.queries import trained_of_entity
from gfp_portal.core import data_version
from gfp_portal.core.db import detached_copy
from gfp_portal.core.timezones import year_start
from gfp_portal.coverage.services import shared_coverage
from gfp_portal.extensions import db
from gfp_portal.parity import queries as parity
from gfp_portal.parity.queries import own_entity_ids
from gfp_portal.parity.tables import rounded
from gfp_portal.plans.queries import plans_of_entity
from gfp_portal.practices.queries import library_query
from gfp_portal.registry.queries import entity_holders

PRACTICES_SHOWN = 5


@dataclass
class EntityPage:
    entity: object
    holders: list          # appointments held today, then those to begin, headquarters
                           # first, with people and teams
    cells: list            # its coverage cells across its UN Country Teams, gaps first
    scoped: bool           # the cells are of the viewer's own teams only
    trained: tuple         # (people ever trained, of them this year)
    parity: object         # parity.EntityFigures (its periods may be empty)
    within: bool | None    # its latest quarter within the parity range (None: no figures,
                           # or nobody in that quarter)
    plans: list            # its implementation plans, the latest period first
    practices: list        # its latest published good practices

    @property
    def share(self):
        """The share of women in its latest quarter, from 0 to 1 (one decimal of a percent)."""
        latest = self.parity.latest
        return None if latest is None or latest.share is None else rounded(latest.share) / 100

    @property
    def gaps(self):
        return [cell for cell in self.cells if cell.state.value != "covered"]


def entity_page(entity, *, user, now, today):
    coverage = shared_coverage(entity=entity.acronym, today=today, now=now)
    teams = _teams_seen(entity, user)
    cells = sorted((cell for cell in coverage.cells.values() if cell.entity.id == entity.id
                    and (teams is None or cell.unct.id in teams)),
                   key=lambda cell: (-cell.state.severity, cell.unct.name))
    figures, trained = _figures(entity, since=year_start(today, user.time_zone), now=now)
    latest = figures.latest
    practices = db.session.scalars(library_query(user, entity=entity.id)
                                   .limit(PRACTICES_SHOWN)).all()
    return EntityPage(
        entity=entity, holders=entity_holders(entity, today=today), cells=cells,
        scoped=teams is not None,
        trained=trained, parity=figures, within=None if latest is None or latest.share is None
        else figures.parity_range.holds(latest),
        plans=plans_of_entity(entity), practices=practices)


def _teams_seen(entity, user):
    """The teams whose coverage of `entity` the viewer sees (None: every one): all of them
    for the Office and for the entity's own focal points; a Resident Coordinator's own."""
    if user.is_staff or entity.id in own_entity_ids(user):
        return None
    return set(visible_unct_ids(user))


def _figures(entity, *, since, now):
    """The entity's parity figures and its people trained (ever, since the start of the
    viewer's year `since`): read once per data version and start of the year, the same for
    every viewer in that zone."""
    def compute():
        figures = parity.entity_figures(entity)
        trained = trained_of_entity(entity.id, since=since)
        return (replace(figures, entity=detached_copy(entity)), trained), None

    return data_version.reuse(("entity figures", entity.id, since), compute, now=now)
