"""Read-only queries behind the reference-data pages."""
import pycountry
from babel import Locale
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from gfp_portal.core.i18n import current_language
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, Region, Unct


def _codes_named_like(text):
    """ISO3 codes whose name in the viewer's language contains `text`."""
    text = text.casefold()
    territories = Locale.parse(current_language()).territories
    codes = set()
    for alpha2, name in territories.items():
        if text in name.casefold():
            country = pycountry.countries.get(alpha_2=alpha2)
            if country:
                codes.add(country.alpha_3)
    return codes


def entities_query(q=None, kind=None):
    stmt = select(Entity).order_by(func.lower(Entity.acronym))
    if q:
        needle = q.strip().lower()
        stmt = stmt.where(or_(func.lower(Entity.acronym).contains(needle, autoescape=True),
                              func.lower(Entity.name).contains(needle, autoescape=True)))
    if kind:
        stmt = stmt.where(Entity.type == kind)
    return stmt


def uncts_query(q=None, region=None):
    stmt = (select(Unct).options(selectinload(Unct.countries), selectinload(Unct.members))
            .order_by(Unct.region, Unct.name_en))
    if q:
        q = q.strip()
        stmt = stmt.where(or_(func.lower(Unct.name_en).contains(q.lower(), autoescape=True),
                              func.lower(Unct.iso3) == q.lower(),
                              Unct.iso3.in_(_codes_named_like(q))))
    if region in Region.__members__:
        stmt = stmt.where(Unct.region == Region(region))
    return stmt


def entity_choices():
    entities = db.session.scalars(select(Entity).order_by(func.lower(Entity.acronym)))
    return [(e.id, e.acronym) for e in entities]


def duty_station_choices():
    """(id, "City, Country") for every duty station, sorted by label in the viewer's language."""
    stations = db.session.scalars(select(DutyStation)).all()
    return sorted(((s.id, str(s)) for s in stations), key=lambda pair: pair[1])
