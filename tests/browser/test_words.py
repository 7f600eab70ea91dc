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


# x of the middle of the first place the text `needle` is laid out in an element.
TEXT_X = """(element, needle) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const at = node.textContent.indexOf(needle);
        if (at < 0) continue;
        const range = document.createRange();
        range.setStart(node, at); range.setEnd(node, at + needle.length);
        const box = range.getBoundingClientRect();
        return box.x + box.width / 2;
    }
    return null;
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


@pytest.mark.parametrize("width", [1366, 390])
def test_a_persons_title_grade_and_entity_read_in_order_right_to_left(new_page, live_workdir,
                                                                      width):
    """Grade and entity are both written left to right: unless each is isolated, Arabic lays
    the two out as one left-to-right run, the entity's acronym after the grade."""
    with sqlite3.connect(live_workdir / "portal.db") as connection:
        person_id, grade, acronym = connection.execute(
            "SELECT p.id, p.grade, e.acronym FROM people p JOIN entities e "
            "ON e.id = p.entity_id WHERE p.grade IS NOT NULL AND p.grade <> '' "
            "AND p.position_title IS NOT NULL ORDER BY p.id").fetchone()
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/registry/people/{person_id}?lang=ar")
    line = page.locator("h1 + p")
    expect(line).to_contain_text(acronym)
    grade_x, acronym_x = (line.evaluate(TEXT_X, needle) for needle in (grade, acronym))
    assert grade_x > acronym_x, "the grade comes before the entity: on its right in Arabic"


def test_country_teams_carry_the_un_names_in_arabic(new_page, artifacts_dir):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.goto("/reference/uncts/?lang=ar&q=PRK")
    expect(page.locator("main table")).to_contain_text("جمهورية كوريا الشعبية الديمقراطية")
    page.goto("/reference/uncts/?lang=en&q=palestine")
    expect(page.locator("main table")).to_contain_text("State of Palestine")
