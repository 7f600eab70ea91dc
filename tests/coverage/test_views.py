"""Coverage pages: access per role, fixed query count, exports, languages."""
import re
from datetime import date, timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import inspect, select
from sqlalchemy.orm.exc import DetachedInstanceError

from gfp_portal.core.db import utcnow
from gfp_portal.coverage.services import shared_coverage
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services
from gfp_portal.registry.models import Appointment
from tests.helpers import breadcrumb_links, login, page_links


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


def test_a_code_typed_in_lower_case_leads_to_the_teams_page(client, members, login_as):
    """One address per page, as for an entity's (/entities/undp)."""
    login_as("coordinator")
    response = client.get("/coverage/ken?lang=es")
    assert response.status_code == 301
    assert response.headers["Location"] == "/coverage/KEN?lang=es"
    assert client.get("/coverage/KEN").status_code == 200
    assert client.get("/coverage/xyz").status_code == 404


def test_full_network_renders_with_a_fixed_number_of_queries(client, members, login_as,
                                                               count_queries, app):
    login_as("coordinator")
    with count_queries() as before:
        html = client.get("/coverage/").get_data(as_text=True)
    assert html.count('<td class="cov-') == 132 * 3
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
    assert 'href="/coverage/KEN"' in client.get("/").get_data(as_text=True)
    page = client.get("/coverage/KEN").get_data(as_text=True)
    assert "Wanjiku Otieno" in page
    assert client.get("/coverage/UGA").status_code == 403
    assert client.get("/coverage/XYZ").status_code == 404
    matrix = client.get("/coverage/").get_data(as_text=True)
    assert matrix.count('<td class="cov-') == 3
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


@pytest.mark.parametrize("lang, vacant", [("en", "Vacant: "), ("fr", "Vacant\u00a0: "),
                                           ("ar", "شاغر: ")])
def test_the_counts_beside_the_matrix_and_in_the_chart_read_with_each_languages_colon(
        client, members, login_as, lang, vacant):
    login_as("coordinator")
    html = client.get(f"/coverage/?lang={lang}").get_data(as_text=True)
    assert f'{vacant}<span data-state="vacant">' in html
    assert re.search(f"<title>{vacant}[0-9]", html)


def test_a_team_without_member_entities_is_listed_with_a_dash_and_says_why(
        app, client, reference, login_as):
    """No team has its member entities recorded yet: its Resident Coordinator's coverage
    page still lists it, linked to its page, with a dash for its share and the reason."""
    with app.app_context():
        for team in db.session.scalars(select(Unct)):
            team.members = []
        db.session.commit()
    login_as("resident_coordinator", uncts=["UGA"])
    html = client.get("/coverage/?lang=en").get_data(as_text=True)
    assert "No UN Country Team matches these filters." not in html
    row = html.split('href="/coverage/UGA"')[1].split("</tr>")[0]
    assert "No member entity is recorded for this UN Country Team yet." in row
    assert '<td class="text-nowrap">—</td>' in row
    french = client.get("/coverage/?lang=fr").get_data(as_text=True)
    assert 'href="/coverage/UGA"' in french


def test_a_team_without_member_entities_is_listed_among_the_others(client, app, members,
                                                                    login_as):
    with app.app_context():
        db.session.scalars(select(Unct).filter_by(iso3="UGA")).one().members = []
        db.session.commit()
    login_as("coordinator")
    html = client.get("/coverage/?region=africa").get_data(as_text=True)
    # Opened from the region's matrix, a team's page leads back to it (?back=).
    uganda = html.split('href="/coverage/UGA?')[1].split("</tr>")[0]
    kenya = html.split('href="/coverage/KEN?')[1].split("</tr>")[0]
    assert "No member entity is recorded" in uganda and "No member entity" not in kenya
    # Filtered on one entity, a team is only without that one; a region without any cell of
    # it is not shown.
    with app.app_context():
        for team in db.session.scalars(select(Unct).filter_by(region="arab_states")):
            team.members = [m for m in team.members if m.acronym != "WHO"]
        db.session.commit()
    html = client.get("/coverage/?entity=WHO").get_data(as_text=True)
    assert "No member entity is recorded" not in html
    assert 'id="region-africa"' in html and 'id="region-arab_states"' not in html


