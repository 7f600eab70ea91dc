"""Good practices in a real browser: a focal point submits one in Spanish, the Office publishes
it, and a reader in French finds it in the library with the notice of the versions that exist."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser

TITLE = "Programa de mentoría inversa para jefas de equipo"


def test_a_submitted_practice_is_published_and_read_with_a_fallback(new_page, artifacts_dir):
    focal_point = new_page(width=1280, height=900, locale="es")
    sign_in(focal_point, "fp@demo.gfp", lang="es")
    focal_point.set_viewport_size({"width": 390, "height": 900})  # the form on a phone
    focal_point.goto("/practices/new?lang=es")
    form = focal_point.locator("main form")
    form.locator("#year").fill("2024")
    form.locator("#area").select_option("talent")
    form.locator("#language").select_option("es")
    form.locator("#title").fill(TITLE)
    form.locator("#body").fill("Cada jefa de equipo recibe la mentoría de una persona joven.")
    form.locator("button[type=submit], input[type=submit]").first.click()
    focal_point.wait_for_url(re.compile(r"/practices/\d+"))
    expect(focal_point.locator(".alert-success")).to_have_count(1)
    address = focal_point.url.split("?")[0]
    overflow = focal_point.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1

    office = new_page(width=1366, height=900)
    sign_in(office, "coordinator@demo.gfp", lang="en")
    office.goto("/practices/?state=submitted&lang=en")
    office.get_by_role("link", name=TITLE).click()
    office.locator("form[action*='/publish'] button[type=submit]").click()
    expect(office.locator(".alert-success")).to_have_count(1)

    focal_point.goto("/practices/?lang=fr&q=mentoria inversa")
    card = focal_point.locator(".practice-card").filter(has_text=TITLE)
    expect(card.locator("[lang='es']").first).to_be_visible()
    focal_point.goto(address + "?lang=fr")
    notice = focal_point.locator(".fallback-notice")
    expect(notice).to_contain_text("Non disponible en français")
    expect(notice.locator("a[hreflang='es']")).to_have_count(1)
    expect(focal_point.locator("article.practice-content h1[lang='es']")).to_have_text(TITLE)
    focal_point.screenshot(path=str(artifacts_dir / "practice-fallback-fr.png"), full_page=True)
    # A reader of Arabic: the page is right to left, the Spanish text keeps its own language.
    focal_point.goto(address + "?lang=ar")
    expect(focal_point.locator("html")).to_have_attribute("dir", "rtl")
    expect(focal_point.locator(".fallback-notice a[hreflang='es']")).to_have_count(1)
    expect(focal_point.locator("article.practice-content h1[lang='es']")).to_have_text(TITLE)
    focal_point.screenshot(path=str(artifacts_dir / "practice-fallback-ar.png"), full_page=True)
