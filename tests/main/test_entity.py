"""An entity's page: its people, coverage, training, parity, plans and practices in one place;
who may open it; a fixed number of queries whatever the data size."""
import re
from datetime import UTC, date, datetime, timedelta

from babel.dates import format_date
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.attendance import services as attendance
from gfp_portal.core import i18n
from gfp_portal.extensions import db
from gfp_portal.main import views as main_views
from gfp_portal.parity import imports as parity_imports
from gfp_portal.plans import services as plans
from gfp_portal.reference.models import Unct
from gfp_portal.registry import services as registry
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions
from tests.helpers import appoint_undp_alternate, entity, login
from tests.parity.conftest import figures_csv


def _network(app, create_user, people=1):
    """UNDP: an alternate at headquarters (the account fp@), `people` focal points in Kenya
    (UNDP a member there, and of Uganda with nobody), figures below parity, a 2022–2024 plan."""
    ids = {"fp": create_user("fp@example.org"),
           "office": create_user("coord@example.org", roles=["coordinator"]),
           "rc": create_user("rc@example.org", roles=["resident_coordinator"], uncts=["UGA"])}
    with app.app_context():
        office = db.session.get(User, ids["office"])
        appoint_undp_alternate(db.session.get(User, ids["fp"]), actor=office)
        undp = entity("UNDP")
        teams = db.session.scalars(select(Unct).where(Unct.iso3.in_(["KEN", "UGA"]))).all()
        for team in teams:
            team.members.append(undp)
        _grow(people, office)
        parity_imports.import_whole("f.csv", figures_csv([
            ["UNDP", "2024-Q4", "P-4", "HQ", 44, 56]]), actor=None)
        period = plans.create_period({"name": "2022–2024", "first_year": 2022,
                                      "last_year": 2024, "deadline": date(2024, 3, 31)},
                                     actor=office)
        plans.create_plan(undp, period, responsible=[], actor=office)
        db.session.commit()
    return ids


def _grow(count, office, start=0):
    kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    for n in range(start, start + count):
        person = registry.create_person({"given_name": "Wanjiru", "family_name": f"K{n}",
                                         "email": f"k{n}@example.org"}, actor=office)
        registry.appoint(person, {"role": "focal_point" if n == 0 else "alternate",
                                  "entity": entity("UNDP"), "unct": kenya}, actor=office)


def test_the_office_sees_everything_about_an_entity_in_one_place(app, client, reference,
                                                                create_user):
    _network(app, create_user)
    login(client, "coord@example.org")
    html = client.get("/entities/UNDP").get_data(as_text=True)
    assert re.search(r'data-entity="holders" data-count="2"', html)  # headquarters, Kenya
    assert 'data-entity="gaps" data-count="2"' in html  # Kenya: no alternate; Uganda: vacant
    assert 'data-entity="parity" data-within="no"' in html and "44.0%" in html
    assert 'data-standing="overdue"' in html
    assert 'href="/parity/UNDP"' in html and 'href="/coverage/UGA"' in html


def test_the_holders_listed_are_who_holds_each_role_today(app, client, reference, login_as):
    """UNDP's focal point in Kenya is replaced ahead, from a month from now: the list names
    the focal point in office, as the coverage cell beside it counts them, and the successor
    after them with the day their term begins, as the team's coverage page does."""
    login_as("coordinator")
    today = date.today()
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        kenya.members = [entity("UNDP")]
        outgoing = registry.create_person({"given_name": "Outgoing", "family_name": "Holder",
                                           "email": "outgoing@undp.org"}, actor=None)
        term = registry.appoint(outgoing, {"role": "focal_point", "entity": entity("UNDP"),
                                           "unct": kenya,
                                           "start_date": today - timedelta(days=400)},
                                actor=None)
        incoming = registry.create_person({"given_name": "Incoming", "family_name": "Holder",
                                           "email": "incoming@undp.org"}, actor=None)
        registry.replace(term, incoming, {"start_date": today + timedelta(days=30)},
                         actor=None)
        db.session.commit()
    html = client.get("/entities/UNDP?lang=en").get_data(as_text=True)
    holders = html.split('id="holders-title"')[1].split("</section>")[0]
    items = [re.sub(r"<[^>]+>|\s+", " ", item) for item in holders.split("<li")[1:]]
    assert len(items) == 2, items
    assert "Outgoing Holder" in items[0] and "from" not in items[0], items
    starts = format_date(today + timedelta(days=30), "medium", locale="en")
    assert "Incoming Holder" in items[1] and f"from {starts}" in items[1], items
    # The cell's focal point is the one in office: Kenya lacks only an alternate.
    assert 'data-entity="gaps" data-count="1"' in html and "No alternate" in html


