"""The parity pages: who sees what (every role), the tables and their CSV exports (the same
numbers), the provenance line, and a fixed number of queries whatever the data size."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from gfp_portal.accounts.models import User
from gfp_portal.core.tables import CONTENT_TYPES
from gfp_portal.extensions import db
from gfp_portal.parity import imports, queries
from tests.helpers import appoint_undp_alternate, entity, login, unct
from tests.parity.conftest import figures_csv, grid

ENTITIES = ["UNDP", "UNICEF", "WFP"]


def load(app, rows, name="figures.csv"):
    with app.app_context():
        imports.import_whole(name, figures_csv(rows), actor=None)
        db.session.commit()


@pytest.fixture
def figures(app, reference):
    load(app, grid(ENTITIES, ["2023-Q4", "2024-Q1"], ["P-4", "D-1", "G-5"]) +
         [["UNDP", "2024-Q2", "P-4", "HQ", 47, 53]])


def sign_in(app, client, create_user, *roles, uncts=(), person_entity=None, appointed=False):
    email = f"{'-'.join(roles) or 'none'}-{person_entity or ''}{'-a' if appointed else ''}" \
        "@example.org"
    user_id = create_user(email, roles=roles, uncts=uncts)
    with app.app_context():
        user = db.session.get(User, user_id)
        if person_entity:
            user.person.entity = entity(person_entity)
        if appointed:
            appoint_undp_alternate(user)
        if uncts:
            for code in uncts:
                unct(code).members = [entity("UNDP")]
        db.session.commit()
    assert login(client, email).status_code == 302


# (roles, keyword arguments, overview, the entity pages it may open)
ROLES = [
    (("coordinator",), {}, 200, {"UNDP", "UNICEF", "WFP"}),
    (("admin",), {}, 200, {"UNDP", "UNICEF", "WFP"}),
    (("focal_point",), {"person_entity": "UNICEF"}, 200, {"UNICEF"}),
    (("focal_point",), {"appointed": True}, 200, {"UNDP"}),
    (("focal_point",), {}, 200, set()),
    (("resident_coordinator",), {"uncts": ("KEN",)}, 200, {"UNDP"}),
    ((), {}, 403, set()),
]


@pytest.mark.parametrize("roles, extra, overview, visible", ROLES)
def test_who_sees_what(app, client, create_user, figures, roles, extra, overview, visible):
    sign_in(app, client, create_user, *roles, **extra)
    assert client.get("/parity/").status_code == overview
    assert client.get("/parity/network.csv").status_code == overview
    assert client.get("/parity/entities.xlsx").status_code == overview
    for acronym in ENTITIES:
        expected = 200 if acronym in visible else 403
        assert client.get(f"/parity/{acronym}").status_code == expected, acronym
        assert client.get(f"/parity/{acronym}/grades.csv").status_code == expected, acronym
        assert client.get(f"/parity/{acronym}/overall.xlsx").status_code == expected, acronym
    staff = set(roles) & {"coordinator", "admin"}
    assert client.get("/parity/import").status_code == (200 if staff else 403)
    if overview == 200:
        html = client.get("/parity/").get_data(as_text=True)
        for acronym in ENTITIES:
            assert (f'href="/parity/{acronym}"' in html) is (acronym in visible)
        # Focal points and Resident Coordinators reach it from the menu, the Office from the
        # Administration page (the Office's menu has no room left).
        home = client.get("/admin/" if staff else "/").get_data(as_text=True)
        assert 'href="/parity/"' in home


def test_anonymous_visitors_are_sent_to_sign_in(client, figures):
    for url in ("/parity/", "/parity/UNDP", "/parity/network.csv", "/parity/UNDP/overall.csv",
                "/parity/years.xlsx", "/parity/UNDP/grades.xlsx", "/parity/import"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_acronym_typed_in_another_case_leads_to_the_entitys_figures(client, login_as,
                                                                      figures):
    login_as("coordinator")
    for url, canonical in [("/parity/undp", "/parity/UNDP"),
                           ("/parity/Undp/grades.csv", "/parity/UNDP/grades.csv")]:
        response = client.get(url)
        assert response.status_code == 301, url
        assert response.headers["Location"] == canonical


def test_an_unknown_entity_is_not_found(app, client, login_as, figures):
    login_as("coordinator")
    assert client.get("/parity/NOPE").status_code == 404
    assert client.get("/parity/NOPE/overall.csv").status_code == 404
    assert client.get("/parity/UNDP/other.csv").status_code == 404
    assert client.get("/parity/" + "X" * 500).status_code == 404


def table_numbers(html, table_id):
    """The cells of a page table, as text, row by row (header first)."""
    table = re.search(rf'<table[^>]*id="table-{table_id}".*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", c).strip() for c in cells])
    return rows


def csv_rows(response):
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.mark.parametrize("page, table, export", [
    ("/parity/", "network", "/parity/network.csv"),
    ("/parity/", "years", "/parity/years.csv"),
    ("/parity/", "entities", "/parity/entities.csv"),
    ("/parity/UNDP", "overall", "/parity/UNDP/overall.csv"),
    ("/parity/UNDP", "grades", "/parity/UNDP/grades.csv")])
def test_each_export_holds_the_numbers_of_its_table(client, login_as, figures, page, table,
                                                    export):
    login_as("coordinator")
    shown = table_numbers(client.get(page).get_data(as_text=True), table)
    exported = csv_rows(client.get(export))
    assert len(shown) == len(exported) > 1
    for shown_row, exported_row in zip(shown, exported, strict=True):
        for cell, value in zip(shown_row, exported_row, strict=True):
            if value in ("yes", "no"):
                assert cell == ("Within the range" if value == "yes" else "Outside the range")
            else:
                assert cell.replace(",", "") == (value or "—"), (shown_row, exported_row)


def sheet_rows(response):
    """The workbook's cells, row by row: (value, number format)."""
    assert response.status_code == 200 and response.mimetype == CONTENT_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    return [[(cell.value, cell.number_format) for cell in row] for row in sheet.iter_rows()]


