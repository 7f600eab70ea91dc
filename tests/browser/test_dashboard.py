"""The network dashboard in a real browser, on the demo data: the network's growth since 2017
up to today's count, charts that fit a phone, and time running from right to left in Arabic."""
import sqlite3
from datetime import date

import pytest
from playwright.sync_api import expect

from .main_pages import open_as

pytestmark = pytest.mark.browser


def _active_terms(workdir):
    with sqlite3.connect(workdir / "portal.db") as connection:
        return connection.execute(
            "SELECT count(*) FROM appointments WHERE status = 'active' AND start_date <= ?",
            (date.today().isoformat(),)).fetchone()[0]


def _network_rows(page):
    """(month, total) of the network-size table, as the English page shows them."""
    rows = page.locator("#table-network tbody tr")
    return [(row.locator("th").text_content(), int(row.locator("td").last.text_content()
                                                 .replace(",", "")))
            for row in rows.all()]


def test_the_network_grows_from_two_dozen_in_2017_to_todays_count(new_page, live_workdir,
                                                                  artifacts_dir):
    page = open_as(new_page, "coordinator", lang="en")
    page.set_viewport_size({"width": 390, "height": 844})  # signed in with the menu shown
    page.goto("/dashboard?lang=en")
    rows = _network_rows(page)
    (first_month, first), (__, last) = rows[0], rows[-1]
    assert first_month == "Jan 2017" and 15 <= first <= 35
    assert last == _active_terms(live_workdir) >= 500
    by_month = dict(rows)
    assert 400 <= by_month["Dec 2021"] <= 500 and by_month["Dec 2023"] >= 500
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    page.screenshot(path=str(artifacts_dir / "dashboard-390.png"), full_page=True)


def test_time_runs_from_right_to_left_in_arabic(new_page, artifacts_dir):
    page = open_as(new_page, "coordinator", lang="ar", width=1366, height=900)
    page.goto("/dashboard?lang=ar")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    ticks = page.locator("#figure-network ~ svg .chart-tick")
    first, last = ticks.first.bounding_box(), ticks.last.bounding_box()
    assert first["x"] > last["x"]  # 2017 on the right, this year on the left
    values = page.locator("#figure-network ~ svg .chart-value").first.bounding_box()
    assert values["x"] > first["x"]  # the value axis on the right
    page.screenshot(path=str(artifacts_dir / "dashboard-ar.png"), full_page=True)


# Labels of each chart drawn, even in part, outside the chart's box: the SVG cuts them off.
CUT_OFF_LABELS = """() => [...document.querySelectorAll('main svg.chart')].flatMap(svg => {
    const box = svg.getBoundingClientRect();
    return [...svg.querySelectorAll('text')].filter(text => {
        const r = text.getBoundingClientRect();
        return r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5);
    }).map(text => text.textContent.trim());
})"""


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_every_label_of_a_chart_shows_whole_on_a_phone(new_page, artifacts_dir, lang):
    """On a phone the charts' type is larger: "100 %" (French, Spanish), "100%" and the
    months' Arabic names still fit inside the chart rather than losing their first letters."""
    page = open_as(new_page, "coordinator", lang=lang)
    page.set_viewport_size({"width": 390, "height": 844})  # signed in with the menu shown
    problems = []
    for path in ("/dashboard", "/parity/"):
        page.goto(f"{path}?lang={lang}")
        expect(page.locator("main svg.chart").first).to_be_visible()
        problems += [f"{path}: {label}" for label in page.evaluate(CUT_OFF_LABELS)]
    page.screenshot(path=str(artifacts_dir / f"dashboard-{lang}-390.png"), full_page=True)
    assert not problems, "labels cut off: " + ", ".join(problems)


# How the legend of the sessions chart paints each topic, and how the chart paints each bar:
# [label, paint], the paint being what the browser computes (colour, pattern, dashes).
TOPIC_PAINTS = """() => {
    const paint = element => {
        const style = getComputedStyle(element);
        return [style.fill, style.backgroundColor, style.strokeDasharray].join(' ');
    };
    const legend = [...document.querySelectorAll('#figure-sessions ~ .chart-legend li')].map(
        li => { const swatch = li.querySelector('.chart-swatch');
                return [li.textContent.trim(), paint(swatch.querySelector('rect') || swatch)]; });
    const bars = [...document.querySelectorAll('#figure-sessions ~ svg > rect')].map(
        rect => [rect.querySelector('title').textContent.split(':')[0], paint(rect)]);
    return {legend, bars};
}"""


def test_every_topic_of_the_sessions_chart_is_painted_its_own_way(new_page, artifacts_dir):
    """The demo's sessions are of all nine topics, and there are eight colours: every topic
    is still painted its own way (a colour and a texture), its bars as its legend shows."""
    page = open_as(new_page, "coordinator", lang="en", width=1366, height=900)
    page.goto("/dashboard?lang=en")
    painted = page.evaluate(TOPIC_PAINTS)
    legend = dict(painted["legend"])
    assert len(legend) == 9 and len(set(legend.values())) == 9, legend
    assert painted["bars"] and all(legend[label] == paint for label, paint in painted["bars"])
    page.locator("section[aria-labelledby='figure-sessions']").screenshot(
        path=str(artifacts_dir / "dashboard-topics.png"))