def test_who_may_open_an_entity_page(app, client, reference, create_user):
    _network(app, create_user)
    assert client.get("/entities/UNDP").status_code == 302  # to sign in
    login(client, "fp@example.org")
    assert client.get("/entities/UNDP").status_code == 200  # their own entity
    assert client.get("/entities/UNICEF").status_code == 403
    assert client.get("/entities/NOPE").status_code == 404
    client.post("/logout")
    login(client, "rc@example.org")  # UNDP is a member of their team (Uganda)
    assert client.get("/entities/UNDP").status_code == 200
    assert client.get("/entities/UNICEF").status_code == 403


def test_an_acronym_typed_in_another_case_leads_to_the_entitys_page(app, client, reference,
                                                                   create_user):
    """Acronyms are unique whatever their case: /entities/undp is UNDP's page, at its one
    address (a permanent redirect, the query kept)."""
    _network(app, create_user)
    login(client, "coord@example.org")
    response = client.get("/entities/undp?lang=fr")
    assert response.status_code == 301
    assert response.headers["Location"] == "/entities/UNDP?lang=fr"
    assert client.get("/entities/uNdP").headers["Location"] == "/entities/UNDP"
    assert client.get("/entities/nope").status_code == 404


def test_a_holders_name_opens_their_record_where_the_viewer_may_read_it(app, client, reference,
                                                                        create_user):
    """The Office (an administrator too) opens every holder's record; a Resident Coordinator
    of Uganda, where UNDP has nobody, none: the records are of headquarters and Kenya."""
    _network(app, create_user)
    create_user("admin@example.org", roles=["admin"])
    login(client, "admin@example.org")
    assert client.get("/entities/UNDP").get_data(as_text=True).count('href="/registry/people/') \
        == 2
    client.post("/logout")
    login(client, "rc@example.org")
    html = client.get("/entities/UNDP").get_data(as_text=True)
    assert "Wanjiru K0" in html and 'href="/registry/people/' not in html


def test_the_page_takes_a_fixed_number_of_queries(app, client, reference, create_user,
                                                  count_queries):
    _network(app, create_user)
    login(client, "coord@example.org")
    with count_queries() as small:
        client.get("/entities/UNDP")
    with count_queries() as again:  # its teams' coverage is not read again
        client.get("/entities/UNDP")
    with app.app_context():
        _grow(12, db.session.get(User, 2), start=1)
        db.session.commit()
    with count_queries() as larger:
        html = client.get("/entities/UNDP").get_data(as_text=True)
    assert 'data-entity="holders" data-count="14"' in html
    assert larger.count == small.count > again.count


def test_the_office_queue_flags_entities_below_parity_with_a_gap_or_an_overdue_plan(
        app, client, reference, create_user):
    _network(app, create_user)
    with app.app_context():  # UNICEF: below parity, but no team and no plan; WFP: at parity
        parity_imports.import_whole("g.csv", figures_csv([
            ["UNICEF", "2024-Q4", "P-4", "HQ", 40, 60], ["WFP", "2024-Q4", "P-4", "HQ", 50, 50]]),
            actor=None)
        db.session.commit()
    login(client, "coord@example.org")
    html = client.get("/").get_data(as_text=True)
    item = re.search(r'data-queue="support".*?data-count="(\d+)".*?<a href="([^"]+)"', html,
                     re.S)
    assert item.group(1) == "1"
    page = client.get(item.group(2).replace("&amp;", "&")).get_data(as_text=True)
    assert 'data-support-count="1"' in page and 'data-entity="UNDP"' in page
    assert 'data-entity="UNICEF"' not in page
    assert 'href="/entities/UNDP"' in page
    client.post("/logout")
    login(client, "fp@example.org")  # the list is the Office's
    assert "data-support-count" not in client.get("/parity/?support=1").get_data(as_text=True)