def _number(cell, language):
    """A page's number as written in Python: without its grouping, a full stop for decimals."""
    if language == "fr":
        return re.sub(r"[\s\u202f\xa0]", "", cell).replace(",", ".")
    return cell.replace(",", "")


@pytest.mark.parametrize("page, table, export", [
    ("/parity/", "network", "/parity/network.xlsx"),
    ("/parity/", "years", "/parity/years.xlsx"),
    ("/parity/", "entities", "/parity/entities.xlsx"),
    ("/parity/UNDP", "overall", "/parity/UNDP/overall.xlsx"),
    ("/parity/UNDP", "grades", "/parity/UNDP/grades.xlsx")])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_workbook_holds_the_numbers_and_headings_of_its_table(
        client, login_as, figures, page, table, export, language):
    """The workbook of a table: its headings in the reader's language, its numbers those the
    page shows (as numbers, to be added up: shares to one decimal), text as text."""
    login_as("coordinator")
    html = client.get(f"{page}?lang={language}").get_data(as_text=True)
    assert f'href="{export}"' in html
    shown = table_numbers(html, table)
    response = client.get(f"{export}?lang={language}")
    exported = sheet_rows(response)
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    assert [value for value, _format in exported[0]] == shown[0]
    assert len(shown) == len(exported) > 1
    within = {"en": ("Within the range", "Outside the range"),
              "fr": ("Dans la fourchette", "Hors de la fourchette")}[language]
    yes_no = {"en": ("yes", "no"), "fr": ("oui", "non")}[language]
    numbers = 0
    for shown_row, exported_row in zip(shown[1:], exported[1:], strict=True):
        for cell, (value, number_format) in zip(shown_row, exported_row, strict=True):
            if value is None:
                assert cell == "—"
            elif isinstance(value, str):
                assert (within[yes_no.index(value)] if value in yes_no else value) == cell
            else:
                numbers += 1
                written = f"{value:.1f}" if number_format == "0.0" else str(value)
                assert _number(cell, language) == written, (shown_row, exported_row)
    assert numbers


def test_the_pages_show_the_figures_and_where_they_come_from(client, login_as, figures):
    login_as("coordinator")
    html = client.get("/parity/").get_data(as_text=True)
    assert "Figures imported from <bdi>figures.csv</bdi> on" in html
    assert "<caption>" in html and '<th scope="col">' in html and '<th scope="row"' in html
    rows = table_numbers(html, "network")
    assert rows[1:] == [["2023-Q4", "405", "495", "45.0"], ["2024-Q1", "405", "495", "45.0"],
                        ["2024-Q2", "47", "53", "47.0"]]
    entities = table_numbers(html, "entities")
    assert entities[1] == ["UNDP", "2024-Q2", "47.0", "3.0", "Within the range"]
    html = client.get("/parity/UNDP").get_data(as_text=True)
    assert table_numbers(html, "grades")[0] == ["Quarter", "D-1", "P-4", "G-5"]
    assert table_numbers(html, "grades")[-1] == ["2024-Q2", "—", "47.0", "—"]
    assert table_numbers(html, "furthest")[1:] == [["P-4", "47", "53", "47.0", "3.0"]]


def test_the_pages_take_a_fixed_number_of_queries(app, client, login_as, figures,
                                                  count_queries):
    login_as("coordinator")
    counts = []
    for extra in ([], grid(["UNHCR", "UNFPA", "UNDP", "UN-Women"],
                           ["2021-Q4", "2022-Q4", "2023-Q1"],
                           ["P-1", "P-2", "P-3", "P-5", "D-2", "NO-B", "FS-5"])):
        if extra:
            load(app, extra, "more.csv")
        with count_queries() as overview:
            assert client.get("/parity/").status_code == 200
        with count_queries() as undp:
            assert client.get("/parity/UNDP").status_code == 200
        counts.append((overview.count, undp.count))
    assert counts[0] == counts[1]


