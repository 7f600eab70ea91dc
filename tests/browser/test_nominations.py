"""A nomination in a real browser: the Kenya Resident Coordinator nominates from a coverage gap
in Arabic, the Office approves it, and the timeline and the coverage follow."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages_rtl import _no_horizontal_overflow, _screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_nomination_from_a_gap_to_approval(new_page, artifacts_dir):
    rc = new_page(width=1366, height=900, locale="ar")
    sign_in(rc, "rc.kenya@demo.gfp", lang="ar")
    rc.goto("/coverage/KEN?lang=ar")
    rc.locator("a[href*='entity=UNON'][href*='role=focal_point']").click()
    expect(rc).to_have_url(re.compile(r"/nominations/new\?"))
    expect(rc.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(rc.locator("select[name=entity]")).to_have_value("UNON")
    _no_horizontal_overflow(rc)
    _screenshot(rc, artifacts_dir / "nomination-form-ar-1366.png")
    rc.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_overflow(rc)
    _screenshot(rc, artifacts_dir / "nomination-form-ar-390.png")
    rc.set_viewport_size({"width": 1366, "height": 900})

    # Labels sit on the right of a right-to-left form.
    label = rc.locator("label[for=given_name]").bounding_box()
    field = rc.locator("input[name=given_name]").bounding_box()
    assert label["x"] + label["width"] > field["x"] + field["width"] - 2

    rc.fill("input[name=given_name]", "Amani")
    rc.fill("input[name=family_name]", "Chebet")
    rc.fill("input[name=email]", "amani.chebet@unon.example.org")
    rc.fill("input[name=grade]", "P-4")
    rc.fill("textarea[name=justification]", "Chief of a large section; trained in 2025.")
    rc.set_input_files("input[name=letter]", files=[{
        "name": "nomination.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    rc.locator("input[type=submit][name=submit]").click()
    # The UN-SWAP check comes before anything is submitted; sent again, the nomination goes.
    expect(rc.locator(".unswap-check")).to_be_visible()
    expect(rc.locator("h1")).to_have_text("ترشيح جهة تنسيق")
    _screenshot(rc, artifacts_dir / "nomination-check-ar-1366.png")
    rc.set_input_files("input[name=letter]", files=[{
        "name": "nomination.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    rc.locator("input[type=submit][name=submit]").click()
    expect(rc).to_have_url(re.compile(r"/nominations/\d+$"))
    detail_url = rc.url
    expect(rc.locator(".timeline-item")).to_have_count(1)
    expect(rc.locator("a[href$='/letter']")).to_contain_text("nomination.pdf")
    _screenshot(rc, artifacts_dir / "nomination-detail-ar-1366.png")

    office = new_page(width=1366, height=900, locale="en-GB")
    sign_in(office, "coordinator@demo.gfp", lang="en")
    office.goto(detail_url + "?lang=en")
    office.get_by_role("button", name="Approve and appoint").click()
    expect(office.locator("main")).to_contain_text("will be sent")
    office.get_by_role("button", name="Approve and appoint").click()
    expect(office.locator(".alert-success").first).to_contain_text("approved")

    rc.goto(detail_url + "?lang=ar")
    expect(rc.locator(".timeline-item")).to_have_count(2)
    expect(rc.locator(".badge.text-bg-success")).to_be_visible()
    # The dots of the timeline run down the right-hand side in Arabic.
    item = rc.locator(".timeline-item").first.bounding_box()
    main = rc.locator(".timeline").bounding_box()
    assert item["x"] + item["width"] >= main["x"] + main["width"] - 2
    _screenshot(rc, artifacts_dir / "nomination-approved-ar-1366.png")
    rc.goto("/coverage/KEN?lang=ar")
    expect(rc.locator("tr:has(th:text-is('UNON'))")).to_contain_text("Amani Chebet")
