"""The header's search with the keyboard only: Tab to the field (or Ctrl+K), type, Enter, then
Tab to a result and Enter opens it."""
import re

import pytest
from playwright.sync_api import expect

from .main_pages import open_as

pytestmark = pytest.mark.browser


def _tab_to(page, selector, limit=60):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"{selector} is not reachable with Tab")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_a_focal_point_searches_from_the_header_and_opens_a_result(new_page, lang):
    page = open_as(new_page, "focal_point", lang=lang)
    page.goto(f"/resources/?lang={lang}")
    page.locator("body").focus()
    _tab_to(page, "#header-q")
    page.keyboard.type("parity")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=parity"))
    expect(page.locator("#results-sessions")).to_be_visible()
    expect(page.locator("#header-q")).to_have_value("parity")

    _tab_to(page, "section[aria-labelledby=results-sessions] a.list-group-item-action")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(focused) + r"$"))
    expect(page.locator("nav[aria-label] ol.breadcrumb [aria-current=page]")).to_be_visible()


def test_control_k_brings_the_cursor_to_the_search_even_on_a_phone(new_page):
    page = open_as(new_page, "coordinator", lang="en")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/sessions/")
    expect(page.locator("#header-q")).to_be_hidden()      # inside the closed menu
    page.keyboard.press("Control+k")
    expect(page.locator("#header-q")).to_be_focused()
    page.keyboard.type("kenya")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=kenya"))
    expect(page.locator("section[aria-labelledby=results-uncts]")).to_contain_text("Kenya")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
