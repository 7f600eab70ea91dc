"""A form sent after its page expired (the sign-in ended in another tab, or lapsed): the
entries come back once the person is signed in again, and only then."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, sign_in
from .main_pages import demo_objects
from .test_agenda import _agenda_session

pytestmark = pytest.mark.browser

TYPED = "Une description rédigée pendant une heure, que personne ne veut retaper."


def test_entries_sent_to_an_expired_form_come_back_after_signing_in_again(page):
    sign_in(page, "coordinator@demo.gfp")
    page.goto("/sessions/1/edit")
    original = page.locator("textarea[name=description_fr]").input_value()
    page.locator("textarea[name=description_fr]").fill(TYPED)
    page.locator("input[name=capacity]").fill("77")
    page.context.clear_cookies()  # signed out meanwhile: the form's token is no longer valid
    page.locator("main form [type=submit].btn-primary").click()

    expect(page.locator("h1")).to_have_text("The form has expired")  # signed out: English
    # The page offers the entries back, and no longer advises reloading, which would lose them.
    expect(page.locator("#kept-entries p").first).to_be_visible()
    expect(page.locator("#kept-entries")).to_contain_text("Your entries are kept")
    expect(page.locator("#entries-lost")).to_be_hidden()
    _back_signed_in(page)

    expect(page).to_have_url(re.compile(r"/sessions/1/edit$"))
    expect(page.locator("textarea[name=description_fr]")).to_have_value(TYPED)
    expect(page.locator("input[name=capacity]")).to_have_value("77")
    # The coordinator reads French.
    expect(page.locator("#entries-back")).to_contain_text("Vos saisies ont été rétablies")

    # Given back once: the page shown again holds what the portal has.
    page.reload()
    expect(page.locator("textarea[name=description_fr]")).to_have_value(original)
    expect(page.locator("#entries-back")).to_have_count(0)


def test_entries_sent_after_signing_out_in_another_tab_come_back_after_signing_in(page):
    """The sign-out in another tab leaves the form's token valid: the form reaches the
    portal, which says the person is no longer signed in and offers the entries back."""
    sign_in(page, "coordinator@demo.gfp")
    page.goto("/sessions/1/edit")
    page.locator("textarea[name=description_fr]").fill(TYPED)
    other_tab = page.context.new_page()
    other_tab.goto("/")
    other_tab.locator("form[action$='/logout'] [type=submit]").click()
    other_tab.wait_for_url(re.compile(r"/login"))
    other_tab.close()
    page.locator("main form [type=submit].btn-primary").click()

    expect(page.locator("h1")).to_have_text("You are no longer signed in")
    expect(page.locator("#kept-entries")).to_be_visible()
    expect(page.locator("#entries-lost")).to_be_hidden()
    expect(page.locator("#sign-in-again")).to_be_hidden()  # the entries' button signs in
    _back_signed_in(page)
    expect(page).to_have_url(re.compile(r"/sessions/1/edit$"))
    expect(page.locator("textarea[name=description_fr]")).to_have_value(TYPED)


def _back_signed_in(page):
    back = page.locator("#kept-entries a")
    expect(back).to_be_visible()
    back.click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.locator("input[name=email]").fill("coordinator@demo.gfp")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form [type=submit]").first.click()


def test_entries_go_back_into_the_form_that_was_sent_among_forms_to_one_address(
        page, live_workdir):
    """An agenda item's "Move up" and "Move down" send to one address, with their direction
    in a hidden field: the entries of "Move down" must not turn "Move up" into a second
    "Move down"."""
    session_id = _agenda_session(live_workdir)
    sign_in(page, "coordinator@demo.gfp")
    page.goto(f"/sessions/{session_id}/agenda")
    item = page.locator("li.agenda-item").nth(1)  # the second of three: it moves both ways
    page.context.clear_cookies()
    item.locator("form:has(input[name=direction][value=down]) button").click()
    expect(page.locator("h1")).to_have_text("The form has expired")
    _back_signed_in(page)

    expect(page).to_have_url(re.compile(rf"/sessions/{session_id}/agenda$"))
    expect(page.locator("#entries-back")).to_have_count(1)
    moves = item.locator("input[name=direction]")
    expect(moves).to_have_count(2)
    expect(moves.nth(0)).to_have_value("up")
    expect(moves.nth(1)).to_have_value("down")


def test_entries_the_portal_received_are_not_given_back(page):
    sign_in(page, "coordinator@demo.gfp")
    page.goto("/sessions/1/edit")
    page.locator("input[name=capacity]").fill("-3")  # refused by the form: shown again
    page.locator("main form [type=submit].btn-primary").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    page.goto("/sessions/1/edit")
    expect(page.locator("input[name=capacity]")).not_to_have_value("-3")
    expect(page.locator("#entries-back")).to_have_count(0)


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_going_back_from_a_confirmation_brings_the_form_back_as_it_was(page, live_workdir, lang):
    """"No, go back" on the confirmation of a group registration: nobody is registered, and
    the roster's form has the filters chosen, not those of a fresh page."""
    session_id = demo_objects(live_workdir / "portal.db")["upcoming_session"]
    sign_in(page, "coordinator@demo.gfp", lang=lang)
    page.goto(f"/sessions/{session_id}/roster?lang={lang}")
    group = page.locator("form[action$='/roster/group']")
    group.locator("select[name=role]").select_option("alternate")
    group.locator("select[name=entity]").select_option("UNDP")
    group.locator("[type=submit]").click()

    confirmation = page.locator("form[data-confirmation]")
    confirm = confirmation.locator("button[name=confirmed]")
    back = confirmation.get_by_role("button", name="لا، الرجوع" if lang == "ar" else "No, go back")
    # A button of its own, after the confirmation in the reading order (on its left in
    # Arabic), reached with the keyboard and showing where the focus is.
    confirm.focus()
    page.keyboard.press("Tab")
    expect(back).to_be_focused()
    ring = back.evaluate("b => [getComputedStyle(b).outlineStyle, getComputedStyle(b).boxShadow]")
    assert ring != ["none", "none"], ring  # Bootstrap's ring (a shadow) or the portal's outline
    confirm_box, back_box = confirm.bounding_box(), back.bounding_box()
    assert (back_box["x"] < confirm_box["x"]) if lang == "ar" else \
        (back_box["x"] > confirm_box["x"])
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/sessions/{session_id}/roster$"))
    expect(group.locator("select[name=role]")).to_have_value("alternate")
    expect(group.locator("select[name=entity]")).to_have_value("UNDP")
    expect(page.locator("#entries-back")).to_have_count(0)  # gone back by choice: no notice
    # Given back once: the page shown again is a fresh one.
    page.reload()
    expect(group.locator("select[name=role]")).to_have_value("")


def test_the_language_switched_on_a_confirmation_keeps_the_way_back_to_the_form(
        page, live_workdir):
    """The confirmation of a group registration read in French instead: still not
    confirmed, and "No, go back" still brings the form back as it was."""
    session_id = demo_objects(live_workdir / "portal.db")["upcoming_session"]
    sign_in(page, "coordinator@demo.gfp", lang="en")
    page.goto(f"/sessions/{session_id}/roster?lang=en")
    group = page.locator("form[action$='/roster/group']")
    group.locator("select[name=role]").select_option("alternate")
    group.locator("select[name=entity]").select_option("UNDP")
    group.locator("[type=submit]").click()
    expect(page.locator("form[data-confirmation]")).to_be_visible()

    switcher = page.locator("details.language-switcher")
    switcher.locator("summary").click()
    switcher.locator("button[data-lang='fr']").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("form[data-confirmation]")).to_be_visible()
    page.locator("form[data-confirmation] button[name=went_back]").click()
    expect(page).to_have_url(re.compile(rf"/sessions/{session_id}/roster$"))
    expect(group.locator("select[name=role]")).to_have_value("alternate")
    expect(group.locator("select[name=entity]")).to_have_value("UNDP")
