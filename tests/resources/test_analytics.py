"""Library analytics: downloads per resource, language and month; translation gaps."""
import io
from datetime import UTC, date, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from gfp_portal.core.tables import CONTENT_TYPES
from gfp_portal.extensions import db
from gfp_portal.resources import analytics, services
from gfp_portal.resources.models import Resource
from tests.markup import parse


def count_downloads(app, slug, language, moments):
    with app.app_context():
        resource = db.session.scalars(select(Resource).filter_by(slug=slug)).one()
        for moment in moments:
            services.record_download(resource.version(language), now=moment)
        db.session.commit()


def test_last_months_cross_the_year():
    assert analytics.last_months(date(2026, 2, 10), 3) == [
        date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_the_dashboard_table_ranks_language_versions_by_downloads(app, create_resource):
    create_resource("eeg", {"en": "EEG", "fr": "Directives"})
    count_downloads(app, "eeg", "en", [datetime(2026, 11, 2, tzinfo=UTC)] * 3)
    count_downloads(app, "eeg", "fr", [datetime(2026, 10, 2, tzinfo=UTC)] * 5)
    count_downloads(app, "eeg", "en", [datetime(2025, 1, 2, tzinfo=UTC)])  # outside the window
    with app.app_context():
        table = analytics.downloads_table(date(2026, 11, 23))
        assert table["months"][-1] == date(2026, 11, 1) and len(table["months"]) == 6
        rows = [(str(r), language, by_month, total)
                for r, language, by_month, total in table["rows"]]
    assert rows == [("EEG", "fr", {date(2026, 10, 1): 5}, 5),
                    ("EEG", "en", {date(2026, 11, 1): 3}, 3)]


def test_a_total_is_the_sum_of_the_months_shown(app, create_resource):
    """Downloads are counted in UTC months: one counted in February, read for a day of
    January, is in no column of the table, nor in its total."""
    create_resource("eeg", {"en": "EEG"})
    count_downloads(app, "eeg", "en", [datetime(2027, 1, 20, tzinfo=UTC),
                                       datetime(2027, 2, 1, 3, tzinfo=UTC)])
    with app.app_context():
        (__, __, by_month, total), = analytics.downloads_table(date(2027, 1, 31))["rows"]
    assert by_month == {date(2027, 1, 1): 1} and total == 1


def test_the_dashboard_table_reads_the_months_of_the_pairs_it_shows_only(app, create_resource):
    create_resource("eeg", {"en": "EEG", "fr": "Directives"})
    create_resource("brief", {"en": "Brief"})
    count_downloads(app, "eeg", "fr", [datetime(2026, 10, 2, tzinfo=UTC)] * 4
                    + [datetime(2026, 11, 2, tzinfo=UTC)] * 2)
    count_downloads(app, "brief", "en", [datetime(2026, 11, 2, tzinfo=UTC)] * 3)
    count_downloads(app, "eeg", "en", [datetime(2026, 11, 2, tzinfo=UTC)])
    with app.app_context():
        table = analytics.downloads_table(date(2026, 11, 23), limit=2)
        rows = [(str(r), language, by_month, total)
                for r, language, by_month, total in table["rows"]]
    assert rows == [("EEG", "fr", {date(2026, 10, 1): 4, date(2026, 11, 1): 2}, 6),
                    ("Brief", "en", {date(2026, 11, 1): 3}, 3)]


def test_the_csv_export_lists_every_month(app, client, login_as, create_resource):
    create_resource("eeg", {"en": "=EEG"})
    count_downloads(app, "eeg", "en", [datetime(2026, 10, 2, tzinfo=UTC),
                                       datetime(2026, 11, 2, tzinfo=UTC)])
    login_as("coordinator")
    response = client.get("/resources/downloads.csv?lang=en")
    assert response.mimetype == "text/csv"
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "Resource,Web address,Language,Month,Downloads"
    # The language by its name and the resource by its address, as the dashboard links them.
    assert lines[1:] == ["'=EEG,http://portal.test/resources/eeg,English,2026-10,1",
                         "'=EEG,http://portal.test/resources/eeg,English,2026-11,1"]


def test_the_workbook_lists_every_month_with_its_count_as_a_number(app, client, login_as,
                                                                   create_resource):
    """The same rows as the CSV, in a workbook that opens right whatever the list separator
    of the reader's Excel; a title that looks like a formula stays text."""
    create_resource("eeg", {"en": "=EEG"})
    count_downloads(app, "eeg", "en", [datetime(2026, 10, 2, tzinfo=UTC),
                                       datetime(2026, 11, 2, tzinfo=UTC)] * 2)
    login_as("coordinator")
    response = client.get("/resources/downloads.xlsx?lang=fr")
    assert response.mimetype == CONTENT_TYPES["xlsx"]
    assert response.headers["Content-Disposition"].endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows()]
    assert [cell.value for cell in rows[0]] == [
        "Ressource", "Adresse web", "Langue", "Mois", "Téléchargements"]
    assert [[cell.value for cell in row] for row in rows[1:]] == [
        ["=EEG", "http://portal.test/resources/eeg", "English", "2026-10", 2],
        ["=EEG", "http://portal.test/resources/eeg", "English", "2026-11", 2]]
    assert rows[1][0].data_type == "s" and rows[1][0].quotePrefix


