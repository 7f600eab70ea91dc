"""A form is sent once, however often its button is clicked while the answer is on its way."""
import contextlib
import re

import pytest
from playwright.sync_api import Error, expect

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_second_click_while_the_answer_is_on_its_way_sends_nothing(page):
    sign_in(page, "coordinator@demo.gfp")
    page.goto("/reference/entities/new")
    held = []  # what the form sends, held back as a busy server's answer would be
    page.route("**/reference/entities/new", lambda route: held.append(route))
    page.locator("input[name=acronym]").fill("UNXYZ")
    page.locator("input[name=name]").fill("United Nations Example Office")
    # Clicked, and clicked again a moment later while the first answer is awaited.
    page.evaluate("""() => {
        const button = document.querySelector("input[name=acronym]").form
            .querySelector("[type=submit]");
        button.click();
        setTimeout(() => button.click(), 400);
    }""")
    page.wait_for_timeout(1500)
    sent = len(held)
    for route in held:
        with contextlib.suppress(Error):  # a request the browser gave up for the next one
            route.continue_()
    assert sent == 1
    expect(page).to_have_url(re.compile(r"/reference/entities/\?q=UNXYZ$"))
    expect(page.locator(".alert-success")).to_contain_text("UNXYZ")
