"""The registry, coverage and home pages in a real browser, in Arabic (right to left) and
English."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _screenshot(page, path):
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file() and path.stat().st_size > 0, path


def _no_horizontal_overflow(page):
    """Right-to-left layouts must not push the page sideways (a mirrored-by-hand bug)."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"page is {overflow}px wider than the window"


@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_registry_in_arabic(new_page, artifacts_dir, width, height):
    page = new_page(width=1366, height=900, locale="ar")
    # Signed in on a wide window: on a narrow one the sign-out button hides in the menu.
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/registry/?lang=ar")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(page.locator("main h1")).not_to_have_text("Registry of focal points")
    rows = page.locator("table.registry-table tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() >= 20
    # The table runs right to left: the first column (names) sits on the right.
    header = page.locator("table.registry-table thead th")
    first, last = header.first.bounding_box(), header.last.bounding_box()
    assert first["x"] > last["x"]
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"registry-ar-{width}.png")

    page.locator("table.registry-table tbody tr a").first.click()
    expect(page).to_have_url(re.compile(r"/registry/people/\d+"))
    expect(page.locator("html[dir='rtl']")).to_have_count(1)
    _screenshot(page, artifacts_dir / f"registry-person-ar-{width}.png")


def test_coverage_matrix_in_arabic_and_english(new_page, artifacts_dir):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.goto("/coverage/?lang=ar&region=arab_states")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(page.locator("svg.coverage-chart")).to_be_visible()
    expect(page.locator("table.coverage-matrix")).to_contain_text("مصر")  # Egypt, in Arabic
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / "coverage-ar-wide.png")

    page.goto("/coverage/KEN?lang=en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("main h1")).to_contain_text("Kenya")
    _screenshot(page, artifacts_dir / "coverage-kenya-en-wide.png")


def test_resident_coordinator_home_leads_to_own_country_team(new_page):
    page = new_page(locale="ar")
    sign_in(page, "rc.kenya@demo.gfp", lang="ar")
    expect(page).to_have_url(re.compile(r"/(\?.*)?$"))
    page.locator("main a.btn[href='/coverage/KEN']").click()
    expect(page).to_have_url(re.compile(r"/coverage/KEN"))
    expect(page.locator("main h1")).to_contain_text("كينيا")  # Kenya, in Arabic
    response = page.goto("/coverage/UGA")
    assert response is not None and response.status == 403


@pytest.mark.parametrize("email", ["coordinator@demo.gfp", "rc.kenya@demo.gfp", "fp@demo.gfp"])
@pytest.mark.parametrize("width, height", [(1366, 900), (390, 844)])
def test_each_home_in_arabic(new_page, artifacts_dir, email, width, height):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, email, lang="ar")
    page.set_viewport_size({"width": width, "height": height})
    page.goto("/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"home-{email.split('@')[0]}-ar-{width}.png")