def test_the_pages_read_right_to_left_in_arabic(client, login_as, figures):
    login_as("coordinator")
    html = client.get("/parity/UNDP?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in html and '<bdi class="text-nowrap">2024-Q2</bdi>' in html
    assert '<bdi dir="ltr" class="ltr-value">2024-Q2</bdi>' in html  # in a sentence


def test_the_range_is_an_admin_setting(app, client, login_as, figures):
    login_as("admin")
    html = client.get("/admin/settings").get_data(as_text=True)
    assert 'name="parity_range_min"' in html and 'value="47"' in html
    form = re.findall(r'name="(\w+)"[^>]*value="([^"]*)"', html)
    data = {**dict(form), "parity_range_min": "40", "parity_range_max": "50"}
    data["grade_equivalence"] = ""
    response = client.post("/admin/settings", data=data, follow_redirects=True)
    assert "The settings are saved." in response.get_data(as_text=True)
    html = client.get("/parity/").get_data(as_text=True)
    assert "between 40% and 50% of its staff" in html
    assert table_numbers(html, "years")[1:] == [["2023", "3", "3"], ["2024", "3", "3"]]


def _charts(html):
    """[(read-out summary, [x of each point or bar, in period order])] of each chart."""
    found = []
    for summary, body in re.findall(r'<svg class="chart[^"]*"[^>]*aria-label="([^"]*)"'
                                    r'.*?>(.*?)</svg>', html, re.S):
        points = re.findall(r'<polyline[^>]*points="([^"]+)"', body)
        xs = [float(pair.split(",")[0]) for pair in points[0].split()] if points else \
            [float(x) for x in re.findall(r'<rect[^>]*x="([\d.]+)"', body)]
        found.append((summary, xs))
    return found


def test_each_series_is_drawn_with_the_sentence_that_reads_it(client, login_as, figures):
    login_as("coordinator")
    (share, share_x), (years, years_x) = _charts(client.get("/parity/").get_data(as_text=True))
    assert share == ("Share of women over time — Women (%): 45.0% in \u20662023-Q4\u2069, "
                     "47.0% in \u20662024-Q2\u2069.")
    assert years.startswith("Entities at parity per year — Entities within the parity range:")
    assert len(share_x) == 3 and share_x == sorted(share_x)  # time runs left to right
    assert len(years_x) == 1  # 2023: no entity within the range, no bar; 2024: UNDP
    (undp, undp_x), = _charts(client.get("/parity/UNDP").get_data(as_text=True))
    assert undp.endswith("45.0% in \u20662023-Q4\u2069, 47.0% in \u20662024-Q2\u2069.")
    # In Arabic, time runs from right to left.
    (_summary, arabic_x), = _charts(client.get("/parity/UNDP?lang=ar").get_data(as_text=True))
    assert arabic_x == sorted(arabic_x, reverse=True)


def test_a_latest_quarter_with_nobody_shows_no_share_instead_of_failing(app, client,
                                                                         login_as, reference):
    """The figures may give a quarter with no staff at all (0 women, 0 men): it has no share
    of women, and the entity's parity page and its page show a dash, not a server error."""
    load(app, [["UNDP", "2024-Q1", "P-4", "HQ", 40, 60], ["UNDP", "2024-Q2", "P-4", "HQ", 0, 0]])
    login_as("coordinator")
    response = client.get("/parity/UNDP")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert table_numbers(html, "overall")[-1] == ["2024-Q2", "0", "0", "—"]
    assert "Outside the range" not in html.split('id="overall-heading"')[0]
    response = client.get("/entities/UNDP")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'data-entity="parity"' in html and "Outside the range" not in html


def test_an_entity_with_nobody_in_its_latest_quarter_is_not_outside_the_range(
        app, client, login_as, reference):
    """0 women and 0 men: no share. The entity page shows a dash; the overview says
    'Outside the range' (and the CSV 'no') for the same quarter."""
    load(app, [["UNDP", "2024-Q1", "P-4", "HQ", 50, 50], ["UNDP", "2024-Q2", "P-4", "HQ", 0, 0]])
    with app.app_context():
        (_entity, point, within), = queries.network().entities
        assert point.share is None
        assert within is None, "the overview says the entity is outside the parity range"
    login_as("coordinator")
    rows = list(csv.reader(io.StringIO(client.get("/parity/entities.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    assert rows[1][-1] == "", rows


def test_share_and_distance_shown_side_by_side_agree(app, client, login_as, reference):
    """941 women, 1059 men: 47.05 % exactly. Both numbers are rounded half up on their own:
    the share shows 47.1 and the distance 3.0, though 50 - 47.1 = 2.9 on the same line."""
    load(app, [["UNDP", "2024-Q1", "P-4", "HQ", 941, 1059]])
    login_as("coordinator")
    rows = list(csv.reader(io.StringIO(client.get("/parity/entities.csv").get_data(
        as_text=True).lstrip("\ufeff"))))
    _acronym, _quarter, share, distance, _within = rows[1]
    assert float(distance) == round(abs(50 - float(share)), 1), (share, distance)
