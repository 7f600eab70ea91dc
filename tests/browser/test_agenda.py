"""The agenda in a real browser, in English and in Arabic: the session page shows it in the
reader's language with its presenters (guests named), and the Office adds an item."""
import sqlite3

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages_rtl import _no_horizontal_overflow, _screenshot

pytestmark = pytest.mark.browser


def _agenda_session(workdir):
    with sqlite3.connect(workdir / "portal.db") as connection:
        return connection.execute(
            "SELECT session_id FROM agenda_items ORDER BY id LIMIT 1").fetchone()[0]


@pytest.mark.parametrize("lang, heading, title, direction", [
    ("en", "Agenda", "Opening of the meeting", "ltr"),
    ("ar", "جدول الأعمال", "افتتاح الاجتماع", "rtl"),
])
def test_the_session_page_shows_the_agenda(new_page, live_workdir, artifacts_dir, lang,
                                           heading, title, direction):
    session_id = _agenda_session(live_workdir)
    page = new_page(width=1366, height=900, locale=lang)
    sign_in(page, "fp@demo.gfp", lang=lang)
    page.goto(f"/sessions/{session_id}?lang={lang}")
    expect(page.locator(f"html[lang='{lang}'][dir='{direction}']")).to_have_count(1)
    section = page.locator("#agenda")
    expect(section.locator("h2")).to_have_text(heading)
    expect(section).to_contain_text(title)
    expect(section).to_contain_text("Dr Ingrid Halvorsen")
    expect(section).to_contain_text("University of Bergen")
    expect(section.locator("li.agenda-item")).to_have_count(3)
    page.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"agenda-{lang}-390.png")


@pytest.mark.parametrize("lang, direction, saved", [
    ("en", "ltr", "The item is added to the agenda."),
    ("ar", "rtl", "أُضيف البند إلى جدول الأعمال."),
])
def test_the_office_adds_an_item(new_page, live_workdir, artifacts_dir, lang, direction,
                                 saved):
    session_id = _agenda_session(live_workdir)
    page = new_page(width=1366, height=900, locale=lang)
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/sessions/{session_id}/agenda?lang={lang}")
    expect(page.locator(f"html[lang='{lang}'][dir='{direction}']")).to_have_count(1)
    title = f"Closing remarks ({lang})"
    start = page.locator("input[name=starts_at]").input_value()
    page.fill("input[name=starts_at]", start[:11] + "15:30")
    page.fill("input[name=title_en]", title)
    page.fill("input[name=title_ar]", "الملاحظات الختامية")
    page.fill("input[name=guest_name]", f"Prof. Kwame Mensah {lang}")
    page.fill("input[name=guest_organisation]", "University of Ghana")
    page.select_option("select[name=guest_sector]", "academia")
    page.locator("main form button[type=submit], main form input[type=submit]").last.click()
    expect(page.locator(".alert-success")).to_contain_text(saved)
    # The list names the item in the reader's language.
    expect(page.locator("main")).to_contain_text(
        "الملاحظات الختامية" if lang == "ar" else title)
    page.set_viewport_size({"width": 390, "height": 844})
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"agenda-manage-{lang}-390.png")
    page.goto(f"/sessions/{session_id}?lang={lang}")
    expect(page.locator("#agenda")).to_contain_text(f"Prof. Kwame Mensah {lang}")