def _nomination(app, rc_id, acronym, role, *, kind="nomination", state="submitted"):
    """A nomination (or a request to join) for Kenya; its id."""
    from gfp_portal.accounts.models import User
    from gfp_portal.nominations.models import Nomination

    with app.app_context():
        entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        nomination = Nomination(kind=kind, state=state, role=role, entity=entity, unct=kenya,
                                given_name="Achieng", family_name="Odhiambo",
                                email=f"achieng.{acronym.lower()}@example.org",
                                justification="Gender specialist.",
                                nominator=db.session.get(User, rc_id)
                                if kind == "nomination" else None)
        db.session.add(nomination)
        db.session.commit()
        return nomination.id


def _appoint(app, name, acronym, iso3, role, *, start=None):
    """`name`, new in the registry, appointed from today (or `start`) for `acronym` in the
    team `iso3`."""
    given, family = name.split()
    with app.app_context():
        team = db.session.scalars(select(Unct).filter_by(iso3=iso3)).one()
        entity = db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()
        person = services.create_person({"given_name": given, "family_name": family,
                                         "email": f"{given}.{family}@example.org".lower()},
                                        actor=None)
        services.appoint(person, {"entity": entity, "unct": team, "role": role,
                                  "start_date": start or date.today()}, actor=None)
        db.session.commit()


def _row(html, acronym):
    return html.split(f"<th scope=\"row\">{acronym}</th>")[1].split("</tr>")[0]


def test_a_gap_with_a_nomination_in_progress_says_so_instead_of_nominate(
        app, client, members, login_as):
    rc = login_as("resident_coordinator", uncts=["KEN"])
    unicef = _nomination(app, rc, "UNICEF", "focal_point")
    _nomination(app, rc, "WHO", "focal_point", kind="self_registration")
    _nomination(app, rc, "WHO", "alternate", kind="self_registration", state="unverified")
    html = client.get("/coverage/KEN").get_data(as_text=True)
    row = _row(html, "UNICEF")
    assert "Nomination in progress" in row and f'href="/nominations/{unicef}"' in row
    assert "role=focal_point" not in row and "role=alternate" in row  # the other role is open
    row = _row(html, "WHO")
    assert "Nomination in progress" in row and "role=focal_point" not in row
    assert "role=alternate" in row  # an unconfirmed request to join is nobody's business yet
    gaps = client.get("/coverage/?view=gaps").get_data(as_text=True)
    assert "Nomination in progress" in gaps


def test_a_nomination_in_progress_names_its_role_with_the_punctuation_of_each_language(
        app, client, members, login_as):
    rc = login_as("resident_coordinator", uncts=["KEN"])
    _nomination(app, rc, "UNICEF", "focal_point")
    french = _row(client.get("/coverage/KEN?lang=fr").get_data(as_text=True), "UNICEF")
    assert "Proposition de candidature en cours\u00a0: Point focal" in french
    arabic = _row(client.get("/coverage/KEN?lang=ar").get_data(as_text=True), "UNICEF")
    assert "ترشيح قيد النظر: جهة التنسيق" in arabic


def test_a_term_ending_soon_offers_to_nominate_a_successor(app, client, members, login_as):
    with app.app_context():
        appointment = db.session.scalars(select(Appointment)).one()
        appointment.end_date = date.today() + timedelta(days=20)
        db.session.commit()
        appointment_id = appointment.id
    login_as("resident_coordinator", uncts=["KEN"])
    row = _row(client.get("/coverage/KEN").get_data(as_text=True), "UNDP")
    link = (f"/nominations/new?unct=KEN&amp;entity=UNDP&amp;role=focal_point"
            f"&amp;replaces={appointment_id}")
    assert "Nominate a successor" in row and link in row
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'<option selected value="{appointment_id}">' in form
    for bad in ("abc", "-1", "99999999"):
        url = f"/nominations/new?unct=KEN&entity=UNDP&replaces={bad}"
        assert client.get(url).status_code == 200


