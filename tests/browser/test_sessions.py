"""Training pages in a real browser, in Arabic: the list and a session, registering and the
calendar links; the narrow and the wide window."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages_rtl import _no_horizontal_overflow, _screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_sessions_in_arabic(new_page, artifacts_dir, width, height):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "fp@demo.gfp", lang="ar")
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/sessions/?lang=ar")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    cards = page.locator("ul.session-list > li.card")
    expect(cards.first).to_be_visible()
    assert cards.count() >= 5
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"sessions-ar-{width}.png")

    # A coming session the demo focal point has not joined yet: register, then see the link.
    page.goto("/sessions/?lang=ar&topic=victim_centred")
    page.locator("ul.session-list a").first.click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+"))
    expect(page.locator("main")).to_contain_text("UTC")
    page.locator("form[action*='/register'] button").click()
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("a[href^='https://meet.example.org/']")).to_be_visible()
    expect(page.locator("a[href$='.ics']")).to_be_visible()
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"session-ar-{width}.png")
    page.locator("form[action*='/withdraw'] button").click()
    # Nothing is cancelled until the confirmation page is confirmed.
    expect(page.locator("button[name='confirmed']")).to_have_count(1)
    _no_horizontal_overflow(page)
    page.locator("form[action*='/withdraw'] button[name='confirmed']").click()
    expect(page.locator(".alert-success")).to_be_visible()
