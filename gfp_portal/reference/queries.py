"""Read-only queries behind the reference-data pages."""
from sqlalchemy import func, or_, select
from sqlalchemy.orm import with_expression

from gfp_portal.core.search import matches
from gfp_portal.extensions import db
from gfp_portal.reference.countries import by_name, codes_named_like, sort_by_name
from gfp_portal.reference.models import DutyStation, Entity, Region, Unct, UnctCountry, unct_members


def entities_query(q=None, kind=None):
    stmt = select(Entity).order_by(func.lower(Entity.acronym))
    if q and q.strip():
        stmt = stmt.where(matches(Entity.search_key, q))
    if kind:
        stmt = stmt.where(Entity.type == kind)
    return stmt


def uncts_query(q=None, region=None):
    """The teams, with how many countries each covers and how many entities are members (the
    numbers only: the list shows no more)."""
    countries = select(func.count()).where(UnctCountry.unct_id == Unct.id).scalar_subquery()
    members = select(func.count()).select_from(unct_members) \
        .where(unct_members.c.unct_id == Unct.id).scalar_subquery()
    stmt = (select(Unct).options(with_expression(Unct.countries_count, countries),
                                 with_expression(Unct.members_count, members))
            .order_by(Unct.region, by_name(Unct.iso3)))
    if q and q.strip():
        q = q.strip()
        # The country's name in the viewer's language or in English, of the host country or
        # of one the team covers, or its ISO3 code.
        codes = sorted(codes_named_like(q) | codes_named_like(q, "en"))
        stmt = stmt.where(or_(func.lower(Unct.iso3) == q.lower(), Unct.iso3.in_(codes),
                              func.lower(Unct.name_en).contains(q.lower(), autoescape=True),
                              Unct.countries.any(UnctCountry.iso3.in_(codes))))
    if region in Region.__members__:
        stmt = stmt.where(Unct.region == Region(region))
    return stmt


def entity_choices():
    entities = db.session.scalars(select(Entity).order_by(func.lower(Entity.acronym)))
    return [(e.id, e.acronym) for e in entities]


def duty_station_choices():
    """(id, "City, Country") for every duty station, sorted by label in the viewer's language."""
    stations = db.session.scalars(select(DutyStation)).all()
    return sort_by_name(((s.id, str(s)) for s in stations), key=lambda pair: pair[1])


def entity_by_acronym(acronym):
    """The entity of `acronym` in whatever case it is written: acronyms are unique whatever
    their case (services._check_entity). The one written exactly so comes first."""
    if not acronym:
        return None
    return db.session.scalars(select(Entity).where(func.lower(Entity.acronym) == acronym.lower())
                              .order_by(Entity.acronym != acronym)).first()


def unct_by_iso3(iso3):
    return db.session.scalars(select(Unct).filter_by(iso3=iso3.upper())).first() \
        if iso3 else None


def unct_of_scope(scope):
    """The UN Country Team a form's scope names; None for headquarters ("HQ") or no scope."""
    return None if scope in (None, "", "HQ") else unct_by_iso3(scope)


def entities_by_ids(ids):
    return db.session.scalars(select(Entity).where(Entity.id.in_(ids))).all() if ids else []


def uncts_by_ids(ids):
    return db.session.scalars(select(Unct).where(Unct.id.in_(ids))).all() if ids else []


def duty_station_by_id(station_id):
    return db.session.get(DutyStation, station_id) if station_id else None


def unct_id_choices():
    """(id, "Name (ISO3)") for every UN Country Team, sorted by name in the viewer's language."""
    uncts = db.session.scalars(select(Unct)).all()
    return sort_by_name(((u.id, f"{u.name} ({u.iso3})") for u in uncts), key=lambda c: c[1])
