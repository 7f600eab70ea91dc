"""The induction path in a real browser: the demo focal point's checklist on her home and on
its own page, and the Office's list of people on the path, in English and in Arabic, on a
phone as on a desktop."""
import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _no_sideways_scroll(page):
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_focal_point_sees_her_checklist(new_page, artifacts_dir, lang):
    page = new_page(width=1280, height=900)
    sign_in(page, "fp@demo.gfp", lang=lang)
    page.set_viewport_size({"width": 390, "height": 900})  # the checklist on a phone
    page.goto(f"/?lang={lang}")
    checklist = page.locator("main [data-induction]")
    expect(checklist).to_have_attribute("data-induction", "in_progress")
    expect(checklist.locator("progress")).to_have_count(1)
    steps = checklist.locator("[data-step]")
    expect(steps.first).to_be_visible()
    assert steps.count() >= 3
    assert checklist.locator("[data-step][data-done='yes']").count() >= 1
    _no_sideways_scroll(page)
    page.goto(f"/induction/mine?lang={lang}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator("main [data-induction] h2")).to_be_visible()
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts_dir / f"induction-checklist-{lang}.png"), full_page=True)


def test_the_terms_of_reference_are_opened_then_ticked(page):
    sign_in(page, "fp@demo.gfp", lang="en")
    page.goto("/induction/mine?lang=en")
    terms = page.locator("main [data-step='terms']")
    if terms.get_attribute("data-done") == "no":
        link = terms.locator("a[href*='/download/']").get_attribute("href")
        assert page.request.get(link).ok  # the browser's own session opens the document
        page.reload()
        page.locator("main [data-step='terms'] form button").click()
        expect(page.locator(".alert-success")).to_have_count(1)
    expect(page.locator("main [data-step='terms']")).to_have_attribute("data-done", "yes")


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_office_sees_who_is_on_the_path(new_page, artifacts_dir, lang):
    page = new_page(width=1280, height=900)
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/induction/?lang={lang}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    counts = {key: int(page.locator(f"[data-count='{key}'] .fw-semibold").inner_text()
                       .translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")))
              for key in ("not_started", "in_progress", "completed")}
    rows = page.locator("main [data-path]")
    assert rows.count() == sum(counts.values())
    assert counts["completed"] >= 1 and counts["in_progress"] >= 1
    page.goto(f"/induction/?lang={lang}&state=completed")
    expect(page.locator("main [data-path]")).to_have_count(counts["completed"])
    page.set_viewport_size({"width": 390, "height": 900})
    _no_sideways_scroll(page)
    page.screenshot(path=str(artifacts_dir / f"induction-office-{lang}.png"), full_page=True)
