"""Each demo role's home in a real browser: every figure of its work queue is what the list
it links to shows (on the demo data), and what a section counts is what it lists."""
import re

import pytest
from playwright.sync_api import expect

from tests.main.test_homes import LIST_ROWS

from .conftest import sign_in

pytestmark = pytest.mark.browser

# What a linked list shows one row per: a link of this pattern (one row per distinct target),
# as the view tests read them, and a Resident Coordinator's work in progress.
ROW_LINKS = {**LIST_ROWS, "pending": r'href="/nominations/(\d+)(?:\?[^"]*)?"'}


def _total_of_list(page, key):
    """How many rows the list on `page` holds: its pagination's total when it has pages,
    else its rows counted."""
    pages = page.locator("main nav[aria-label='Pages']")
    if pages.count():
        total = re.search(r"· ([\d,]+) in all", pages.inner_text())
        return int(total.group(1).replace(",", ""))
    return len(set(re.findall(ROW_LINKS[key], page.content())))


def test_coordinator_queue_figures_match_the_lists_they_open(page):
    sign_in(page, "coordinator@demo.gfp", lang="en")
    items = page.locator("main [data-queue]")
    expect(items.first).to_be_visible()
    queue = [(item.get_attribute("data-queue"),
              int(item.locator("[data-count]").get_attribute("data-count")),
              item.locator("a").first.get_attribute("href")) for item in items.all()]
    checked = []
    for key, count, link in queue:
        page.goto(link)
        if key == "uncts":
            expect(page.locator(f"[data-unct-count='{count}']")).to_have_count(1)
        elif key in ROW_LINKS:
            assert _total_of_list(page, key) == count, (key, link)
        else:
            continue
        checked.append(key)
    # The demo network has nominations and requests waiting, terms ending and teams without
    # a focal point: at least these are on the queue and checked.
    assert {"nominations", "requests", "ending", "uncts"} <= set(checked), queue


def test_resident_coordinator_home_figures_match_what_they_open_and_list(page):
    sign_in(page, "rc.kenya@demo.gfp", lang="en")
    gaps = page.locator("main a[data-home='gaps']")
    pending = page.locator("main a[data-home='pending']")
    expect(gaps).to_have_count(1)
    gap_count = int(gaps.get_attribute("data-count"))
    pending_count = int(pending.get_attribute("data-count"))
    pending_link = pending.get_attribute("href")
    for key in ("ending", "trained"):
        heading = page.locator(f"main [data-home='{key}']")
        shown = heading.locator("xpath=following-sibling::*[1]")  # its list, or a sentence
        listed = shown.locator("li").count() if shown.evaluate("e => e.tagName") == "UL" else 0
        assert listed == int(heading.get_attribute("data-count")), key
    gaps.click()
    expect(page.locator("main .nav-tabs a[aria-current='page']")).to_have_text(
        f"Gaps ({gap_count:,})")
    page.goto(pending_link)
    assert _total_of_list(page, "pending") == pending_count
    assert gap_count > 0 and pending_count > 0  # the demo team has gaps and work in progress


def test_focal_point_home_sections_count_what_they_list(page):
    sign_in(page, "fp@demo.gfp", lang="en")
    sections = page.locator("main section[data-count]")
    expect(sections.first).to_be_visible()
    counted = {}
    for section in sections.all():
        key = section.get_attribute("data-home")
        counted[key] = int(section.get_attribute("data-count"))
        assert section.locator("li").count() == counted[key], key
    assert counted.get("next-sessions", 0) > 0, counted  # the demo focal point is registered


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_entities_below_parity_to_support_are_on_the_office_queue(page, lang):
    """The demo network has entities below the parity range with coverage gaps: the queue
    counts them, and its figure opens their list, each linked to its entity's page."""
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    item = page.locator("main [data-queue='support']")
    expect(item).to_have_count(1)
    count = int(item.locator("[data-count]").get_attribute("data-count"))
    assert count > 0
    item.locator("a").first.click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator(f"#support[data-support-count='{count}']")).to_have_count(1)
    rows = page.locator("#support tbody tr")
    expect(rows).to_have_count(count)
    rows.first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/entities/[^/?]+"))
    expect(page.locator("[data-entity='parity'][data-within='no']")).to_have_count(1)