def test_a_term_ended_ahead_with_nobody_to_follow_offers_to_nominate_a_successor(
        app, client, members, login_as):
    """Kenya's UNDP focal point leaves in twenty days, entered ahead, and nobody is to follow:
    the cell ends soon, and the team's page offers a successor for the term (with nobody left
    to replace), as the Resident Coordinator's home does."""
    today = date.today()
    with app.app_context():
        current = db.session.scalars(select(Appointment)).one()
        current.start_date = today - timedelta(days=300)
        services.end_appointment(current, reason="left_entity",
                                 ended_on=today + timedelta(days=20), actor=None)
        db.session.commit()
    login_as("resident_coordinator", uncts=["KEN"])
    undp = _row(client.get("/coverage/KEN?lang=en").get_data(as_text=True), "UNDP")
    assert "Wanjiku Otieno" in undp and undp.count("Ends soon") == 2  # the cell, the term
    assert "/nominations/new?unct=KEN&amp;entity=UNDP&amp;role=focal_point\"" in undp
    assert "Nominate a successor" in undp and "replaces=" not in undp


def test_the_team_page_names_who_is_to_come_and_flags_no_term_already_renewed(
        app, client, members, login_as):
    """Kenya's UNDP focal point, ending in 20 days, is renewed ahead: the cell is not ending
    soon, and lists the term held now and the one to come. WHO's focal point starts next
    month: the cell is vacant today, and names who is to come and from when."""
    today = date.today()
    with app.app_context():
        current = db.session.scalars(select(Appointment)).one()
        current.end_date = today + timedelta(days=20)
        services.renew(current, actor=None)
        db.session.commit()
    _appoint(app, "Leila Haddad", "WHO", "KEN", "focal_point",
             start=today + timedelta(days=30))
    login_as("resident_coordinator", uncts=["KEN"])
    html = client.get("/coverage/KEN?lang=en").get_data(as_text=True)
    undp = _row(html, "UNDP")
    assert "Ends soon" not in undp and "Nominate a successor" not in undp
    assert undp.count("Wanjiku Otieno") == 2
    assert "from " + format_date(today + timedelta(days=21), "medium", locale="en") in undp
    who = _row(html, "WHO")
    assert "Vacant" in who and "Leila Haddad" in who
    assert "from " + format_date(today + timedelta(days=30), "medium", locale="en") in who
    csv = client.get("/coverage/export.csv?lang=en").get_data(as_text=True)
    [who_row] = [line for line in csv.splitlines() if ",WHO," in line and "KEN" in line]
    assert "Vacant" in who_row and "Leila Haddad" in who_row and "from " in who_row


def test_no_one_is_asked_to_nominate_to_a_role_someone_is_appointed_to_take_up(
        app, client, members, login_as):
    """WHO's focal point in Kenya starts next month: the cell is vacant today, but nominating
    another focal point would be refused (one focal point per entity and team); an
    alternate is still asked for, on the team's page, the gaps and the RC's home."""
    _appoint(app, "Leila Haddad", "WHO", "KEN", "focal_point",
             start=date.today() + timedelta(days=30))
    login_as("resident_coordinator", uncts=["KEN"])
    pages = {"/coverage/KEN?lang=en": lambda html: _row(html, "WHO"),
             "/coverage/?view=gaps&lang=en": lambda html: html.split(
                 '<td data-label="Entity">WHO</td>')[1].split("</tr>")[0],
             "/?lang=en": lambda html: html.split("<strong>WHO</strong>")[1].split("</li>")[0]}
    for page, who_of in pages.items():
        who = who_of(client.get(page).get_data(as_text=True))
        assert "role=focal_point" not in who, page
        assert "role=alternate" in who, page


def test_a_network_of_one_cell_is_counted_in_the_singular(app, client, members, login_as):
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        for team in db.session.scalars(select(Unct)):
            team.members = [undp] if team.iso3 == "KEN" else []
        db.session.commit()
    login_as("coordinator")
    page = client.get("/coverage/?lang=en").get_data(as_text=True)
    assert "of 1 UNCT cell covered" in page and "1 UNCT cells" not in page


