"""What the audit events of the reference data say: entities and UN Country Teams."""
from flask_babel import lazy_gettext as _l

from gfp_portal.core.history import describe, title_of
from gfp_portal.reference.countries import country_name
from gfp_portal.reference.models import Entity, EntityType, Region, Unct


def _countries(codes):
    return [country_name(code) for code in codes] if isinstance(codes, list) \
        else country_name(codes)


def register():
    describe("entities", title=_l("Entity"),
             page=(Entity, "reference.edit_entity", "entity_id"), labels={
        "acronym": _l("Acronym"), "name": _l("Name"), "type": _l("Type"),
        "is_verified": _l("Checked against an official list"),
        "active_from": _l("Active from"), "active_to": _l("Active until"),
        "email_domains": _l("Email domains"),
    }, values={"type": title_of(EntityType)}, sentences={
        "entity.create": _l("Entity added"), "entity.update": _l("Entity updated")})
    describe("uncts", title=_l("UN Country Team"),
             page=(Unct, "reference.edit_unct", "unct_id"), labels={
        "iso3": _l("Host country (ISO 3166 alpha-3 code)"), "name_en": _l("Name (English)"),
        "region": _l("Region"), "is_verified": _l("Checked against an official list"),
        "countries": _l("Other countries and territories covered"),
        "members": _l("Member entities"),
    }, values={"region": title_of(Region), "countries": _countries, "iso3": country_name},
        sentences={"unct.create": _l("UN Country Team added"),
                   "unct.update": _l("UN Country Team updated")})
    describe("reference", title=_l("Reference data"), labels={
        "entities": _l("Entities"), "uncts": _l("UN Country Teams"),
        "countries": _l("Countries and territories")},
        sentences={"reference.load": _l("Reference data loaded")})
