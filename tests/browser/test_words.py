"""Words in a real browser, in Arabic and English, wide and narrow: "Name, Title" keeps its
order, a left-to-right value keeps to its label's line, the UN's country names."""
import sqlite3

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages_rtl import _screenshot

pytestmark = pytest.mark.browser

# x of the first and of the last word of an element's text, as laid out.
WORD_POSITIONS = """element => {
    const text = element.firstChild;
    const words = text.textContent.split(' ');
    const range = document.createRange();
    range.setStart(text, 0); range.setEnd(text, words[0].length);
    const first = range.getBoundingClientRect().x;
    const end = text.textContent.length;
    range.setStart(text, end - words[words.length - 1].length); range.setEnd(text, end);
    return [first, range.getBoundingClientRect().x];
}"""
# The top of the first line of the label and of the value that follows it.
SAME_LINE = """element => {
    const value = element.querySelector('.ltr-value');
    const range = document.createRange();
    range.setStart(element.firstChild, 0); range.setEnd(element.firstChild, 1);
    return [range.getClientRects()[0].top, value.getClientRects()[0].top];
}"""


def _appointed_person(workdir):
    with sqlite3.connect(workdir / "portal.db") as connection:
        return connection.execute(
            "SELECT person_id FROM appointments WHERE appointed_by_name IS NOT NULL "
            "AND appointed_by_title IS NOT NULL ORDER BY id").fetchone()[0]


@pytest.mark.parametrize("lang", ["ar", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_name_and_title_keep_their_order_and_values_their_line(new_page, live_workdir,
                                                               artifacts_dir, lang, width):
    page = new_page(width=1366, height=900, locale=lang)
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/registry/people/{_appointed_person(live_workdir)}?lang={lang}")
    pair = page.locator("bdi.name-title").first
    expect(pair).to_contain_text(", ")
    name_x, title_x = pair.evaluate(WORD_POSITIONS)
    assert name_x < title_x, "the name must come first, on the left, as it is written"
    label_top, value_top = page.locator("footer .ltr-value").locator("..").evaluate(SAME_LINE)
    assert abs(label_top - value_top) < 4, "the email left the line of its label"
    _screenshot(page, artifacts_dir / f"person-words-{lang}-{width}.png")


def test_country_teams_carry_the_un_names_in_arabic(new_page, artifacts_dir):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.goto("/reference/uncts/?lang=ar&q=PRK")
    expect(page.locator("main table")).to_contain_text("جمهورية كوريا الشعبية الديمقراطية")
    page.goto("/reference/uncts/?lang=en&q=palestine")
    expect(page.locator("main table")).to_contain_text("State of Palestine")
