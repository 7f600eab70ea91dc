"""With the keyboard and a screen reader: what a page refused takes the focus as the page opens
(WCAG 3.3.1, 4.1.3), the header is gone through in the order it is seen (2.4.3), its language
menu closes once the focus leaves it (2.4.7: it no longer hides what has the focus), and no key
pressed alone acts as a shortcut (2.1.4)."""
import re
from itertools import pairwise

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD
from .main_pages import demo_objects, open_as

pytestmark = pytest.mark.browser

# The button that sends the form a page's first required field belongs to (its primary one,
# not those that fill in or check something), pressed with every field left as shown.
SEND_AS_SHOWN = """() => {
  const form = document.querySelector('main [required], main [aria-required=true]').form;
  form.querySelector('[type=submit].btn-primary').click();
}"""


def _focused(page):
    return page.evaluate("() => { const e = document.activeElement; return e.id || "
                         "e.className || e.tagName; }")


@pytest.mark.parametrize("role, path", [
    ("anonymous", "/login"),
    ("coordinator", "/registry/people/new"),
    ("coordinator", "/sessions/new"),
    ("resident_coordinator", "/nominations/new"),
])
def test_a_refused_form_brings_the_focus_to_its_summary(new_page, role, path):
    page = open_as(new_page, role, lang="en")
    page.goto(path)
    page.evaluate(SEND_AS_SHOWN)
    summary = page.locator("main .error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary, f"{path}: the focus is on {_focused(page)}").to_be_focused()
    # Its first link leads to the first field refused.
    page.keyboard.press("Tab")
    expect(summary.locator("a").first).to_be_focused()


def test_a_confirmation_refused_for_its_empty_reason_brings_the_focus_to_the_reason(
        new_page, live_workdir):
    page = open_as(new_page, "coordinator", lang="en")
    session = demo_objects(live_workdir / "portal.db")["upcoming_session"]
    page.goto(f"/sessions/{session}")
    page.locator("main form[action$='/cancel'] [type=submit]").click()
    page.locator("main button[name=confirmed]").click()
    summary = page.locator("main .error-summary")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary, f"the focus is on {_focused(page)}").to_be_focused()
    summary.locator("a[href='#reason']").click()
    expect(page.locator("#reason")).to_be_focused()


@pytest.mark.parametrize("email", ["fp@demo.gfp", "nobody@demo.gfp"])
def test_a_refused_sign_in_is_said_and_read_first(new_page, email):
    """A wrong password and an unknown address read alike: on the password field."""
    page = new_page()
    page.goto("/login")
    page.locator("main input[name=email]").fill(email)
    page.locator("main input[name=password]").fill(DEMO_PASSWORD + "-not")
    page.locator("main form [type=submit]").click()
    expect(page).to_have_title("Error: Sign in · GFP Portal")
    summary = page.locator("main .error-summary")
    expect(summary, f"the focus is on {_focused(page)}").to_be_focused()
    expect(summary).to_contain_text("The email address or password is not correct.")
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).not_to_have_attribute("aria-invalid", "true")


def test_a_red_banner_takes_the_focus_and_the_title_says_error(new_page, live_workdir):
    """A refusal shown in a banner above the page (a walk-in sent without a person)."""
    page = open_as(new_page, "coordinator", lang="en")
    register = f"/sessions/{demo_objects(live_workdir / 'portal.db')['past_session']}/attendance"
    page.goto(register)
    page.evaluate("""action => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      const token = document.querySelector('main input[name=csrf_token]').cloneNode();
      form.append(token);
      document.body.append(form);
      form.submit();
    }""", register + "/walk-in")
    banner = page.locator(".flash-messages .alert-danger")
    expect(banner).to_have_text("Choose the person to add from the search results.")
    expect(page).to_have_title(re.compile(r"^Error: Attendance · "))
    expect(banner).to_have_attribute("role", "alert")
    expect(banner, f"the focus is on {_focused(page)}").to_be_focused()


