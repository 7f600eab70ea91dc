"""The network dashboard: who may see it, that each CSV holds exactly the numbers of its table,
the rules its figures count by, the mirrored charts, and a fixed number of queries."""
import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest
from flask import render_template_string
from openpyxl import load_workbook
from sqlalchemy import select

from gfp_portal.attendance import services
from gfp_portal.attendance.models import EvaluationAnswer
from gfp_portal.core import charts
from gfp_portal.core.db import utcnow
from gfp_portal.core.figures import whole_percent
from gfp_portal.core.tables import CONTENT_TYPES
from gfp_portal.coverage.services import CellState, compute_coverage
from gfp_portal.extensions import db
from gfp_portal.main.dashboard import KEYS, figure_of, held_at, month_ends, spans_of, year_ends
from gfp_portal.reference.models import Unct
from gfp_portal.registry import services as registry
from gfp_portal.sessions import registration
from gfp_portal.sessions.models import TrainingSession
from gfp_portal.sessions.topics import topics as all_topics
from tests.main.test_homes import Network


@pytest.fixture
def network(app, reference):
    return Network(app)


@pytest.mark.parametrize("roles, status", [
    ((), 302), (("focal_point",), 403), (("resident_coordinator",), 403),
    (("coordinator",), 200), (("admin",), 200),
])
@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/network.csv",
                                  "/dashboard/coverage.xlsx"])
def test_only_the_office_sees_the_dashboard(client, reference, login_as, roles, status, path):
    if roles:
        login_as(*roles, uncts=["KEN"] if "resident_coordinator" in roles else ())
    response = client.get(path)
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_an_unknown_figure_is_not_found(client, reference, login_as):
    login_as("coordinator")
    assert client.get("/dashboard/nothing.csv").status_code == 404
    assert client.get("/dashboard/nothing.xlsx").status_code == 404


