"""Reference-data rules: loading the shipped files, editing entities and UN Country Teams."""
import csv
import re
from importlib import resources

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from gfp_portal.core.audit import log_action, log_changes, log_creation
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import is_country_code
from gfp_portal.core.timezones import is_timezone
from gfp_portal.extensions import db
from gfp_portal.reference.models import DutyStation, Entity, EntityType, Region, Unct, UnctCountry
from gfp_portal.reference.signals import entity_closing, members_leaving

ENTITY_TYPES_IN_FILE = {
    "Secretariat department/office": EntityType.secretariat,
    "Peacekeeping or political mission": EntityType.mission,
    "Fund/programme": EntityType.fund_programme,
    "Specialized agency": EntityType.specialized_agency,
    "Related organization": EntityType.related_organization,
    "Research and training institute": EntityType.research_training,
    "Other UN entity": EntityType.other,
}

REGIONS_IN_FILE = {
    "Africa": Region.africa,
    "Arab States": Region.arab_states,
    "Asia-Pacific": Region.asia_pacific,
    "Europe and Central Asia": Region.europe_central_asia,
    "Latin America and Caribbean": Region.latin_america_caribbean,
}


def _read_csv(name):
    data = resources.files("gfp_portal.reference").joinpath("data", name)
    with data.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _verified(value):
    return value.strip().lower() == "yes"


def load_reference_data(*, actor=None, now=None):
    """Insert the shipped entities, UNCTs and covered countries that are missing.

    Rows already present are left as they are (coordinators may have corrected them), so a
    second run changes nothing. Returns counts of what was added.
    """
    added = {"entities": 0, "uncts": 0, "countries": 0}
    known = set(db.session.scalars(select(Entity.acronym)))
    for row in _read_csv("entities.csv"):
        if row["acronym"] in known:
            continue
        db.session.add(Entity(acronym=row["acronym"], name=row["name_en"],
                              type=ENTITY_TYPES_IN_FILE[row["type"]],
                              is_verified=_verified(row["verified"])))
        added["entities"] += 1
    uncts = {u.iso3: u for u in db.session.scalars(select(Unct))}
    for row in _read_csv("uncts.csv"):
        if row["iso3"] in uncts:
            continue
        unct = Unct(iso3=row["iso3"], name_en=row["country_name_en"],
                    region=REGIONS_IN_FILE[row["region"]], is_verified=_verified(row["verified"]))
        unct.countries.append(UnctCountry(iso3=row["iso3"],
                                          is_verified=_verified(row["verified"])))
        db.session.add(unct)
        uncts[unct.iso3] = unct
        added["uncts"] += 1
        added["countries"] += 1
    db.session.flush()
    covered = {tuple(row) for row in db.session.execute(
        select(UnctCountry.unct_id, UnctCountry.iso3))}
    for row in _read_csv("unct_countries.csv"):
        unct = uncts[row["unct_iso3"]]
        if (unct.id, row["country_iso3"]) in covered:
            continue
        unct.countries.append(UnctCountry(iso3=row["country_iso3"],
                                          is_verified=_verified(row["verified"])))
        added["countries"] += 1
    db.session.flush()
    if any(added.values()):
        log_action("reference.load", None, actor=actor, now=now, object_type="reference",
                   changes={k: [0, v] for k, v in added.items() if v})
    return added


# --- entities -------------------------------------------------------------------------------

def _entity_state(entity):
    return {"acronym": entity.acronym, "name": entity.name,
            "type": entity.type.value if entity.type else None,
            "is_verified": entity.is_verified, "active_from": entity.active_from,
            "active_to": entity.active_to, "email_domains": entity.email_domains}


_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _parse_domains(text):
    domains = []
    for domain in (text or "").replace(",", " ").lower().split():
        domain = domain.lstrip("@")
        if not _DOMAIN.match(domain):
            raise DomainError("bad_domain", _l("“%(domain)s” is not an email domain such as "
                                               "unicef.org.", domain=domain),
                              field="email_domains")
        if domain not in domains:
            domains.append(domain)
    return " ".join(domains) or None


def _check_entity(data, entity=None):
    acronym = data["acronym"].strip()
    if "/" in acronym:  # an acronym is the last part of the entity's page address
        raise DomainError("slash_in_acronym", _l(
            "An acronym cannot hold a slash: write “DPPA-DPO” rather than “DPPA/DPO”."),
            field="acronym")
    clash = db.session.scalars(select(Entity).where(
        func.lower(Entity.acronym) == acronym.lower())).first()
    if clash is not None and clash is not entity:
        raise DomainError("acronym_taken",
                          _l("Another entity already uses the acronym %(acronym)s.",
                             acronym=clash.acronym), field="acronym")
    if data.get("active_from") and data.get("active_to") and \
            data["active_to"] < data["active_from"]:
        raise DomainError("dates_reversed",
                          _l("The end date must not be before the start date."),
                          field="active_to")
    return acronym


