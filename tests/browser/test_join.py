"""Joining the network in a real browser: an anonymous visitor fills /join in Arabic, confirms
the address from the email, the Office approves, the activation link works and the registry and
coverage show the new alternate."""
import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import live_outbox, sign_in
from .test_pages_rtl import _no_horizontal_overflow, _screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EMAIL = "tamara.nyirenda@wfp.demo.gfp"


def _path(link):
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_from_join_to_an_active_account(new_page, live_workdir, artifacts_dir):
    visitor = new_page(width=1366, height=900, locale="ar")
    visitor.goto("/login?lang=ar")
    visitor.locator("main a[href='/join']").click()
    expect(visitor.locator("html[lang='ar'][dir='rtl']")).to_have_count(1)
    _no_horizontal_overflow(visitor)
    _screenshot(visitor, artifacts_dir / "join-ar-1366.png")
    visitor.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_overflow(visitor)
    _screenshot(visitor, artifacts_dir / "join-ar-390.png")
    visitor.set_viewport_size({"width": 1366, "height": 900})

    visitor.fill("input[name=given_name]", "Tamara")
    visitor.fill("input[name=family_name]", "Nyirenda")
    visitor.fill("input[name=email]", EMAIL)
    visitor.fill("input[name=position_title]", "Programme Policy Officer")
    visitor.select_option("select[name=entity]", "WFP")
    visitor.select_option("select[name=scope]", "ZMB")
    visitor.select_option("select[name=role]", "alternate")
    visitor.fill("input[name=start_date]", "2026-11-01")
    visitor.set_input_files("input[name=memo]", files=[{
        "name": "memo.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    visitor.locator("input[name=submit]").click()
    expect(visitor).to_have_url(re.compile(r"/join/sent$"))

    body, = live_outbox(live_workdir, "join_verify", EMAIL)
    link = re.search(r"https?://\S+/join/verify/\S+", body).group(0)
    visitor.goto(_path(link))
    visitor.get_by_role("button").filter(has_text=re.compile(".")).last.click()
    expect(visitor.locator("main h1")).to_be_visible()
    assert "/join/verify/" in visitor.url

    office = new_page(width=1366, height=900, locale="en-GB")
    sign_in(office, "coordinator@demo.gfp", lang="en")
    office.goto("/nominations/?kind=self_registration&lang=en")
    office.get_by_role("link", name="Tamara Nyirenda").click()
    office.get_by_role("button", name="Approve and appoint").click()
    expect(office.locator("main")).to_contain_text("will be sent")
    office.get_by_role("button", name="Approve and appoint").click()
    expect(office.locator(".alert-success").first).to_contain_text("approved")

    welcome, = live_outbox(live_workdir, "nomination_welcome", EMAIL)
    activation = re.search(r"https?://\S+/activate/\S+", welcome).group(0)
    newcomer = new_page(width=1366, height=900, locale="ar")
    newcomer.goto(_path(activation))
    newcomer.fill("input[name=password]", "a long new password")
    newcomer.fill("input[name=confirm]", "a long new password")
    newcomer.locator("main form input[type=submit], main form button[type=submit]").first.click()
    expect(newcomer.locator("nav form[action$='/logout'] button[type=submit]")).to_be_visible()

    office.goto("/registry/?q=Nyirenda&lang=en")
    expect(office.locator("main")).to_contain_text("Tamara Nyirenda")
    office.goto("/coverage/ZMB?lang=en")
    expect(office.locator("tr:has(th:text-is('WFP'))")).to_contain_text("Tamara Nyirenda")