def _table(html, key):
    """The rows of figure `key`'s table as text, the header first."""
    table = re.search(rf'<table[^>]*id="table-{key}".*?</table>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells])
    return rows


def _as_csv(cell):
    """A table cell as the CSV writes it: no grouping separator, nothing for a dash."""
    return "" if cell == "—" else cell.replace(",", "")


def _grow_evaluations(app, answers):
    with app.app_context():
        session = db.session.scalars(select(TrainingSession).order_by(TrainingSession.id)).first()
        for i in range(answers):
            db.session.add(EvaluationAnswer(session_id=session.id, applicable=i % 2 == 0,
                                            rating=("fair", "good", "fantastic")[i % 3],
                                            belonging=True, empowered=i % 3 != 0))
        db.session.commit()


def test_each_csv_holds_exactly_the_numbers_of_its_table(client, app, network, login_as):
    network.grow(3)
    _grow_evaluations(app, 7)
    login_as("coordinator")
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    for key in KEYS:
        response = client.get(f"/dashboard/{key}.csv?lang=en")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
        if f'id="table-{key}"' not in html:  # no figures yet: nothing but the header
            assert len(rows) == 1, key
            continue
        table = _table(html, key)
        assert rows[0] == table[0], key
        assert len(rows) == len(table), key
        for csv_row, table_row in zip(rows[1:], table[1:], strict=True):
            assert csv_row[1:] == [_as_csv(cell) for cell in table_row[1:]], key


def _shown_number(cell):
    """A table's number as written in Python: without grouping, the % sign or spaces."""
    return re.sub(r"[\s\u202f\xa0,%]", "", cell)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_workbook_holds_exactly_the_numbers_of_its_table(client, app, network, login_as,
                                                              language):
    """The workbook of each figure: the table's headings in the reader's language, its
    counts as numbers and its shares as percentages (numbers a spreadsheet adds up), the
    months in ISO 8601 as in the CSV, nothing where the table shows a dash."""
    network.grow(3)
    _grow_evaluations(app, 7)
    login_as("coordinator")
    html = client.get(f"/dashboard?lang={language}").get_data(as_text=True)
    compared = 0
    for key in KEYS:
        response = client.get(f"/dashboard/{key}.xlsx?lang={language}")
        assert response.status_code == 200 and response.mimetype == CONTENT_TYPES["xlsx"]
        assert response.headers["Content-Disposition"].endswith(".xlsx"), key
        sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
        rows = [list(row) for row in sheet.iter_rows()]
        if f'id="table-{key}"' not in html:
            assert len(rows) == 1, key
            continue
        assert f'href="/dashboard/{key}.xlsx"' in html, key
        table = _table(html, key)
        assert [cell.value for cell in rows[0]] == table[0], key
        assert len(rows) == len(table), key
        for sheet_row, table_row in zip(rows[1:], table[1:], strict=True):
            for cell, shown in zip(sheet_row[1:], table_row[1:], strict=True):
                if shown == "—":
                    assert cell.value is None, key
                elif shown.endswith("%"):
                    assert cell.number_format == "0%", key
                    assert str(round(cell.value * 100)) == _shown_number(shown), key
                else:
                    assert cell.data_type == "n" and str(cell.value) == _shown_number(shown)
                compared += 1
    assert compared


def test_the_network_size_counts_the_terms_held_each_month(client, app, network, login_as):
    network.grow(2)
    login_as("coordinator")
    rows = list(csv.reader(io.StringIO(
        client.get("/dashboard/network.csv?lang=en").get_data(as_text=True).lstrip("\ufeff"))))
    # Each person of a round: a focal point at headquarters (from 300 days ago), held today,
    # and an alternate of Kenya whose term has run out, not held today though the registry
    # has not marked it ended yet (as on the coverage page).
    assert rows[-1][1:] == ["2", "0", "2"]
    assert rows[-1][0] == date.today().strftime("%Y-%m")


def test_evaluation_results_need_five_answers(client, app, network, login_as):
    network.grow(1)
    _grow_evaluations(app, 4)
    login_as("coordinator")
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    # A session below five answers is in no year's sum: there is no year to show yet.
    assert 'id="table-evaluations"' not in html
    _grow_evaluations(app, 1)
    table = _table(client.get("/dashboard?lang=en").get_data(as_text=True), "evaluations")
    assert table[1][1] == "5" and all(cell.endswith("%") for cell in table[1][2:])


def _term(start, last=None, status="ended"):
    # As term_rows() reads it: role, status, start, end date, ended on, UNCT, entity, region,
    # entity type.
    return spans_of([("focal_point", status, start, last, last, None, 1, None,
                      "fund_programme")])[0]


def test_a_term_counts_in_a_month_when_held_on_its_last_day():
    today = date(2024, 3, 10)
    months = month_ends(date(2024, 1, 1), today)
    assert months == [date(2024, 1, 31), date(2024, 2, 29), today]
    terms = [_term(date(2024, 1, 31), date(2024, 2, 28)),  # ends the day before February's end
             _term(date(2024, 2, 1), date(2024, 2, 29)),   # held on February's last day
             _term(date(2024, 3, 10), status="active"),
             _term(date(2024, 3, 11), status="active")]  # not yet begun
    assert held_at(terms, months, "scope") == {"headquarters": [1, 1, 1]}
    assert year_ends(2022, today) == [date(2022, 12, 31), date(2023, 12, 31), today]


def test_a_term_past_its_end_date_is_not_held_before_the_daily_run_marks_it_ended():
    # Today, 1 April, begins in Apia at 11:00 UTC on 31 March, hours before the daily run
    # marks ended the terms whose end date has passed: until then they are still "active".
    today = date(2027, 4, 1)
    points = month_ends(date(2027, 2, 1), today)
    lapsed, open_ended = spans_of([
        ("focal_point", "active", date(2025, 4, 1), date(2027, 3, 31), None, None, 1, None,
         "fund_programme"),
        ("alternate", "active", date(2025, 4, 1), None, None, None, 1, None,
         "fund_programme")])
    assert held_at([lapsed], points, "role") == {"focal_point": [1, 1, 0]}
    assert held_at([open_ended], points, "role") == {"alternate": [1, 1, 1]}


def test_shares_round_half_up_to_whole_percentages():
    assert [whole_percent(v) for v in (0.125, 0.135, 0.5, 2 / 3)] == [13, 14, 50, 67]


def test_charts_run_from_right_to_left_on_arabic_pages():
    series = [charts.Series("A", [1, 2, 3]), charts.Series("B", [None, 2, 2])]
    ticks = ["2021", "2022", "2023"]
    ltr = charts.line_chart(series, ticks, format_value=str)
    rtl = charts.line_chart(series, ticks, format_value=str, rtl=True)
    assert ltr.ticks[0][0] < ltr.ticks[-1][0] and rtl.ticks[0][0] > rtl.ticks[-1][0]
    assert ltr.value_x < ltr.plot_left and rtl.value_x > rtl.plot_right
    assert ltr.value_anchor == "end" and rtl.value_anchor == "start"
    assert len(ltr.lines[1].paths) == 1  # the gap leaves out the first period
    bars = charts.bar_chart(series, ticks, format_value=str, rtl=True)
    assert bars.bars[0][1].x > bars.bars[-1][1].x
    assert [charts.grid_step(v) for v in (0, 3, 10, 250, 609)] == [1, 1, 5, 100, 200]
    assert charts.scale_top(609, 200) == 800 and charts.scale_top(250, 100) == 300


def _looks(markup):
    """How a chart paints what `markup` draws: its colour and texture classes, its pattern."""
    return frozenset(re.findall(r"chart-[st]\d+|url\(#[^)]*\)", markup))


def test_no_two_topics_of_the_sessions_chart_look_alike(app, make_session):
    """Nine topics and eight colours: each topic's bars have a colour and a texture of their
    own, and its legend shows them as its bars do. No two topics look alike, and none needs
    its colour to be told apart: the textures differ too."""
    keys = [topic.key for topic in all_topics()]
    assert len(keys) == 9
    for key in keys:
        make_session(topic=key)
    db.session.commit()
    with app.test_request_context("/?lang=en"):
        figure = figure_of("sessions", today=date(2027, 3, 1), now=datetime(2027, 3, 1,
                                                                              tzinfo=UTC))
        html = render_template_string(
            '{% from "macros/charts.html" import figure_card %}'
            '{{ figure_card(figure, False, ("dashboard.export", {"key": "sessions"})) }}',
            figure=figure)
    bars = {}
    for attributes, label in re.findall(r"<rect ([^>]*)><title>([^<:]+): \d+</title>", html):
        bars.setdefault(unescape(label), set()).add(_looks(attributes))
    legend = re.search(r'<ul class="chart-legend[^"]*">(.*?)</ul>', html, re.S).group(1)
    shown = {unescape(re.sub(r"<[^>]+>", "", item)).strip(): _looks(item)
             for item in re.findall(r"<li>(.*?)</li>", legend, re.S)}
    assert len(bars) == len(shown) == 9
    assert all(len(looks) == 1 for looks in bars.values())
    assert {label: looks.pop() for label, looks in bars.items()} == shown
    assert len(set(shown.values())) == 9, "two topics look alike"
    # One of them plain, each of the others with a texture of its own.
    textures = {frozenset(t for t in look if t.startswith("chart-t")) for look in shown.values()}
    assert len(textures) == 9, "told apart by colour alone"


def test_the_dashboard_is_drawn_without_inline_styles(client, app, network, login_as):
    network.grow(1)
    login_as("admin")
    html = client.get("/dashboard?lang=ar").get_data(as_text=True)
    assert 'role="img"' in html and "<title>" in html and "style=" not in html
    assert "<style" not in html


def test_each_download_link_of_the_dashboard_stays_on_one_line(client, network, login_as):
    """On a telephone the two links of a figure wrap between them, never within one: a link
    cut over two lines reads as two."""
    network.grow(1)
    login_as("admin")
    html = client.get("/dashboard?lang=en").get_data(as_text=True)
    links = re.findall(r'<a ([^>]*)>Download these figures \((?:Excel|CSV)\)</a>', html)
    assert links and all('class="text-nowrap"' in attributes for attributes in links)


def _queries_of_dashboard(client, count_queries):
    with count_queries() as counted:
        assert client.get("/dashboard").status_code == 200
    return counted.count


def test_the_dashboard_reads_in_a_fixed_number_of_queries(client, app, network, login_as,
                                                         count_queries):
    login_as("coordinator")
    empty = _queries_of_dashboard(client, count_queries)
    network.grow(1)
    _grow_evaluations(app, 5)
    small = _queries_of_dashboard(client, count_queries)
    network.grow(6)
    _grow_evaluations(app, 20)
    assert _queries_of_dashboard(client, count_queries) == small == empty


def test_coordinator_home_and_menu_link_to_the_dashboard(client, reference, login_as):
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert html.count('href="/dashboard"') == 2


def test_the_figures_are_computed_once_until_a_change_is_committed(client, app, network,
                                                                   login_as, count_queries):
    network.grow(1)
    login_as("coordinator")
    computed = _queries_of_dashboard(client, count_queries)
    # The signed-in user, with the data version in the same statement: nothing else is read
    # again.
    assert _queries_of_dashboard(client, count_queries) == 1 < computed
    _grow_evaluations(app, 1)
    assert _queries_of_dashboard(client, count_queries) == computed


def test_the_attendance_figure_counts_a_session_again_once_it_has_ended(app, network):
    network.grow(2)
    now, today = utcnow(), date.today()

    def seats(when):
        figure = figure_of("attendance", today=today, now=when)
        return sum(figure.columns[0].values)

    with app.test_request_context("/?lang=en"):
        # The past session's two seats; the coming one ends in two days, its two seats taken
        # (the third person registered waits).
        assert seats(now) == seats(now + timedelta(days=1)) == 2
        assert seats(now + timedelta(days=3)) == 4


def test_the_coverage_figure_of_today_agrees_with_the_coverage_page(app, network):
    """An entity closed yesterday, still on the member lists of Kenya and Uganda, is in no
    cell of the coverage pages: nor in today's point of the dashboard's coverage figure."""
    network.grow(2)
    today = date.today()
    with app.app_context():
        first, closed = network.load_entities()[:2]
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        person = registry.create_person({"given_name": "Achieng", "family_name": "Otieno",
                                         "email": "achieng@example.org"}, actor=None)
        registry.appoint(person, {"role": "focal_point", "entity": first, "unct": kenya,
                                  "start_date": today - timedelta(days=30)}, actor=None)
        closed.active_to = today - timedelta(days=1)
        db.session.commit()
    with app.test_request_context("/?lang=en"):
        figure = figure_of("coverage", today=today, now=utcnow())
        coverage = compute_coverage(today=today)
        held = coverage.network.counts[CellState.covered] + \
            coverage.network.counts[CellState.no_alternate]
        assert figure.columns[-1].values[-1] == held / coverage.network.total


def test_the_figures_kept_in_one_language_are_not_shown_in_another(client, network, login_as):
    network.grow(1)
    login_as("coordinator")
    assert "Active focal points and alternates" in client.get(
        "/dashboard?lang=en").get_data(as_text=True)
    arabic = client.get("/dashboard?lang=ar").get_data(as_text=True)
    assert "جهات التنسيق والمناوبون ذوو التعيينات السارية" in arabic
    assert "Active focal points and alternates" not in arabic


def test_a_session_counts_in_the_year_of_the_day_it_starts_where_it_is_held(
        app, make_session, make_appointee):
    """The year of a session is that of its first day in its own time zone, not in UTC: one
    held in Nairobi on 1 January at 00:30 (31 December in UTC) and one held in New York on
    31 December at 20:00 (1 January in UTC) both count in their own year."""
    nairobi = make_session(time_zone="Africa/Nairobi")
    new_york = make_session(time_zone="America/New_York")
    for session, starts in ((nairobi, datetime(2027, 1, 1, 0, 30)),
                            (new_york, datetime(2027, 12, 31, 20, 0))):
        session.starts_at = starts.replace(tzinfo=session.zone).astimezone(UTC)
        session.ends_at = session.starts_at + timedelta(hours=2)
    assert (nairobi.starts_at.year, new_york.starts_at.year) == (2026, 2028)
    person = make_appointee()
    row = registration.register(nairobi, person, actor=None, by_coordinator=True, notify=False,
                                now=nairobi.starts_at - timedelta(days=1))
    services.mark(row, "present", actor=None, now=nairobi.ends_at)
    db.session.commit()
    later = new_york.ends_at + timedelta(days=1)
    with app.test_request_context("/?lang=en"):
        sessions = figure_of("sessions", today=later.date(), now=later)
        assert (sessions.periods, sessions.columns[-1].values) == ([2027], [2])
        trained = figure_of("trained-regions", today=later.date(), now=later)
        assert (trained.periods, trained.columns[-1].values) == ([2027], [1])
        attendance = figure_of("attendance", today=later.date(), now=later)
        assert (attendance.periods, attendance.columns[0].values) == ([2027], [1])
