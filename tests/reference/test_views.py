"""Coordinator pages for entities and UN Country Teams."""
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from tests.helpers import breadcrumb_links, opened_from, page_links
from tests.markup import filled_form


def test_entities_list_search_and_pagination(client, reference, login_as):
    login_as("coordinator")
    page = client.get("/reference/entities/").get_data(as_text=True)
    assert "Page 1 of 6" in page
    found = client.get("/reference/entities/?q=women").get_data(as_text=True)
    assert "UN-Women" in found and "UNICEF" not in found
    typed = client.get("/reference/entities/?kind=specialized_agency").get_data(as_text=True)
    assert "WHO" in typed and "UNDP" not in typed


def test_the_uncts_list_counts_countries_and_members_without_loading_them(
        client, reference, login_as, app, count_queries):
    login_as("coordinator")
    with app.app_context():
        kenya = db.session.scalar(select(Unct).filter_by(iso3="KEN"))
        kenya.members.extend(db.session.scalars(select(Entity).where(
            Entity.acronym.in_(["UNDP", "UNICEF", "WHO"]))))
        db.session.commit()
        expected = (len(kenya.countries), len(kenya.members))
        served = db.session.scalar(select(Unct).join(Unct.countries).group_by(Unct.id)
                                   .having(func.count() > 1).order_by(Unct.id).limit(1))
        several = (served.iso3, len(served.countries), len(served.members))
    assert expected[1] == 3 and several[1] > 1
    for iso3, countries, members in [("KEN", *expected), several]:
        html = client.get(f"/reference/uncts/?q={iso3}&lang=en").get_data(as_text=True)
        assert f'<td data-label="Countries covered">{countries}</td>' in html
        assert f'<td data-label="Member entities">{members}</td>' in html
    with count_queries() as few:
        client.get("/reference/uncts/?per_page=10")
    with count_queries() as many:
        client.get("/reference/uncts/?per_page=100")
    assert many.count == few.count <= 4


def test_the_list_marks_an_entity_closed_once_its_last_day_has_passed(client, reference,
                                                                      login_as, app):
    login_as("coordinator")
    with app.app_context():
        today = date.today()  # the viewer's day is at most one away
        db.session.scalar(select(Entity).filter_by(acronym="WHO")).active_to = \
            today + timedelta(days=1)
        db.session.scalar(select(Entity).filter_by(acronym="WFP")).active_to = \
            today - timedelta(days=2)
        db.session.commit()
        assert db.session.scalars(select(Entity.acronym).where(
            Entity.open_on(today), Entity.acronym.in_(["WHO", "WFP"]))).all() == ["WHO"]
        assert [e.open_on(today) for e in db.session.scalars(
            select(Entity).where(Entity.acronym.in_(["WHO", "WFP"])).order_by(Entity.acronym))] \
            == [False, True]
    html = client.get("/reference/entities/?q=WHO").get_data(as_text=True)
    assert "WHO" in html and "Closed" not in html
    html = client.get("/reference/entities/?q=WFP").get_data(as_text=True)
    assert "WFP" in html and "Closed" in html


def test_uncts_search_by_name_in_the_viewers_language(client, reference, login_as):
    login_as("coordinator")
    html = client.get("/reference/uncts/?q=Kenia&lang=es").get_data(as_text=True)
    assert "Kenia" in html and "Uganda" not in html
    html = client.get("/reference/uncts/?q=كينيا&lang=ar").get_data(as_text=True)
    assert "كينيا" in html
    french = client.get("/reference/uncts/?kind=arab_states&lang=fr").get_data(as_text=True)
    assert "Égypte" in french and "Kenya" not in french


def test_create_entity_form(client, reference, login_as, app):
    login_as("coordinator")
    response = client.post("/reference/entities/new", data={
        "acronym": "UNX", "name": "United Nations Example", "type": "other"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Entity).filter_by(acronym="UNX")).one()


def test_bad_entity_input_rerenders_and_changes_nothing(client, reference, login_as, app):
    login_as("coordinator")
    response = client.post("/reference/entities/new", data={
        "acronym": "undp", "name": "Duplicate", "type": "other"})
    assert response.status_code == 200
    assert b"Another entity already uses the acronym UNDP." in response.data
    assert b'value="Duplicate"' in response.data  # what the user typed is kept
    with app.app_context():
        assert db.session.scalars(select(Entity).filter_by(name="Duplicate")).first() is None


def test_edit_unct_members_and_history(client, reference, login_as, app):
    login_as("coordinator")
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        ids = [e.id for e in db.session.scalars(
            select(Entity).where(Entity.acronym.in_(["UNDP", "UNICEF"])))]
        kenya_id = kenya.id
    response = client.post(f"/reference/uncts/{kenya_id}", data={
        "iso3": "KEN", "name_en": "Kenya", "region": "africa", "countries": "",
        "members": ids, "reason": "annual update"})
    assert response.status_code == 302
    page = client.get(f"/reference/uncts/{kenya_id}").get_data(as_text=True)
    assert "UN Country Team updated" in page and "annual update" in page
    with app.app_context():
        kenya = db.session.get(Unct, kenya_id)
        assert sorted(e.acronym for e in kenya.members) == ["UNDP", "UNICEF"]