def create_entity(data, *, actor, now=None):
    acronym = _check_entity(data)
    entity = Entity(acronym=acronym, name=data["name"].strip(), type=EntityType(data["type"]),
                    is_verified=data.get("is_verified", False),
                    active_from=data.get("active_from"), active_to=data.get("active_to"),
                    email_domains=_parse_domains(data.get("email_domains")))
    log_creation("entity.create", entity, _entity_state, actor=actor, now=now)
    return entity


def update_entity(entity, data, *, actor, reason=None, now=None):
    acronym = _check_entity(data, entity)
    closes = data.get("active_to")
    if closes is not None and (entity.active_to is None or closes < entity.active_to):
        entity_closing.send(entity, on=closes)
    before = _entity_state(entity)
    entity.acronym = acronym
    entity.name = data["name"].strip()
    entity.type = EntityType(data["type"])
    entity.is_verified = data.get("is_verified", False)
    entity.active_from = data.get("active_from")
    entity.active_to = data.get("active_to")
    if "email_domains" in data:
        entity.email_domains = _parse_domains(data["email_domains"])
    return log_changes("entity.update", entity, before, _entity_state(entity), actor=actor,
                       now=now, reason=reason)


# --- UN Country Teams -----------------------------------------------------------------------

def _unct_state(unct):
    return {"iso3": unct.iso3, "name_en": unct.name_en,
            "region": unct.region.value if unct.region else None,
            "is_verified": unct.is_verified, "countries": [c.iso3 for c in unct.countries],
            "members": [e.acronym for e in unct.members]}


def _parse_countries(codes, host):
    codes = [c.strip().upper() for c in codes if c and c.strip()]
    bad = [c for c in codes if not is_country_code(c)]
    if bad:
        raise DomainError("unknown_country",
                          _l("Unknown country codes: %(codes)s. Use ISO 3166 alpha-3 codes "
                             "such as KEN or BRB.", codes=", ".join(bad)), field="countries")
    return sorted(set(codes) | {host})


def _apply_unct(unct, data):
    iso3 = data["iso3"].strip().upper()
    if not is_country_code(iso3):
        raise DomainError("unknown_country",
                          _l("%(code)s is not an ISO 3166 alpha-3 country code.", code=iso3),
                          field="iso3")
    clash = db.session.scalars(select(Unct).where(Unct.iso3 == iso3)).first()
    if clash is not None and clash is not unct:
        raise DomainError("unct_exists",
                          _l("There is already a UN Country Team for %(code)s.", code=iso3),
                          field="iso3")
    countries = _parse_countries(data.get("countries") or [], iso3)
    members = list(data.get("members") or [])
    leaving = set(unct.members) - set(members) if unct.id is not None else set()
    if leaving:
        members_leaving.send(unct, entities=sorted(leaving, key=lambda e: e.acronym.lower()))
    unct.iso3 = iso3
    unct.name_en = data["name_en"].strip()
    unct.region = Region(data["region"])
    unct.is_verified = data.get("is_verified", False)
    existing = {c.iso3: c for c in unct.countries}
    unct.countries = [existing.get(code) or UnctCountry(iso3=code) for code in countries]
    unct.members = members


def create_unct(data, *, actor, now=None):
    unct = Unct()
    _apply_unct(unct, data)
    log_creation("unct.create", unct, _unct_state, actor=actor, now=now)
    return unct


def update_unct(unct, data, *, actor, reason=None, now=None):
    before = _unct_state(unct)
    _apply_unct(unct, data)
    db.session.flush()
    return log_changes("unct.update", unct, before, _unct_state(unct), actor=actor, now=now,
                       reason=reason)


# --- duty stations --------------------------------------------------------------------------

def get_or_create_duty_station(city, country_iso3, time_zone, *, actor=None, now=None):
    city = city.strip()
    if not is_country_code(country_iso3):
        raise DomainError("unknown_country",
                          _l("%(code)s is not an ISO 3166 alpha-3 country code.",
                             code=country_iso3), field="country_iso3")
    if not is_timezone(time_zone):
        raise DomainError("unknown_time_zone",
                          _l("%(zone)s is not a known time zone.", zone=time_zone),
                          field="time_zone")
    station = db.session.scalars(select(DutyStation).where(
        func.lower(DutyStation.city) == city.lower(),
        DutyStation.country_iso3 == country_iso3.upper())).first()
    if station is None:
        station = DutyStation(city=city, country_iso3=country_iso3.upper(), time_zone=time_zone)
        db.session.add(station)
        db.session.flush()
        log_action("duty_station.create", station, actor=actor, now=now,
                   changes={"city": [None, city], "country_iso3": [None, country_iso3],
                            "time_zone": [None, time_zone]})
    return station