def test_the_downloads_name_each_resource_in_the_readers_language(app, client, login_as,
                                                                  create_resource):
    """The file and the dashboard name a resource as the library does for the reader: in
    their language, else in English (every row of it, whichever version it counts)."""
    create_resource("eeg", {"en": "Enabling Environment Guidelines",
                            "fr": "Directives pour un environnement favorable"})
    create_resource("brief", {"en": "Advocacy brief", "ar": "موجز"})
    count_downloads(app, "eeg", "en", [datetime.now(UTC)] * 3)
    count_downloads(app, "eeg", "fr", [datetime.now(UTC)] * 2)
    count_downloads(app, "brief", "ar", [datetime.now(UTC)])
    login_as("coordinator")
    lines = client.get("/resources/downloads.csv?lang=fr").data.decode(
        "utf-8-sig").splitlines()
    assert lines[0].startswith("Ressource,")
    assert sorted(line.rsplit(",", 3)[0] for line in lines[1:]) == [
        "Advocacy brief,http://portal.test/resources/brief",
        "Directives pour un environnement favorable,http://portal.test/resources/eeg",
        "Directives pour un environnement favorable,http://portal.test/resources/eeg"]
    page = client.get("/admin/?lang=fr").get_data(as_text=True)
    assert page.count("Directives pour un environnement favorable") == 2
    assert "Enabling Environment Guidelines" not in page and "Advocacy brief" in page
    page = client.get("/admin/?lang=ar").get_data(as_text=True)
    assert "موجز" in page and "Advocacy brief" not in page
    for url in ("/resources/manage/?lang=fr", "/resources/gaps?lang=fr"):
        page = client.get(url).get_data(as_text=True)
        assert "Directives pour un environnement favorable" in page, url
        assert "Enabling Environment Guidelines" not in page, url


def test_the_dashboard_shows_downloads_and_gaps(app, client, login_as, create_resource):
    create_resource("eeg", {"en": "Enabling Environment Guidelines"})
    count_downloads(app, "eeg", "en", [datetime.now(UTC)])
    login_as("coordinator")
    page = client.get("/admin/?lang=en").get_data(as_text=True)
    assert "Library downloads" in page and "Enabling Environment Guidelines" in page
    assert "/resources/gaps?language=fr" in page


def test_translation_gaps_list_what_each_resource_lacks(app, client, login_as,
                                                        create_resource):
    create_resource("complete", {"en": "All", "fr": "Tout", "es": "Todo", "ar": "الكل"})
    create_resource("partial", {"en": "Partial", "fr": "Partiel"})
    with app.app_context():
        assert analytics.gap_counts() == {"en": 0, "fr": 0, "es": 1, "ar": 1}
    login_as("coordinator")
    page = client.get("/resources/gaps?lang=en").get_data(as_text=True)
    assert "Partial" in page and ">All<" not in page
    assert "/resources/partial/versions/new?language=es" in page
    page = client.get("/resources/gaps?language=fr&lang=en").get_data(as_text=True)
    assert "Every resource exists in this language." in page


def test_management_lists_run_a_fixed_number_of_queries(app, client, login_as,
                                                        create_resource, count_queries):
    login_as("coordinator")
    urls = ("/resources/manage/", "/resources/gaps", "/admin/")

    def measure():
        counts = []
        for url in urls:
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            counts.append(counter.count)
        return counts

    create_resource("r0", {"en": "R0"}, tags=["a"])
    count_downloads(app, "r0", "en", [datetime.now(UTC)])
    small = measure()
    for i in range(1, 31):
        create_resource(f"r{i}", {"en": f"R{i}", "fr": "F"}, tags=[f"t{i % 3}"],
                        published=i % 2 == 0)
        count_downloads(app, f"r{i}", "fr", [datetime.now(UTC)] * i)
    assert measure() == small


def test_the_chosen_language_of_the_translation_gaps_is_said_not_only_shown(
        app, client, login_as, create_resource):
    """The chosen filter was told by its colour alone; each "Missing" link, one per row
    ("español"), was told apart from the same link on the other rows by nothing."""
    create_resource("guide", {"en": "Guide"})
    create_resource("brief", {"en": "Brief"})
    login_as("coordinator")
    elements = parse(client.get("/resources/gaps?language=es&lang=en").get_data(as_text=True))
    pills = [e for e in elements if e.tag == "a" and "nav-pills" in e.parent.parent.attrs.get(
        "class", "")]
    chosen = [e for e in pills if "active" in e.attrs["class"].split()]
    assert [(e.attrs["href"], e.attrs.get("aria-current")) for e in chosen] == [
        ("/resources/gaps?language=es", "page")]
    missing = [e for e in elements if e.tag == "a" and "/versions/new" in e.attrs["href"]]
    assert len(missing) == 6
    for link in missing:
        row = link.parent.parent
        headers = [c for c in row.children if c.tag == "th" and c.attrs.get("scope") == "row"]
        assert [" ".join(h.all_text().split()) for h in headers] in (["Guide"], ["Brief"])
