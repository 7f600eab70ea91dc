"""Coverage pages: access per role, fixed query count, exports, languages."""
from datetime import date

import pytest
from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services


@pytest.fixture
def members(app, reference):
    """Every UNCT gets UNDP, UNICEF and WHO; Kenya's UNDP has a focal point."""
    with app.app_context():
        entities = db.session.scalars(select(Entity).where(
            Entity.acronym.in_(["UNDP", "UNICEF", "WHO"]))).all()
        for team in db.session.scalars(select(Unct)):
            team.members = list(entities)
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        person = services.create_person({"given_name": "Wanjiku", "family_name": "Otieno",
                                         "email": "w.otieno@undp.org"}, actor=None)
        undp = next(e for e in entities if e.acronym == "UNDP")
        services.appoint(person, {"entity": undp, "unct": kenya, "role": "focal_point",
                                  "start_date": date.today()}, actor=None)
        db.session.commit()


@pytest.mark.parametrize("role, status", [("coordinator", 200), ("admin", 200),
                                          ("resident_coordinator", 200), ("focal_point", 403)])
def test_coverage_index_access(client, members, login_as, role, status):
    login_as(role, uncts=["KEN"] if role == "resident_coordinator" else ())
    assert client.get("/coverage/").status_code == status


def test_anonymous_is_sent_to_sign_in(client, members):
    for url in ("/coverage/", "/coverage/KEN", "/coverage/export.csv"):
        assert "/login" in client.get(url).headers["Location"]


def test_full_network_renders_with_a_fixed_number_of_queries(client, members, login_as,
                                                               count_queries, app):
    login_as("coordinator")
    with count_queries() as before:
        html = client.get("/coverage/").get_data(as_text=True)
    assert html.count('class="cov-cell') == 132 * 3
    with app.app_context():  # many more people and appointments across every UNCT
        who = db.session.scalars(select(Entity).filter_by(acronym="WHO")).one()
        for n, team in enumerate(db.session.scalars(select(Unct))):
            person = services.create_person({"given_name": "A", "family_name": str(n),
                                             "email": f"a{n}@who.int"}, actor=None)
            services.appoint(person, {"entity": who, "unct": team, "role": "alternate",
                                      "start_date": date.today()}, actor=None)
        db.session.commit()
    with count_queries() as after:
        client.get("/coverage/")
    with count_queries() as region_a:
        client.get("/coverage/?region=arab_states")
    with count_queries() as region_b:
        client.get("/coverage/?region=africa")
    assert before.count == after.count
    assert region_a.count == region_b.count


def test_resident_coordinator_sees_only_own_unct(client, members, login_as):
    login_as("resident_coordinator", uncts=["KEN"])
    assert client.get("/").headers["Location"].endswith("/coverage/KEN")
    page = client.get("/coverage/KEN").get_data(as_text=True)
    assert "Wanjiku Otieno" in page
    assert client.get("/coverage/UGA").status_code == 403
    assert client.get("/coverage/XYZ").status_code == 404
    matrix = client.get("/coverage/").get_data(as_text=True)
    assert matrix.count('class="cov-cell') == 3
    csv = client.get("/coverage/export.csv").get_data(as_text=True)
    assert "KEN" in csv and "UGA" not in csv
    assert "UGA" not in client.get("/coverage/export.csv?unct=UGA").get_data(as_text=True)


def test_export_csv_and_xlsx(client, members, login_as):
    login_as("coordinator")
    csv = client.get("/coverage/export.csv?region=africa").get_data(as_text=True)
    assert "Wanjiku Otieno <w.otieno@undp.org>" in csv and "No alternate" in csv
    assert "JOR" not in csv
    xlsx = client.get("/coverage/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


@pytest.mark.parametrize("lang, country", [("fr", "Égypte"), ("es", "Egipto"), ("ar", "مصر")])
def test_country_names_in_the_viewers_language(client, members, login_as, lang, country):
    login_as("coordinator")
    html = client.get(f"/coverage/?region=arab_states&lang={lang}").get_data(as_text=True)
    assert country in html
    csv = client.get(f"/coverage/export.csv?region=arab_states&lang={lang}").get_data(
        as_text=True)
    assert country in csv
