"""Reference data: the shipped files load once; entities and UNCTs are edited under rules."""
import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db
from gfp_portal.reference import services
from gfp_portal.reference.models import DutyStation, Entity, EntityType, Region, Unct, UnctCountry


@pytest.fixture
def coordinator(ctx, create_user):
    return db.session.get(User, create_user("coord@example.org", roles=["coordinator"]))


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Entity, Unct, UnctCountry))


def test_load_gives_127_entities_and_132_uncts_and_is_idempotent(ctx):
    added = services.load_reference_data()
    assert (added["entities"], added["uncts"]) == (127, 132)
    first = counts()
    assert first[:2] == (127, 132)
    assert services.load_reference_data() == {"entities": 0, "uncts": 0, "countries": 0}
    assert counts() == first
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_load_keeps_the_verified_column(ctx):
    services.load_reference_data()
    angola = db.session.scalars(select(Unct).filter_by(iso3="AGO")).one()
    benin = db.session.scalars(select(Unct).filter_by(iso3="BEN")).one()
    assert angola.is_verified and not benin.is_verified
    assert angola.region == Region.africa
    ungsc = db.session.scalars(select(Entity).filter_by(acronym="UNGSC")).one()
    assert not ungsc.is_verified and ungsc.type == EntityType.mission


def test_multi_country_offices_cover_their_countries(ctx):
    services.load_reference_data()
    barbados = db.session.scalars(select(Unct).filter_by(iso3="BRB")).one()
    assert {"BRB", "ATG", "DMA", "GRD", "LCA", "VCT"} <= set(barbados.country_codes)
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    assert kenya.country_codes == ["KEN"]


def test_load_leaves_corrected_rows_alone(ctx, coordinator):
    services.load_reference_data()
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    kenya.name_en = "Kenya (corrected)"
    db.session.flush()
    services.load_reference_data()
    assert kenya.name_en == "Kenya (corrected)"


def entity_data(**overrides):
    data = {"acronym": "UNX", "name": "United Nations Example", "type": "other",
            "is_verified": False, "active_from": None, "active_to": None}
    data.update(overrides)
    return data


def test_create_and_update_entity_are_audited(coordinator):
    entity = services.create_entity(entity_data(), actor=coordinator)
    changes = services.update_entity(entity, entity_data(name="United Nations Example Office"),
                                     actor=coordinator, reason="renamed")
    assert changes == {"name": ["United Nations Example", "United Nations Example Office"]}
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "entity.update")).one()
    assert event.reason == "renamed" and event.actor_id == coordinator.id


def test_entity_acronym_must_be_unique_ignoring_case(coordinator):
    services.create_entity(entity_data(), actor=coordinator)
    with pytest.raises(DomainError) as excinfo:
        services.create_entity(entity_data(acronym="unx"), actor=coordinator)
    assert excinfo.value.code == "acronym_taken"


def test_an_acronym_holds_no_slash(coordinator):
    """"DPPA/DPO" would name a page address /entities/DPPA/DPO, which finds no entity: every
    link to its page would be a 404."""
    with pytest.raises(DomainError) as excinfo:
        services.create_entity(entity_data(acronym="DPPA/DPO"), actor=coordinator)
    assert (excinfo.value.code, excinfo.value.field) == ("slash_in_acronym", "acronym")
    services.create_entity(entity_data(acronym="DPPA-DPO"), actor=coordinator)


def test_entity_dates_must_be_in_order(coordinator):
    from datetime import date

    with pytest.raises(DomainError) as excinfo:
        services.create_entity(entity_data(active_from=date(2024, 1, 1),
                                           active_to=date(2023, 1, 1)), actor=coordinator)
    assert excinfo.value.code == "dates_reversed"


def unct_data(**overrides):
    data = {"iso3": "KEN", "name_en": "Kenya", "region": "africa", "is_verified": True,
            "countries": [], "members": []}
    data.update(overrides)
    return data


def test_unct_members_and_countries(coordinator):
    undp = services.create_entity(entity_data(acronym="UNDP", name="UNDP"), actor=coordinator)
    unicef = services.create_entity(entity_data(acronym="UNICEF", name="UNICEF"),
                                    actor=coordinator)
    unct = services.create_unct(unct_data(iso3="brb", countries=["atg", "DMA"],
                                          members=[undp]), actor=coordinator)
    assert unct.iso3 == "BRB" and unct.country_codes == ["ATG", "BRB", "DMA"]
    changes = services.update_unct(unct, unct_data(iso3="BRB", countries=["ATG"],
                                                   members=[undp, unicef]), actor=coordinator)
    assert changes["members"] == [["UNDP"], ["UNDP", "UNICEF"]]
    assert changes["countries"] == [["ATG", "BRB", "DMA"], ["ATG", "BRB"]]


@pytest.mark.parametrize("overrides, code", [
    ({"iso3": "XXX"}, "unknown_country"),
    ({"countries": ["KEN", "ZZZ"]}, "unknown_country"),
])
def test_unct_refuses_unknown_country_codes(coordinator, overrides, code):
    with pytest.raises(DomainError) as excinfo:
        services.create_unct(unct_data(**overrides), actor=coordinator)
    assert excinfo.value.code == code


def test_one_unct_per_host_country(coordinator):
    services.create_unct(unct_data(), actor=coordinator)
    with pytest.raises(DomainError) as excinfo:
        services.create_unct(unct_data(), actor=coordinator)
    assert excinfo.value.code == "unct_exists"


def test_duty_station_checks_country_and_time_zone(ctx):
    station = services.get_or_create_duty_station("Nairobi", "KEN", "Africa/Nairobi")
    assert services.get_or_create_duty_station("nairobi", "KEN", "Africa/Nairobi") is station
    assert db.session.scalar(select(func.count()).select_from(DutyStation)) == 1
    with pytest.raises(DomainError) as excinfo:
        services.get_or_create_duty_station("Atlantis", "ATL", "UTC")
    assert excinfo.value.code == "unknown_country"
    with pytest.raises(DomainError) as excinfo:
        services.get_or_create_duty_station("Geneva", "CHE", "Europe/Atlantis")
    assert excinfo.value.code == "unknown_time_zone"


def test_reference_load_command(runner, app):
    first = runner.invoke(args=["reference", "load"])
    assert "Added 127 entities, 132 UN Country Teams" in first.output
    second = runner.invoke(args=["reference", "load"])
    assert "Added 0 entities, 0 UN Country Teams and 0 covered countries." in second.output
