"""Smoke tests in a real browser: sign-in per role, language switching, RTL, access denial."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser

# Where each demo account lands after signing in: the home page of its role (a Resident
# Coordinator of a single country team too: the home links to that team's coverage page).
DEMO_ACCOUNTS = {
    "admin@demo.gfp": r"/",
    "coordinator@demo.gfp": r"/",
    "rc.kenya@demo.gfp": r"/",
    "fp@demo.gfp": r"/",
}
SIGN_OUT = "nav form[action$='/logout'] button[type=submit]"


@pytest.mark.parametrize("email", DEMO_ACCOUNTS)
def test_demo_account_signs_in_to_the_home_page(page, email):
    # English pinned with ?lang=en: some demo accounts prefer French or Spanish.
    sign_in(page, email, lang="en")

    assert re.fullmatch(DEMO_ACCOUNTS[email], urlsplit(page.url).path), page.url
    expect(page.locator(SIGN_OUT)).to_have_text("Sign out")
    expect(page.locator("footer")).to_contain_text(f"Signed in as {email}")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


@pytest.mark.parametrize("email, language", [("coordinator@demo.gfp", "fr"),
                                             ("fp@demo.gfp", "es")])
def test_signed_in_users_preferred_language_beats_the_browser(page, email, language):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # the browser asks for en-GB

    sign_in(page, email)

    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "ltr")


def _switch_language(page, code):
    switcher = page.locator("details.language-switcher")
    switcher.locator("summary").click()
    expect(switcher).to_have_attribute("open", "")
    link = switcher.locator(f"a[data-lang='{code}']")
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(re.compile(rf"[?&]lang={code}(&|$)"))


def test_language_switcher_turns_the_login_page_arabic_and_right_to_left(page):
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    _switch_language(page, "ar")

    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(page.locator("link#bootstrap-css")).to_have_attribute(
        "href", re.compile(r"bootstrap\.rtl\.min\.css"))
    # The right-to-left stylesheet really loaded and applies.
    rules = page.locator("link#bootstrap-css").evaluate("el => el.sheet.cssRules.length")
    assert rules > 100
    assert page.locator("body").evaluate("el => getComputedStyle(el).direction") == "rtl"
    # Only Bootstrap's RTL build keeps e-mail addresses left-to-right inside RTL pages.
    email_direction = page.locator("input[name=email]").evaluate(
        "el => getComputedStyle(el).direction")
    assert email_direction == "ltr"


def test_language_switcher_turns_the_login_page_french(page):
    page.goto("/login")

    _switch_language(page, "fr")

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("link#bootstrap-css")).to_have_attribute(
        "href", re.compile(r"/bootstrap\.min\.css"))


def _screenshot(page, path):
    page.wait_for_load_state("networkidle")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=str(path), full_page=True)
    assert path.is_file() and path.stat().st_size > 0, path


def test_coordinator_home_page_in_arabic_screenshots(new_page, artifacts_dir):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.goto("/?lang=ar")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(page.locator("link#bootstrap-css")).to_have_attribute(
        "href", re.compile(r"bootstrap\.rtl\.min\.css"))
    expect(page.locator("footer")).to_contain_text("coordinator@demo.gfp")

    _screenshot(page, artifacts_dir / "home-coordinator-ar-wide.png")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("html[dir='rtl']")).to_have_count(1)
    _screenshot(page, artifacts_dir / "home-coordinator-ar-narrow.png")


def test_coordinator_home_page_in_english_screenshot(new_page, artifacts_dir):
    page = new_page(width=1366, height=900)
    sign_in(page, "coordinator@demo.gfp", lang="en")
    page.goto("/?lang=en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(SIGN_OUT)).to_be_visible()

    _screenshot(page, artifacts_dir / "home-coordinator-en-wide.png")


def test_focal_point_is_refused_the_administration(page):
    sign_in(page, "fp@demo.gfp", lang="en")

    response = page.goto("/admin/")

    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("403")
    expect(page.locator("main h1")).to_have_text("You do not have access to this page")