def test_figures_imported_since_the_last_view_are_shown(app, client, reference, create_user):
    """The parity figures and the people trained are kept between views until a change is
    committed."""
    _network(app, create_user)
    login(client, "coord@example.org")
    html = client.get("/entities/UNDP").get_data(as_text=True)
    assert 'data-entity="parity" data-within="no"' in html and "44.0%" in html
    with app.app_context():
        parity_imports.import_whole("g.csv", figures_csv([
            ["UNDP", "2025-Q1", "P-4", "HQ", 50, 50]]), actor=None)
        db.session.commit()
    html = client.get("/entities/UNDP").get_data(as_text=True)
    assert 'data-entity="parity" data-within="yes"' in html and "50.0%" in html


def test_this_year_on_an_entity_page_is_the_viewers_own(app, client, reference, create_user,
                                                        monkeypatch):
    """At nine in the morning of 1 January 2031 in Auckland (still 31 December in UTC), a
    session attended the evening before, in Auckland, was last year's."""
    _network(app, create_user)
    create_user("office.auckland@example.org", roles=["coordinator"],
                time_zone="Pacific/Auckland")
    with app.app_context():
        office = db.session.get(User, 2)
        person = registry.create_person({"given_name": "Aroha", "family_name": "Ngata",
                                         "email": "a.ngata@example.org",
                                         "entity": entity("UNDP")}, actor=office)
        starts = datetime.now(UTC) + timedelta(days=1)
        session = sessions.create_session({
            "title_en": "Year end", "topic": "enabling_environment", "format": "virtual",
            "starts_at": starts, "ends_at": starts + timedelta(hours=1),
            "time_zone": "Pacific/Auckland", "join_url": "https://meet.example.org/gfp",
            "languages": "en", "capacity": 5, "audience": "both"}, actor=office)
        sessions.publish_session(session, actor=office)
        attendance.mark(registration.register(session, person, actor=None, notify=False,
                                              by_coordinator=True), "present", actor=office)
        session.starts_at = datetime(2030, 12, 31, 8, tzinfo=UTC)  # 21:00 in Auckland
        session.ends_at = session.starts_at + timedelta(hours=1)
        db.session.commit()
    moment = datetime(2030, 12, 31, 20, tzinfo=UTC)
    monkeypatch.setattr(i18n, "utcnow", lambda: moment)
    monkeypatch.setattr(main_views, "utcnow", lambda: moment)
    login(client, "office.auckland@example.org")
    html = client.get("/entities/UNDP").get_data(as_text=True)
    assert "1 person of this entity has attended a session, 0 of them this year." in html


def test_a_resident_coordinator_sees_the_coverage_of_their_own_teams_only(app, client,
                                                                        reference, create_user):
    """UNDP is a member of Kenya and Uganda; the Resident Coordinator of Uganda, who may not
    open Kenya's coverage, sees Uganda's cell alone, linked to its page; the entity's own focal
    point sees every team."""
    _network(app, create_user)
    login(client, "rc@example.org")
    assert client.get("/coverage/KEN").status_code == 403
    html = client.get("/entities/UNDP").get_data(as_text=True)
    coverage = re.search(r'data-entity="gaps" data-count="(\d+)">(.*?)</section>', html, re.S)
    assert coverage.group(1) == "1"
    assert "Member of 1 of your UN Country Teams" in coverage.group(2)
    assert "Kenya" not in coverage.group(2) and 'href="/coverage/UGA"' in coverage.group(2)
    client.post("/logout")
    login(client, "fp@example.org")
    html = client.get("/entities/UNDP").get_data(as_text=True)
    assert 'data-entity="gaps" data-count="2"' in html and "Member of 2 UN Country Teams" in html
