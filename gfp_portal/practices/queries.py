"""Read-only queries behind the practice pages and the roll of honour: what a viewer may see,
searched and filtered, each list in a fixed number of queries."""
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from gfp_portal.core import data_version
from gfp_portal.core.db import utcnow
from gfp_portal.core.search import matches
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.practices.models import (
    Award,
    GuidelineArea,
    Practice,
    PracticeState,
    PracticeVersion,
    award_recipients,
)
from gfp_portal.reference.models import Entity
from gfp_portal.registry.models import Person

# Published practices are for the network; the Office may open them to every visitor.
DEFAULT_SETTINGS = {"practices.public": False}

# The topics of the resource library that name an area of the guidelines: a resource with one
# of them links to the practices of that area.
AREAS_BY_TOPIC = {
    "flexible-working": GuidelineArea.flexible_working,
    "recruitment": GuidelineArea.talent,
    "retention": GuidelineArea.talent,
    "mentoring": GuidelineArea.talent,
    "sexual-harassment": GuidelineArea.standards_of_conduct,
    "field": GuidelineArea.field_specific,
}
RELATED = 3


def library_is_public():
    return bool(get_setting("practices.public"))


def may_read_library(user):
    return user.is_authenticated or library_is_public()


def can_see(practice, user):
    if practice.state == PracticeState.published:
        return may_read_library(user)
    return user.is_authenticated and (user.is_staff or practice.submitter_id == user.id)


def _visible(stmt, user, state):
    """Published practices; in another state, every one for the Office and their own for
    anyone else."""
    if state in (None, PracticeState.published):
        return stmt.where(Practice.state == PracticeState.published)
    stmt = stmt.where(Practice.state == state)
    if not user.is_staff:
        stmt = stmt.where(Practice.submitter_id == user.id)
    return stmt


def with_versions(stmt):
    return stmt.options(joinedload(Practice.entity), selectinload(Practice.versions))


def library_query(user, *, q=None, entity=None, year=None, area=None, language=None,
                  state=None):
    stmt = with_versions(_library(select(Practice), user, q=q, entity=entity, year=year,
                                  area=area, language=language, state=state))
    if state in (None, PracticeState.published):
        return stmt.order_by(Practice.published_at.desc(), Practice.id.desc())
    return stmt.order_by(Practice.submitted_at, Practice.id)


def library_count(user, **filters):
    """How many practices library_query(user, **filters) lists: a count of the filtered rows,
    without the subquery of whole rows a generic count would wrap them in."""
    return _library(select(func.count(Practice.id)), user, **filters)


def _library(stmt, user, *, q=None, entity=None, year=None, area=None, language=None,
             state=None):
    stmt = _visible(stmt, user, state)
    if q and q.strip():
        stmt = stmt.where(Practice.versions.any(matches(PracticeVersion.search_key, q)))
    if entity:
        stmt = stmt.where(Practice.entity_id == entity)
    if year:
        stmt = stmt.where(Practice.year == year)
    if area:
        stmt = stmt.where(Practice.area == area)
    if language:
        stmt = stmt.where(Practice.versions.any(language=language))
    return stmt


def filter_choices():
    """(entities, years) of the published practices, for the filters: read in two queries
    once for each data version (core.data_version)."""
    def read():
        published = select(Practice.entity_id).where(Practice.state == PracticeState.published)
        entities = tuple(tuple(row) for row in db.session.execute(
            select(Entity.id, Entity.acronym).where(Entity.id.in_(published))
            .order_by(func.lower(Entity.acronym))))
        years = tuple(db.session.scalars(select(Practice.year).where(
            Practice.state == PracticeState.published).distinct().order_by(
            Practice.year.desc())))
        return (entities, years), None
    return data_version.reuse("practice filter choices", read, now=utcnow())


def related_to_topics(topics, user, *, limit=RELATED):
    """The latest published practices of the areas these topics name, when the reader may see
    them (no query when no topic names an area)."""
    areas = {AREAS_BY_TOPIC[t] for t in topics if t in AREAS_BY_TOPIC}
    if not areas or not may_read_library(user):
        return []
    return db.session.scalars(with_versions(select(Practice)).where(
        Practice.state == PracticeState.published, Practice.area.in_(areas))
        .order_by(Practice.published_at.desc(), Practice.id.desc()).limit(limit)).all()


def practice_by_id(practice_id):
    return db.session.scalars(with_versions(select(Practice)).where(
        Practice.id == practice_id).options(
        selectinload(Practice.contacts).joinedload(Person.entity))).first()


def waiting_for_review():
    """The statement of (how many practices wait for the Office's review, when the oldest was
    submitted)."""
    return (select(func.count(), func.min(Practice.submitted_at))
            .where(Practice.state == PracticeState.submitted))


# --- awards ------------------------------------------------------------------------------------

def _with_people(stmt):
    return stmt.options(joinedload(Award.entity), selectinload(Award.citations),
                        selectinload(Award.recipients).joinedload(Person.entity))


def awards_by_year():
    """[(year, [Award])], the latest year first (three queries)."""
    awards = db.session.scalars(_with_people(select(Award)).order_by(
        Award.year.desc(), func.lower(Award.event), func.lower(Award.name), Award.id)).all()
    years = {}
    for award in awards:
        years.setdefault(award.year, []).append(award)
    return list(years.items())


def awards_of(person):
    return db.session.scalars(select(Award).where(Award.id.in_(
        select(award_recipients.c.award_id).where(award_recipients.c.person_id == person.id)))
        .options(selectinload(Award.citations)).order_by(Award.year.desc(), Award.id)).all()


def award_by_id(award_id):
    return db.session.scalars(_with_people(select(Award)).where(Award.id == award_id)).first()
