"""The nomination form: an RC chooses among the UN Country Team's member entities, required
fields are marked, the page is titled by the role nominated, and the UN-SWAP warnings come
before the nomination is submitted (without JavaScript: the form comes back once)."""
import re

import pytest
from sqlalchemy import func, select

from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination
from gfp_portal.reference.models import DutyStation, Entity, Unct
from gfp_portal.registry import services as registry
from tests.nominations.test_views import _FormReader, sign_in

FILLED = {"scope": "KEN", "entity": "UNDP", "role": "focal_point", "given_name": "Amani",
          "family_name": "Chebet", "email": "amani.chebet@undp.org", "grade": "P-3",
          "preferred_language": "en", "duty_station": "0", "replaces": "0",
          "justification": "Leads the office's gender parity action plan.", "submit": "Submit"}


def _count():
    return db.session.scalar(select(func.count(Nomination.id)))


def test_an_rc_chooses_among_the_member_entities_of_the_country_team(client,
                                                                      kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    page = client.get("/nominations/new?unct=KEN").get_data(as_text=True)
    select_html = page.split('name="entity"')[1].split("</select>")[0]
    options = re.findall(r'<option[^>]*value="([^"]*)"', select_html)
    assert options == ["", "UNDP", "UNICEF", "WFP"]
    with client.application.app_context():
        before = _count()
    response = client.post("/nominations/new", data={**FILLED, "entity": "UNHCR"})
    assert response.status_code == 200
    assert "Please correct the fields marked below." in response.get_data(as_text=True)
    with client.application.app_context():
        assert _count() == before


def test_the_office_still_chooses_among_every_entity(client, kenya_nomination):
    sign_in(client, "coord@example.org")
    page = client.get("/nominations/new").get_data(as_text=True)
    select_html = page.split('name="entity"')[1].split("</select>")[0]
    assert 'value="UNHCR"' in select_html and 'value="UNDP"' in select_html


def test_required_fields_are_marked_and_the_mark_explained(client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    page = client.get("/nominations/new").get_data(as_text=True)
    assert "Fields marked with an asterisk (*) are required." in page
    label = re.search(r'<label[^>]*for="justification"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert 'class="required-mark' in label and 'aria-hidden="true"' in label
    label = re.search(r'<label[^>]*for="grade"[^>]*>(.*?)</label>', page, re.S).group(1)
    assert "required-mark" not in label


def test_the_page_is_titled_by_the_role_nominated(client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    page = client.get("/nominations/new?unct=KEN&role=alternate").get_data(as_text=True)
    assert "<h1" in page and "Nominate an alternate</h1>" in page
    page = client.get("/nominations/new?unct=KEN&role=focal_point").get_data(as_text=True)
    assert "Nominate a focal point</h1>" in page
    page = client.get("/nominations/new?unct=KEN&role=alternate&lang=fr").get_data(as_text=True)
    assert "Proposer un suppléant ou une suppléante</h1>" in page


def test_unswap_warnings_come_before_the_nomination_is_submitted(app, client,
                                                                 kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    with app.app_context():
        before = _count()
    response = client.post("/nominations/new", data=FILLED)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "UN-SWAP check" in page
    assert "Grade below the expected level" in page and "No terms of reference on file" in page
    with app.app_context():
        assert _count() == before
    reader = _FormReader()
    reader.feed(page)
    assert reader.fields["warnings_seen"]
    response = client.post("/nominations/new", data={**reader.fields, "submit": "Submit"})
    assert response.status_code == 302
    with app.app_context():
        assert _count() == before + 1


def test_a_changed_nomination_with_new_warnings_is_checked_again(app, client,
                                                                 kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    reader = _FormReader()
    reader.feed(client.post("/nominations/new", data=FILLED).get_data(as_text=True))
    fields = {**reader.fields, "time_share": "5", "submit": "Submit"}
    response = client.post("/nominations/new", data=fields)
    assert response.status_code == 200
    assert "Less working time than expected" in response.get_data(as_text=True)


def test_a_nomination_without_warnings_goes_at_once(app, client, kenya_nomination):
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", data={
        **FILLED, "grade": "P-4", "time_share": "30", "tor_acknowledged": "y"})
    assert response.status_code == 302


def test_a_nominee_already_in_the_registry_is_picked_by_address(app, client, kenya_nomination):
    from gfp_portal.registry import services as registry

    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        unhcr = db.session.scalars(select(Entity).filter_by(acronym="UNHCR")).one()
        registry.create_person({
            "given_name": "Lucía", "family_name": "Fernández", "email": "lucia@undp.org",
            "entity": undp, "grade": "P-4", "position_title": "Programme Specialist",
            "preferred_language": "es", "duty_station": DutyStation(
                city="Nairobi", country_iso3="KEN", time_zone="Africa/Nairobi")}, actor=None)
        registry.create_person({
            "given_name": "Omar", "family_name": "Haddad", "email": "omar@unhcr.org",
            "entity": unhcr, "grade": "P-5"}, actor=None)
        db.session.commit()
        before = _count()
    sign_in(client, "rc.kenya@example.org")
    response = client.post("/nominations/new", data={
        "scope": "KEN", "entity": "UNDP", "role": "focal_point",
        "known_email": " LUCIA@undp.org ", "fill_in": "Fill in"})
    assert response.status_code == 200
    reader = _FormReader()
    reader.feed(response.get_data(as_text=True))
    assert (reader.fields["given_name"], reader.fields["family_name"], reader.fields["email"],
            reader.fields["grade"], reader.fields["position_title"],
            reader.fields["preferred_language"]) == \
        ("Lucía", "Fernández", "lucia@undp.org", "P-4", "Programme Specialist", "es")
    with app.app_context():
        assert _count() == before  # filling in submits nothing
    # Someone of an entity outside the Kenya team is not found for its RC.
    page = client.post("/nominations/new", data={
        "scope": "KEN", "entity": "UNDP", "role": "focal_point",
        "known_email": "omar@unhcr.org", "fill_in": "Fill in"}).get_data(as_text=True)
    assert "Nobody in the registry has the address omar@unhcr.org." in page
    assert "Haddad" not in page


def test_an_rc_is_not_shown_the_holders_of_another_team_or_of_headquarters(
        app, client, kenya_nomination):
    """The form lists the current holders of the scope it names, to choose whom the nominee
    replaces: a Resident Coordinator's own teams only, whatever scope the address or a
    posted form names."""
    with app.app_context():
        unhcr = db.session.scalars(select(Entity).filter_by(acronym="UNHCR")).one()
        uganda = db.session.scalars(select(Unct).filter_by(iso3="UGA")).one()
        uganda.members = [*uganda.members, unhcr]
        for given, team in (("Okello", uganda), ("Genevieve", None)):
            person = registry.create_person({
                "given_name": given, "family_name": "Holder",
                "email": f"{given.lower()}@unhcr.org", "entity": unhcr}, actor=None)
            registry.appoint(person, {"role": "focal_point", "entity": unhcr, "unct": team},
                             actor=None)
        db.session.commit()
    sign_in(client, "rc.kenya@example.org")
    for scope, holder in (("UGA", "Okello"), ("HQ", "Genevieve")):
        page = client.get(f"/nominations/new?unct={scope}&entity=UNHCR&role=focal_point")
        assert page.status_code == 200
        assert holder not in page.get_data(as_text=True)
        page = client.post("/nominations/new", data={
            "scope": scope, "entity": "UNHCR", "role": "focal_point",
            "show_holders": "Show"})
        assert holder not in page.get_data(as_text=True)
    # The Office still sees who holds the role, for any scope.
    sign_in(client, "coord@example.org")
    page = client.get("/nominations/new?unct=UGA&entity=UNHCR&role=focal_point")
    assert "Okello" in page.get_data(as_text=True)


@pytest.mark.parametrize("where", ["UGA", None])
def test_an_rc_fills_in_only_people_who_work_in_their_team(app, client, kenya_nomination,
                                                          where):
    """The Kenya RC types the address of a UNDP alternate of the Uganda team, or of a UNDP
    person stationed elsewhere with no term: the form fills in neither (DESIGN §1: a Resident
    Coordinator reads only their own teams); a UNDP person stationed in Kenya it does."""
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        uganda = db.session.scalars(select(Unct).filter_by(iso3="UGA")).one()
        uganda.members.append(undp)
        kampala = DutyStation(city="Kampala", country_iso3="UGA", time_zone="Africa/Kampala")
        nairobi = DutyStation(city="Nairobi", country_iso3="KEN", time_zone="Africa/Nairobi")
        okello = registry.create_person({
            "given_name": "Okello", "family_name": "Mugisha", "email": "okello@undp.org",
            "entity": undp, "grade": "P-5", "duty_station": kampala,
            "position_title": "Senior Investigations Specialist"}, actor=None)
        registry.create_person({
            "given_name": "Wanjiru", "family_name": "Kamau", "email": "wanjiru@undp.org",
            "entity": undp, "grade": "P-4", "duty_station": nairobi}, actor=None)
        db.session.flush()
        if where:
            registry.appoint(okello, {"role": "alternate", "entity": undp, "unct": uganda},
                             actor=None)
        db.session.commit()
    sign_in(client, "rc.kenya@example.org")
    fill_in = {"scope": "KEN", "entity": "UNDP", "role": "focal_point", "fill_in": "Fill in"}
    page = client.post("/nominations/new", data={**fill_in, "known_email": "okello@undp.org"}) \
        .get_data(as_text=True)
    assert "Nobody in the registry has the address okello@undp.org." in page
    assert "Mugisha" not in page and "Senior Investigations Specialist" not in page
    page = client.post("/nominations/new", data={**fill_in, "known_email": "wanjiru@undp.org"}) \
        .get_data(as_text=True)
    assert "Kamau" in page