def test_unct_page_names_its_resident_coordinators(client, reference, login_as, create_user,
                                                   app):
    create_user("rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Wanjiru", family_name="Kamau")
    login_as("coordinator")
    with app.app_context():
        kenya_id = db.session.scalars(select(Unct.id).filter_by(iso3="KEN")).one()
        uganda_id = db.session.scalars(select(Unct.id).filter_by(iso3="UGA")).one()
    assert "Wanjiru Kamau" in client.get(f"/reference/uncts/{kenya_id}").get_data(as_text=True)
    assert "Wanjiru Kamau" not in client.get(f"/reference/uncts/{uganda_id}").get_data(
        as_text=True)


def test_unct_page_marks_the_resident_coordinator_accounts_no_longer_open(
        client, reference, login_as, create_user, app):
    """During a handover the team has the account of the Resident Coordinator who left
    (deactivated at the end of their term) and that of the new one, not yet activated: the
    page says which is which, beside the one in use."""
    left = create_user("old.rc.kenya@example.org", roles=["resident_coordinator"],
                       uncts=["KEN"], given_name="Wanjiru", family_name="Kamau")
    create_user("new.rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Amani", family_name="Okello", active=False)
    create_user("rc2.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Juma", family_name="Otieno")
    actor = login_as("admin")
    with app.app_context():
        accounts.deactivate_user(db.session.get(User, left), actor=db.session.get(User, actor),
                                 reason="End of term")
        db.session.commit()
        kenya_id = db.session.scalars(select(Unct.id).filter_by(iso3="KEN")).one()
    page = client.get(f"/reference/uncts/{kenya_id}").get_data(as_text=True)
    accounts_line = page[page.index("Resident Coordinator accounts:"):]
    accounts_line = accounts_line[:accounts_line.index("</p>")]
    # In the order of their addresses: the new, the old, the other.
    new = accounts_line[accounts_line.index("Amani Okello"):accounts_line.index("Wanjiru")]
    old = accounts_line[accounts_line.index("Wanjiru Kamau"):accounts_line.index("Juma")]
    in_use = accounts_line[accounts_line.index("Juma Otieno"):]
    assert "Deactivated" in old and "Invited" in new
    assert "Deactivated" not in in_use and "Invited" not in in_use


def test_unct_page_reads_each_resident_coordinator_address_left_to_right(client, reference,
                                                                          create_user, login_as):
    """An address inside the Arabic list of accounts is isolated left to right as every other
    address of the portal, and may break within itself on a narrow screen."""
    create_user("rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"],
                given_name="Wanjiru", family_name="Kamau")
    login_as("coordinator")
    with client.application.app_context():
        kenya_id = db.session.scalars(select(Unct.id).filter_by(iso3="KEN")).one()
    page = client.get(f"/reference/uncts/{kenya_id}?lang=ar").get_data(as_text=True)
    assert '(<bdi dir="ltr" class="ltr-value">rc.kenya@example.org</bdi>)' in page


def test_unct_with_bad_country_code_is_refused(client, reference, login_as):
    login_as("coordinator")
    response = client.post("/reference/uncts/new", data={
        "iso3": "ABC", "name_en": "Nowhere", "region": "africa"})
    assert response.status_code == 200
    assert b"ABC is not an ISO 3166 alpha-3 country code." in response.data


def test_reference_lists_use_a_fixed_number_of_queries(client, reference, login_as,
                                                       count_queries):
    login_as("coordinator")
    with count_queries() as few:
        client.get("/reference/uncts/?kind=europe_central_asia")
    with count_queries() as many:
        client.get("/reference/uncts/")
    assert few.count == many.count


def test_an_entity_or_a_unct_opened_from_a_filtered_page_leads_back_to_it(client, reference,
                                                                          login_as):
    """Page 2 of a filtered list of entities (or UN Country Teams), one opened: the list in
    its breadcrumb is that page of the same filters; a way back that is not that list on this
    site leads to the whole list."""
    login_as("coordinator")
    for listing, item in (("/reference/entities/?q=u&page=2", "/reference/entities/"),
                          ("/reference/uncts/?q=a&page=2", "/reference/uncts/")):
        page = opened_from(client, listing, item)
        assert listing in breadcrumb_links(page)
        for elsewhere in ("https://elsewhere.example.org" + item, "//elsewhere.example.org/",
                          "/admin/users/"):
            link = re.search(re.escape(item) + r"\d+", page).group(0)
            shown = client.get(link, query_string={"back": elsewhere}).get_data(as_text=True)
            assert item in breadcrumb_links(shown) and elsewhere not in breadcrumb_links(shown)


def test_saving_an_entity_or_a_unct_keeps_the_way_back_to_its_filtered_page(client, reference,
                                                                            login_as):
    """An entity (or a UN Country Team) opened from page 2 of a filtered list and saved: the
    page shown after the save still leads back to that page of the list; a way back that is
    not that list on this site is not kept."""
    login_as("coordinator")
    for listing, item, field in (("/reference/entities/?q=u&page=2", "/reference/entities/",
                                  "acronym"),
                                 ("/reference/uncts/?q=a&page=2", "/reference/uncts/", "iso3")):
        link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                    if re.match(re.escape(item) + r"\d+\?", link))
        html = client.get(link).get_data(as_text=True)
        data = filled_form(html, field)
        data["reason"] = "Checked against the directory."
        answer = client.post(link, data=data)
        assert answer.status_code == 302
        page = client.get(answer.headers["Location"]).get_data(as_text=True)
        assert listing in breadcrumb_links(page)
        for elsewhere in ("//elsewhere.example.org/", "/admin/users/"):  # not that list
            answer = client.post(link.split("?")[0], query_string={"back": elsewhere},
                                 data=data)
            assert answer.status_code == 302 and "back" not in answer.headers["Location"]