def test_the_coverage_page_counts_cells_with_a_term_ending_soon_as_cells(app, client,
                                                                         members, login_as):
    """Kenya's UNDP focal point and a second alternate both end within the window: one cell,
    two terms. The page counts cells (as beside it), and says so; the home counts terms."""
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        ending = date.today() + timedelta(days=20)
        db.session.scalars(select(Appointment)).one().end_date = ending
        person = services.create_person({"given_name": "Amani", "family_name": "Njoroge",
                                         "email": "a.njoroge@undp.org"}, actor=None)
        services.appoint(person, {"entity": undp, "unct": kenya, "role": "alternate",
                                  "end_date": ending}, actor=None)
        db.session.commit()
    login_as("resident_coordinator", uncts=["KEN"])
    page = client.get("/coverage/?lang=en").get_data(as_text=True)
    assert "UNCT cells with a term ending soon: 1" in page
    assert "2 terms ending soon" in client.get("/?lang=en").get_data(as_text=True)


def test_the_team_page_shows_who_was_appointed_since_its_last_view(app, client, members,
                                                                  login_as):
    """The team's coverage is kept between views until a change is committed; its holders
    are read on every view."""
    login_as("coordinator")
    assert "Vacant" in _row(client.get("/coverage/KEN").get_data(as_text=True), "UNICEF")
    _appoint(app, "Amani Njoroge", "UNICEF", "KEN", "alternate")
    row = _row(client.get("/coverage/KEN").get_data(as_text=True), "UNICEF")
    assert "No focal point" in row and "Amani Njoroge" in row
    assert "Wanjiku Otieno" in _row(client.get("/coverage/KEN").get_data(as_text=True), "UNDP")


def test_the_team_page_runs_a_fixed_number_of_queries_with_nominations(
        app, client, members, login_as, count_queries):
    rc = login_as("resident_coordinator", uncts=["KEN"])
    with count_queries() as none:
        client.get("/coverage/KEN")
    with count_queries() as index_none:
        client.get("/coverage/")
    _nomination(app, rc, "UNICEF", "focal_point")
    _nomination(app, rc, "WHO", "alternate")
    _nomination(app, rc, "WHO", "focal_point", kind="self_registration")
    with count_queries() as some:
        client.get("/coverage/KEN")
    with count_queries() as index_some:
        client.get("/coverage/")
    assert none.count == some.count and index_none.count == index_some.count


def test_a_matrix_cell_costs_a_few_bytes(client, members, login_as):
    """At ten times the network the matrix has some 17,000 cells: each one is a class and a
    symbol explained by the legend, not a link with its own label."""
    login_as("coordinator")
    html = client.get("/coverage/").get_data(as_text=True)
    rows = [re.sub(r'<th scope="row">.*?</th>|<td class="text-nowrap">.*?</td>', "", row,
                   flags=re.S)
            for row in re.findall(r'<tr>\s*<th scope="row">.*?</tr>', html, flags=re.S)]
    cells = sum(row.count("<td") for row in rows)
    assert cells >= 132 * 3
    assert sum(len(row.encode()) for row in rows) / cells <= 30
    assert "not a member of this UN Country Team" in html


def _states(html):
    """The network's count of cells in each state, as the page's summary gives them."""
    return {state: int(count) for state, count in
            re.findall(r'data-state="(\w+)">([\d,]+)</span>', html)}


def test_the_matrix_is_computed_once_until_a_change_is_committed(
        app, client, members, login_as, count_queries):
    login_as("coordinator")
    with count_queries() as first:
        states = _states(client.get("/coverage/?view=gaps").get_data(as_text=True))
    with count_queries() as again:
        assert _states(client.get("/coverage/?view=gaps").get_data(as_text=True)) == states
    assert again.count < first.count
    _appoint(app, "Okello Achieng", "WHO", "UGA", "focal_point")  # Uganda's WHO
    now = _states(client.get("/coverage/?view=gaps").get_data(as_text=True))
    assert now["vacant"] == states["vacant"] - 1
    assert now["no_alternate"] == states["no_alternate"] + 1


