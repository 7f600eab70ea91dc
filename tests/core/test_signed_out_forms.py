"""A form sent after its sign-in ended (signed out in another tab or on another device, the
password changed): its token is still in the session cookie, so it passes the CSRF check. The
answer says the person is signed out and offers the entries back (#kept-entries,
static/js/entries.js), as "The form has expired" does: the sign-in page itself would make the
browser take the form as received and forget the entries. A page asked for still leads to the
sign-in page, which leads back to it."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.practices.models import Practice
from tests.helpers import csrf_token_from, entity
from tests.practices.conftest import focal_point_of

LONG_TEXT = "Core hours and telecommuting, written over an hour and never to be typed again."


def test_a_form_sent_after_signing_out_in_another_tab_keeps_the_entries(
        app, client, reference, create_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user_id = create_user("fp@example.org")
    with app.app_context():
        focal_point_of("UNDP", db.session.get(User, user_id))
        undp = entity("UNDP").id
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "fp@example.org", "password": "correct horse battery",
                                "csrf_token": csrf_token_from(login_page)})
    # Tab A: the practice form, open for an hour.
    token = csrf_token_from(client.get("/practices/new").get_data(as_text=True))
    # Tab B: the person signs out.
    home = client.get("/me").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token_from(home)}).status_code == 302
    # Tab A: the practice is sent.
    response = client.post("/practices/new", data={
        "csrf_token": token, "entity": undp, "year": 2023, "area": "flexible_working",
        "language": "en", "title": "Flexible working", "summary": "Team agreements.",
        "body": LONG_TEXT})

    with app.app_context():
        assert db.session.scalars(select(Practice)).all() == []
    page = response.get_data(as_text=True)
    assert response.status_code == 403, response.headers.get("Location")
    assert "You are no longer signed in" in page
    # The way back to the form (which asks to sign in first), with the entries.
    assert 'id="kept-entries"' in page
    assert "Back to the form, with your entries" in page


@pytest.mark.parametrize("url", ["/practices/new", "/admin/settings", "/sessions/1/withdraw"])
def test_a_form_sent_signed_out_is_answered_with_the_way_back_to_it(client, reference, url):
    """Whatever rule the view declares (a role, or just signed in): nothing is done, and the
    page offers the entries back instead of sending the browser to the sign-in page."""
    response = client.post(url, data={"title": "Typed", "reason": "Typed too"})
    assert response.status_code == 403
    assert 'id="kept-entries"' in response.get_data(as_text=True)


def test_a_page_asked_for_signed_out_still_leads_to_the_sign_in_page(client, reference):
    response = client.get("/practices/new")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fpractices%2Fnew"
    assert client.head("/practices/new").status_code == 302


def test_the_signed_out_page_leads_to_the_sign_in_and_back_to_the_form_s_page(
        app, client, create_user):
    """Without JavaScript too: the sign-in page, then the page the form was sent from, as
    its Referer says (only a page of this site)."""
    create_user("coord@example.org", roles=["coordinator"])
    listing = "/admin/outbox/?status=failed&page=2"
    for referer, back in [(f"http://portal.test{listing}", listing),
                          ("https://elsewhere.example/admin/outbox/", None), (None, None)]:
        response = client.post("/admin/outbox/1/retry", data={},
                               headers={"Referer": referer} if referer else {})
        assert response.status_code == 403
        sign_in = re.search(r'<p id="sign-in-again"><a [^>]*href="([^"]+)"',
                            response.get_data(as_text=True))
        assert sign_in, "no way to sign in again"
        url = html.unescape(sign_in.group(1))
        assert url.split("?")[0] == "/login"
        assert parse_qs(urlsplit(url).query).get("next") == ([back] if back else None)
