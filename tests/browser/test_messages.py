"""Messages to the network in a real browser, in English and in Arabic: the Office composes,
reads the preview's counts per language, confirms, and the job sends; nothing goes on the
first click."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser


def _counts(page):
    """(total, {language: people}) as the preview shows them."""
    total = int(page.locator("[data-total]").get_attribute("data-total"))
    rows = page.locator("tr[data-language]")
    by_language = {rows.nth(i).get_attribute("data-language"):
                   int(rows.nth(i).get_attribute("data-count")) for i in range(rows.count())}
    return total, by_language


def _compose(page, subject, body, **more):
    form = page.locator("form[data-composer]")
    form.locator("#subject_en").fill(subject)
    form.locator("#body_en").fill(body)
    for field, value in more.items():
        if field in ("region", "role", "language", "unct", "status"):
            form.locator(f"#{field}").select_option(value)
        else:
            form.locator(f"#{field}").fill(value)
    form.locator("input[type=submit], button[type=submit]").first.click()


def _send_and_finish(page, subject):
    send = page.locator("button[data-send]")
    expect(send).to_be_visible()
    send.click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f]{32}"))
    expect(page.locator("#job-state")).not_to_have_text(re.compile("Waiting|In progress"),
                                                        timeout=30_000)
    page.goto("/messages/?lang=en")
    expect(page.locator("table[data-archive]")).to_contain_text(subject)


def test_the_office_composes_previews_and_confirms_in_english(new_page):
    page = new_page(width=1280, height=900)
    sign_in(page, "coordinator@demo.gfp", lang="en")
    page.goto("/messages/?lang=en")
    page.get_by_role("link", name="New message").click()
    subject = "Browser notice: the annual meeting agenda"
    _compose(page, subject, "Dear colleagues, the agenda is on the portal.",
             subject_fr="Avis : ordre du jour de la réunion annuelle",
             body_fr="Chers collègues, l’ordre du jour est sur le portail.",
             region="africa")
    page.wait_for_url(re.compile(r"/messages/\d+/preview"))
    expect(page.locator(".alert-success")).to_have_count(1)
    total, by_language = _counts(page)
    assert total > 0 and sum(by_language.values()) == total
    assert set(by_language) == {"en", "fr", "es", "ar"}
    fallback = int(page.locator("[data-fallback]").get_attribute("data-fallback"))
    assert fallback == by_language["es"] + by_language["ar"]
    expect(page.locator("[data-rendered='fr']")).to_contain_text("ordre du jour")
    expect(page.locator("[data-rendered='ar']")).to_contain_text("the agenda is on the portal")
    expect(page.locator("button[data-send]")).to_contain_text(str(total))
    # Nothing has been sent yet: the draft waits in the list.
    page.goto("/messages/?lang=en")
    expect(page.locator("[data-drafts]")).to_contain_text(subject)
    page.locator("[data-drafts] a", has_text=subject).click()
    _send_and_finish(page, subject)


def test_the_composer_in_arabic_keeps_what_was_typed_and_sends(new_page):
    page = new_page(width=1280, height=900, locale="ar")
    sign_in(page, "coordinator@demo.gfp", lang="ar")
    page.set_viewport_size({"width": 390, "height": 900})  # the composer on a phone
    page.goto("/messages/new?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    # No English subject: the form comes back in Arabic with everything typed.
    form = page.locator("form[data-composer]")
    form.locator("#subject_ar").fill("إشعار إلى جهات التنسيق")
    form.locator("#body_ar").fill("الزملاء الأعزاء، يرجى تحديث بياناتكم.")
    form.locator("#unct").select_option("KEN")
    form.locator("input[type=submit], button[type=submit]").first.click()
    expect(page.locator("#subject_en-error")).to_contain_text(
        "يُرجى إدخال الموضوع باللغة الإنكليزية.")
    expect(page.locator("#subject_ar")).to_have_value("إشعار إلى جهات التنسيق")
    expect(page.locator("#unct")).to_have_value("KEN")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    subject = "Kenya: please update your details"
    _compose(page, subject, "Dear colleagues, please update your details.")
    page.wait_for_url(re.compile(r"/messages/\d+/preview"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    total, by_language = _counts(page)
    assert total > 0 and sum(by_language.values()) == total
    expect(page.locator("[data-rendered='ar']")).to_contain_text("يرجى تحديث بياناتكم")
    expect(page.locator("[data-rendered='ar'] [lang='ar']").first).to_be_visible()
    _send_and_finish(page, subject)
