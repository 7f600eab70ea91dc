"""A certificate of attendance in Arabic in a real browser: right to left, printable, and its
public verification page."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages_rtl import _screenshot

pytestmark = pytest.mark.browser


def test_certificate_in_arabic(new_page, artifacts_dir):
    page = new_page(width=1366, height=900, locale="ar")
    sign_in(page, "fp@demo.gfp", lang="ar")
    page.goto("/me?lang=ar")
    row = page.locator("#learning-record ~ div table tr:has(a[href^='/certificates/'])").first
    expect(row).to_be_visible()
    session_link = row.locator("a[href^='/sessions/']").get_attribute("href")
    code = row.locator("a[href^='/certificates/']").inner_text().strip()
    page.goto(f"{session_link}/certificate?lang=ar")
    expect(page.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    expect(page.locator(".certificate h1")).to_have_text("شهادة حضور")
    expect(page.locator(".certificate")).to_contain_text(code)
    # Right to left: the back link starts on the right-hand side of the certificate.
    link = page.locator(".no-print a").bounding_box()
    main = page.locator(".certificate").bounding_box()
    assert link["x"] + link["width"] > main["x"] + main["width"] / 2
    _screenshot(page, artifacts_dir / "certificate-ar.png")
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000

    visitor = new_page(width=390, height=844, locale="ar")
    visitor.goto(f"/certificates/{code}?lang=ar")
    expect(visitor.locator(".alert-success")).to_have_text(re.compile("صالحة"))
    _screenshot(visitor, artifacts_dir / "certificate-verify-ar-390.png")
