"""The scheduling aid on the session form in a real browser, in English and in Arabic: checking
the hours keeps what was typed, and each suggested start time, once chosen, reaches the share the
suggestion promised."""
import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from .conftest import sign_in
from .test_pages_rtl import _no_horizontal_overflow, _screenshot

pytestmark = pytest.mark.browser

DAY = "2027-03-10"


def _check(page, start, hours=1):
    """Check the hours of a session starting at `start` (HH:MM) on DAY and lasting `hours`."""
    starts = datetime.fromisoformat(f"{DAY}T{start}")
    form = page.locator("main form").filter(has=page.locator("[name=check_hours]"))
    form.locator("[name=starts_at]").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    form.locator("[name=ends_at]").fill((starts + timedelta(hours=hours)).strftime(
        "%Y-%m-%dT%H:%M"))
    form.locator("[name=check_hours]").click()
    status = page.locator("#hours [role=status]")
    expect(status).to_be_visible()
    return float(status.get_attribute("data-hours-share"))


@pytest.mark.parametrize("lang, width", [("en", 1366), ("ar", 390), ("ar", 1366)])
def test_scheduling_aid_suggests_times_that_keep_their_promise(new_page, artifacts_dir, lang,
                                                               width):
    page = new_page(width=1366, height=900, locale=lang)
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/sessions/new?lang={lang}")
    expect(page.locator(f"html[lang='{lang}']")).to_have_count(1)
    if lang == "ar":
        expect(page.locator("html[dir='rtl']")).to_have_count(1)
    page.locator("main [name=title_en]").fill("Regional exchange on the Enabling Environment")
    page.locator("[name=time_zone]").select_option("UTC")

    # 02:00–03:00 UTC is night for most of the network; the aid says so and suggests better.
    night = _check(page, "02:00")
    # Checking saves nothing and loses nothing: the title typed is still there.
    expect(page.locator("main [name=title_en]")).to_have_value(
        "Regional exchange on the Enabling Environment")
    expect(page).to_have_url(re.compile(r"/sessions/new"))
    best = page.locator("[data-hours-best] li")
    expect(best.first).to_be_visible()
    first = best.first
    start, promised = first.get_attribute("data-start"), float(first.get_attribute("data-share"))
    assert promised > night
    _no_horizontal_overflow(page)
    _screenshot(page, artifacts_dir / f"hours-{lang}-{width}.png")

    # Choosing the first suggestion (one hour long) reaches what it promised.
    reached = _check(page, start)
    assert reached == pytest.approx(promised, abs=0.001)
    assert reached > night