def test_a_resident_coordinator_is_never_shown_the_matrix_computed_for_the_office(
        app, client, members, login_as, create_user):
    login_as("coordinator")
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    other = app.test_client()
    assert login(other, "rc@example.org").status_code == 302
    # Nothing is committed between the two views: the same data version.
    assert client.get("/coverage/").get_data(as_text=True).count('<td class="cov-') == 132 * 3
    assert other.get("/coverage/").get_data(as_text=True).count('<td class="cov-') == 3


def test_a_shared_coverage_holds_no_row_of_any_session(app, members):
    with app.test_request_context("/?lang=en"):
        coverage = shared_coverage(now=utcnow())
        assert coverage is shared_coverage(now=utcnow())
        cell = coverage.cells_of(coverage.uncts[0])[0]
        for row in (coverage.uncts[0], cell.unct, cell.entity, *coverage.columns):
            assert inspect(row).detached and inspect(row).session is None
        assert cell.unct is coverage.uncts[0] and cell.unct.name and cell.entity.acronym
        with pytest.raises(DetachedInstanceError):  # nothing more is loaded from a copy
            len(cell.unct.countries)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_page_of_gaps_past_the_end_goes_to_the_last_page_with_the_filters(
        client, members, login_as, lang):
    """An address of page 40 of the gaps, kept from when there were more, goes to the last
    page with the same filters rather than saying that every cell shown is covered."""
    login_as("coordinator")
    response = client.get(f"/coverage/?view=gaps&entity=UNDP&lang={lang}&page=40")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "view=gaps" in location and "entity=UNDP" in location and "page=40" not in location
    html = client.get(location).get_data(as_text=True)
    assert 'data-label="' in html.split("<tbody>")[1].split("</tbody>")[0]


def test_filtering_again_keeps_the_team_the_page_was_opened_for(client, members, login_as):
    """A Resident Coordinator of Kenya and Uganda opens Kenya's gaps from their home page and
    narrows them by state: the form keeps Kenya rather than widening to both teams."""
    login_as("resident_coordinator", uncts=["KEN", "UGA"])
    html = client.get("/coverage/?unct=KEN&view=gaps").get_data(as_text=True)
    form = html.split('aria-label="Filter the coverage"')[1].split("</form>")[0]
    assert '<input type="hidden" name="unct" value="KEN">' in form
    html = client.get("/coverage/?view=gaps").get_data(as_text=True)
    assert 'name="unct"' not in html.split('aria-label="Filter the coverage"')[1].split(
        "</form>")[0]


def test_the_export_of_the_gaps_tab_holds_the_gaps_it_lists(client, members, login_as):
    """On the Gaps tab, the export holds the gaps listed there, not every cell."""
    login_as("coordinator")
    html = client.get("/coverage/?view=gaps&entity=UNDP").get_data(as_text=True)
    gap_count = int(re.search(r"Gaps \((\d+)\)", html).group(1))
    link = re.search(r'href="(/coverage/export\.csv[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "view=gaps" in link and "entity=UNDP" in link
    lines = client.get(link).get_data(as_text=True).strip().splitlines()
    assert len(lines) - 1 == gap_count and not any(",Covered," in line for line in lines)
    everything = client.get(link.replace("view=gaps", "view=matrix")).get_data(as_text=True)
    assert len(everything.strip().splitlines()) > len(lines)


def test_a_unct_opened_from_the_filtered_coverage_leads_back_to_it(client, members, login_as):
    """A UN Country Team opened from the matrix of one region, or from page 2 of the gaps
    of a region: "Coverage" in its breadcrumb leads back there; a way back that is not the
    coverage on this site, to the whole coverage."""
    login_as("coordinator")
    for listing in ("/coverage/?region=arab_states&state=gap",
                    "/coverage/?view=gaps&region=africa&page=2"):
        link = next(link for link in page_links(client.get(listing).get_data(as_text=True))
                    if re.match(r"/coverage/[A-Z]{3}(\?|#|$)", link))
        assert listing in breadcrumb_links(client.get(link).get_data(as_text=True))
    for elsewhere in ("https://elsewhere.example.org/coverage/", "//elsewhere.example.org/",
                      "/admin/users/"):
        links = breadcrumb_links(client.get("/coverage/KEN", query_string={
            "back": elsewhere}).get_data(as_text=True))
        assert "/coverage/" in links and elsewhere not in links