def test_a_refused_register_leads_to_the_refused_row(new_page, live_workdir):
    """Minutes below zero on one row, far down the register: its box takes the focus and
    its link leads to that row's minutes."""
    page = open_as(new_page, "coordinator", lang="en")
    page.goto(f"/sessions/{demo_objects(live_workdir / 'portal.db')['past_session']}/attendance")
    marked = page.locator("table.attendance-register select:has(option[selected]:not([value='']))")
    row = marked.nth(marked.count() - 1).get_attribute("id").removeprefix("status-")
    page.locator(f"#minutes-{row}").fill("-5")
    page.locator("main button[type=submit]", has_text="Save the register").click()
    refusal = page.locator("#register-refusal")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(refusal, f"the focus is on {_focused(page)}").to_be_focused()
    refusal.locator(f"a[href='#minutes-{row}']").click()
    expect(page.locator(f"#minutes-{row}")).to_be_focused()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_language_menu_closes_when_the_focus_leaves_it(new_page, lang):
    page = open_as(new_page, "coordinator", lang=lang, width=1366, height=900)
    page.goto(f"/coverage/?lang={lang}")
    switcher = page.locator("details.language-switcher")
    switcher.locator("summary").click()
    expect(switcher).to_have_attribute("open", "")
    for _ in range(switcher.locator("a").count() + 1):
        page.keyboard.press("Tab")
    assert not page.evaluate("document.querySelector('details.language-switcher')"
                             ".contains(document.activeElement)")
    expect(switcher).not_to_have_attribute("open", "")
    # Back into it and out with Shift+Tab, the other way.
    switcher.locator("summary").click()
    page.keyboard.press("Shift+Tab")
    expect(switcher).not_to_have_attribute("open", "")


def test_escape_leaves_the_focus_where_it_is_when_it_is_outside_the_menu(new_page):
    page = open_as(new_page, "coordinator", lang="en", width=1366, height=900)
    page.goto("/registry/")
    field = page.locator("main input:visible").first
    field.focus()
    # Opened without taking the focus (a click in some browsers).
    page.evaluate("document.querySelector('details.language-switcher').open = true")
    page.keyboard.press("Escape")
    expect(page.locator("details.language-switcher")).not_to_have_attribute("open", "")
    expect(field).to_be_focused()


@pytest.mark.parametrize("width", [1366, 390])
def test_no_key_alone_brings_the_focus_to_the_search_but_control_k_does(new_page, width):
    page = open_as(new_page, "coordinator", lang="en")
    page.set_viewport_size({"width": width, "height": 844})
    page.goto("/sessions/")
    page.locator("main h1").click()
    page.keyboard.press("/")
    expect(page.locator("#header-q")).not_to_be_focused()
    expect(page.locator("details.portal-menu")).not_to_have_attribute("open", "")
    page.keyboard.press("Control+k")
    expect(page.locator("#header-q")).to_be_focused()


# Where the control that has the focus is drawn, and whether it is in the header still.
HEADER_STOPS = """() => {
  const box = document.activeElement.getBoundingClientRect();
  return {inHeader: Boolean(document.activeElement.closest('header')),
          name: document.activeElement.id || document.activeElement.textContent.trim(),
          top: box.top, bottom: box.bottom, left: box.left, right: box.right};
}"""


def _header_stops(page):
    page.locator(".navbar-brand").focus()
    stops = [page.evaluate(HEADER_STOPS)]
    for _ in range(40):
        page.keyboard.press("Tab")
        stop = page.evaluate(HEADER_STOPS)
        if not stop["inHeader"]:
            return stops
        stops.append(stop)
    pytest.fail("the header holds more than 40 controls")


def _out_of_order(stops, rtl):
    """Each step of the Tab key that goes back up a row, or back along one."""
    wrong = []
    for before, after in pairwise(stops):
        same_row = after["top"] < before["bottom"] and before["top"] < after["bottom"]
        backwards = (after["right"] > before["right"] + 1 if rtl
                     else after["left"] < before["left"] - 1)
        if (not same_row and after["top"] < before["top"]) or (same_row and backwards):
            wrong.append(f"{before['name']!r} → {after['name']!r}")
    return wrong


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_header_is_gone_through_in_the_order_it_is_seen(new_page, artifacts_dir, lang,
                                                              width):
    page = open_as(new_page, "coordinator", lang=lang, width=1366, height=900)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/?lang={lang}")
    if width < 992:
        page.locator("details.portal-menu > summary").click()
    page.screenshot(path=str(artifacts_dir / f"header-{lang}-{width}.png"))
    stops = _header_stops(page)
    assert len(stops) > 8, stops
    assert _out_of_order(stops, rtl=lang == "ar") == []
