"""The resource library in a real browser, in Arabic: Arabic versions right to left, English
fallbacks left to right with the notice, and a download."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_library_in_arabic_for_an_anonymous_visitor(new_page, artifacts_dir):
    page = new_page(width=1366, height=900, locale="ar")
    page.goto("/resources/?lang=ar")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    field = page.locator("#resource-field-specific-enabling-environment-guidelines")
    expect(field.locator(".resource-content[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(field.locator(".fallback-notice")).to_have_count(0)
    eeg = page.locator("#resource-enabling-environment-guidelines")
    expect(eeg.locator(".resource-content[lang='en'][dir='ltr']")).to_have_count(1)
    expect(eeg.locator(".fallback-notice a")).to_have_count(3)  # en, es, fr
    # Network-only resources stay hidden from anonymous visitors.
    expect(page.locator("#resource-model-exit-survey")).to_have_count(0)
    # The English title reads left to right inside the right-to-left page.
    box = eeg.locator(".resource-content h2").bounding_box()
    card = eeg.bounding_box()
    assert box["x"] + box["width"] <= card["x"] + card["width"]
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    page.screenshot(path=str(artifacts_dir / "library-ar.png"), full_page=True)

    with page.expect_download() as download:
        field.locator("a.btn").click()
    assert download.value.suggested_filename.endswith(".pdf")

    page.goto("/resources/field-specific-enabling-environment-guidelines?lang=ar")
    expect(page.locator("table tbody tr")).to_have_count(4)
    expect(page.locator("h1")).to_have_text(
        "المبادئ التوجيهية المتعلقة بالبيئة التمكينية في الميدان")
