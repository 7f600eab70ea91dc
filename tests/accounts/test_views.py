"""Sign-in, sign-out, activation, reset, CSRF, rate limits, headers and /me."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from gfp_portal.accounts import services
from gfp_portal.accounts.models import AccountToken, TokenPurpose, User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from tests.helpers import PASSWORD, appoint_undp_alternate, csrf_token_from, login
from tests.markup import parse


def test_login_and_logout(client, create_user):
    create_user("fp@example.org")
    response = login(client, "fp@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert b"fp@example.org" in client.get("/").data
    assert client.post("/logout").status_code == 302
    assert client.get("/me").status_code == 302


def test_logout_requires_post(client, create_user):
    create_user("fp@example.org")
    login(client, "fp@example.org")
    assert client.get("/logout").status_code == 405
    assert client.get("/me").status_code == 200


def test_wrong_password_rerenders_with_message_and_no_session(client, create_user):
    create_user("fp@example.org")
    response = login(client, "fp@example.org", "wrong password")
    assert response.status_code == 200
    assert b"The email address or password is not correct." in response.data
    assert client.get("/me").status_code == 302


def test_deactivated_account_cannot_sign_in(client, create_user):
    create_user("gone@example.org", active=False)
    assert login(client, "gone@example.org").status_code == 200


@pytest.mark.parametrize("target, expected", [
    ("/admin/", "/admin/"),
    ("/me?tab=1", "/me?tab=1"),
    ("https://evil.example/steal", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirects_only_within_the_site(client, create_user, target, expected):
    create_user("admin@example.org", roles=["admin"])
    response = client.post("/login", query_string={"next": target},
                           data={"email": "admin@example.org", "password": PASSWORD})
    assert response.headers["Location"] == expected


def header_sign_in(page):
    links = [html.unescape(h) for h in re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"',
                                                  page)]
    return [link for link in links if link.split("?")[0] == "/login"]


def test_the_header_sign_in_leads_back_to_the_page(client, reference):
    """A visitor searching the public library signs in from the header: back to the search,
    not to the home page."""
    listing = "/resources/?q=guidelines&language=fr"
    (sign_in,) = header_sign_in(client.get(listing).get_data(as_text=True))
    assert parse_qs(urlsplit(sign_in).query)["next"] == [listing]
    (plain,) = header_sign_in(client.get("/resources/").get_data(as_text=True))
    assert parse_qs(urlsplit(plain).query)["next"] == ["/resources/"]


def test_the_sign_in_page_keeps_where_it_leads_in_another_language(client, create_user):
    deep = "/registry/?q=Zo%C3%AB+M%C3%BCller&status=ended"
    login_page = client.get(deep).headers["Location"]
    page = client.get(login_page).get_data(as_text=True)
    assert header_sign_in(page) == ["/login"]  # the page itself: nowhere else to lead
    switched = client.get(re.search(r'href="([^"]+)" lang="ar"', page).group(1).replace(
        "&amp;", "&"))
    assert '<html lang="ar"' in switched.get_data(as_text=True)
    assert switched.request.args["next"] == parse_qs(urlsplit(login_page).query)["next"][0]


def test_post_without_csrf_token_is_refused(client, create_user, app, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    create_user("fp@example.org")
    response = client.post("/login", data={"email": "fp@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert b"The form has expired" in response.data
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_sixth_wrong_password_within_a_minute_is_rate_limited(client, create_user):
    create_user("fp@example.org")
    for _ in range(5):
        assert login(client, "fp@example.org", "wrong password").status_code == 200
    response = login(client, "fp@example.org", "wrong password")
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    assert re.search(r"please wait (\d+ seconds|1 minute) before", response.get_data(as_text=True))
    french = client.post("/login?lang=fr", data={"email": "fp@example.org", "password": "x"})
    assert re.search(r"veuillez patienter (\d+ secondes|1 minute) avant",
                     french.get_data(as_text=True))
    # Even the right password waits until the minute is over.
    assert login(client, "fp@example.org").status_code == 429


def test_successful_logins_do_not_count_against_the_limit(client, create_user):
    create_user("fp@example.org")
    for _ in range(7):
        assert login(client, "fp@example.org").status_code == 302
        client.post("/logout")


def test_reset_request_gives_the_same_answer_for_any_address(client, create_user, app):
    create_user("fp@example.org")
    known = client.post("/password/reset", data={"email": "fp@example.org"},
                        follow_redirects=True)
    unknown = client.post("/password/reset", data={"email": "nobody@example.org"},
                          follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    assert b"If an active account uses this address" in known.data
    assert known.data.replace(b"fp@example.org", b"") == \
        unknown.data.replace(b"nobody@example.org", b"")
    with app.app_context():
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == \
            ["fp@example.org"]


# An address pasted from a document or an email: a right-to-left or left-to-right mark, a
# zero-width space, a byte-order mark or a no-break space comes with it.
PASTED = ["fp@example.org\u200f", "\u200efp@example.org", "\u200bfp@example.org\u200b",
          "\ufefffp@example.org", "fp@example.org\u00a0"]


@pytest.mark.parametrize("typed", PASTED)
def test_an_address_pasted_with_invisible_marks_signs_in(client, create_user, typed):
    create_user("fp@example.org")
    assert login(client, typed).status_code == 302
    assert client.get("/me").status_code == 200


@pytest.mark.parametrize("typed", PASTED)
def test_a_reset_asked_for_an_address_pasted_with_invisible_marks_is_sent(
        client, create_user, app, typed):
    """The form refused it ("Enter a valid email address."), though the address is right."""
    create_user("fp@example.org")
    response = client.post("/password/reset", data={"email": typed})
    assert "Enter a valid email address." not in response.get_data(as_text=True)
    assert response.status_code == 302
    response.close()  # the work that follows the answer
    with app.app_context():
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == \
            ["fp@example.org"]


def test_reset_link_flow(client, create_user, app):
    create_user("fp@example.org")
    # Closing the answer, as a server does once it is sent, runs the work that follows it.
    client.post("/password/reset", data={"email": "fp@example.org"}).close()
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage)).one().body_text
    path = "/password/reset/" + body.split("/password/reset/")[1].split()[0]
    assert client.get(path).status_code == 200
    mismatch = client.post(path, data={"password": "new password 123",
                                       "confirm": "new password 124"})
    assert b"The two passwords are not the same." in mismatch.data
    done = client.post(path, data={"password": "new password 123",
                                   "confirm": "new password 123"})
    assert done.status_code == 302
    assert login(client, "fp@example.org", "new password 123").status_code == 302
    client.post("/logout")
    # Single use: opened again, it sends its owner to sign in (see below), changing nothing.
    again = client.post(path, data={"password": "other password 456",
                                    "confirm": "other password 456"})
    assert again.status_code == 302 and again.headers["Location"] == "/login"
    assert login(client, "fp@example.org", "other password 456").status_code == 200
    assert login(client, "fp@example.org", "new password 123").status_code == 302


def _reset_link(client, app):
    client.post("/password/reset", data={"email": "fp@example.org"}).close()
    with app.app_context():
        body = db.session.scalars(select(OutboxMessage)).one().body_text
    return "/password/reset/" + body.split("/password/reset/")[1].split()[0]


def test_a_reset_sent_again_says_the_password_was_changed(client, create_user, app):
    """The browser's back-and-resubmit, a retry after a timeout, the link opened again from
    the email: the password was changed by the first sending, which the person is told, in
    their language, rather than asked for a new link."""
    create_user("fp@example.org", locale="fr")
    path = _reset_link(client, app)  # in French, as the email is
    new = {"password": "new password 123", "confirm": "new password 123"}
    assert client.post(path, data=new).status_code == 302
    for send_again in (lambda: client.post(path, data=new), lambda: client.get(path)):
        again = send_again()
        assert again.status_code == 302 and again.headers["Location"] == "/login"
        html = client.get("/login").get_data(as_text=True)
        assert "Votre mot de passe a été modifié. Connectez-vous avec le nouveau mot de passe." \
            in html
    assert login(client, "fp@example.org", "new password 123").status_code == 302


def test_a_retired_or_expired_reset_link_still_asks_for_a_new_one(client, create_user, app):
    create_user("fp@example.org")
    retired = _reset_link(client, app)
    with app.app_context():
        db.session.execute(OutboxMessage.__table__.delete())
        db.session.commit()
    used = _reset_link(client, app)  # the new link retires the first one
    assert client.get(retired).status_code == 404
    new = {"password": "new password 123", "confirm": "new password 123"}
    assert client.post(used, data=new).status_code == 302
    with app.app_context():
        for token in db.session.scalars(select(AccountToken)):
            token.expires_at = token.used_at
        db.session.commit()
    assert client.post(used, data=new).status_code == 404


def _mailed_path(app, template, path):
    """The path, with its query, of the link to `path` in the last `template` email."""
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage).filter_by(template=template)
                                     .order_by(OutboxMessage.id.desc())).first()
        return message.locale, re.search(path + r"\S+", message.body_text).group(0)


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_the_activation_link_opens_in_the_language_of_the_invitation(app, client, reference,
                                                                     language):
    """Opened from a mail program (no cookie of the portal, an English browser), the page
    of a link mailed in French showed in English."""
    with app.app_context():
        services.invite_user({"email": "nadia@example.org", "given_name": "Nadia",
                              "family_name": "Haddad", "roles": ["focal_point"],
                              "locale": language, "time_zone": "Asia/Amman"}, actor=None)
        db.session.commit()
    locale, path = _mailed_path(app, "activate_account", "/activate/")
    assert locale == language and path.endswith(f"?lang={language}")
    assert f'<html lang="{language}"' in client.get(path).get_data(as_text=True)
    form = {"password": "a long enough password", "confirm": "a long enough password"}
    assert client.post(path, data=form).status_code == 302


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_password_reset_link_opens_in_the_language_of_the_email(app, client, create_user,
                                                                   language):
    create_user("nadia@example.org", locale=language)
    with app.app_context():
        services.request_password_reset("nadia@example.org")
        db.session.commit()
    locale, path = _mailed_path(app, "reset_password", "/password/reset/")
    assert locale == language and path.endswith(f"?lang={language}")
    assert f'<html lang="{language}"' in client.get(path).get_data(as_text=True)
    form = {"password": "new password 123", "confirm": "new password 123"}
    assert client.post(path, data=form).status_code == 302


def test_unknown_activation_link_is_404(client):
    response = client.get("/activate/not-a-token")
    assert response.status_code == 404
    assert b"invalid or has expired" in response.data


def test_security_headers_and_cookie_flags(client, create_user):
    create_user("fp@example.org")
    response = login(client, "fp@example.org")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from config import ProductionConfig

    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


def test_preferences_change_language_and_time_zone(client, login_as, app):
    user_id = login_as("focal_point")
    response = client.post("/me", data={"prefs-locale": "es", "prefs-time_zone": "Asia/Tokyo",
                                        "prefs-submit": "1"})
    assert response.status_code == 302
    html = client.get("/me").get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in html
    from gfp_portal.accounts.models import User

    with app.app_context():
        user = db.session.get(User, user_id)
        assert (user.locale, user.time_zone) == ("es", "Asia/Tokyo")
        assert user.person.time_zone == "Asia/Tokyo"


def test_unknown_time_zone_is_refused(client, login_as):
    login_as("focal_point")
    response = client.post("/me", data={"prefs-locale": "es", "prefs-time_zone": "Mars/Olympus",
                                        "prefs-submit": "1"})
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data or b"aria-invalid" in response.data


def test_password_change_keeps_this_session(client, login_as):
    login_as("focal_point")
    response = client.post("/me", data={"pw-current_password": PASSWORD,
                                        "pw-password": "a new long password",
                                        "pw-confirm": "a new long password",
                                        "pw-submit": "1"})
    assert response.status_code == 302
    assert client.get("/me").status_code == 200


def test_password_change_signs_out_other_sessions(app, create_user):
    create_user("fp@example.org")
    first, second = app.test_client(), app.test_client()
    login(first, "fp@example.org")
    login(second, "fp@example.org")
    first.post("/me", data={"pw-current_password": PASSWORD, "pw-password": "a new long password",
                            "pw-confirm": "a new long password", "pw-submit": "1"})
    assert first.get("/me").status_code == 200
    assert second.get("/me").status_code == 302


@pytest.mark.parametrize("cookie", ["session", "remember_token"])
def test_cookies_copied_before_logout_no_longer_sign_in(app, create_user, cookie):
    create_user("fp@example.org")
    browser = app.test_client()
    browser.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                 "remember": "y"})
    copied = browser.get_cookie(cookie, domain="portal.test")
    assert copied is not None and browser.get("/me").status_code == 200
    thief = app.test_client()
    thief.set_cookie(cookie, copied.value, domain="portal.test")
    assert thief.get("/me").status_code == 200  # the copy works while the session lasts
    thief.delete_cookie(cookie, domain="portal.test")
    assert browser.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie(cookie, copied.value, domain="portal.test")
    response = replay.get("/me")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _queries_of_me(client, count_queries):
    with count_queries() as counted:
        html = client.get("/me").get_data(as_text=True)
    return counted.count, html


def test_me_reads_in_a_fixed_number_of_queries_whatever_the_appointments(
        client, app, reference, login_as, count_queries):
    """The person's entity, duty station and every appointment's team are read with the
    page, not one query for each as the template reaches them."""
    from gfp_portal.accounts.models import User
    from gfp_portal.reference.models import DutyStation
    from gfp_portal.registry import services as registry
    from tests.helpers import entity, unct

    user_id = login_as("focal_point")
    with app.app_context():
        teams = [unct(code) for code in ("KEN", "UGA", "JOR", "BGD")]
        for team in teams:
            team.members.append(entity("UNDP"))
        person = db.session.get(User, user_id).person
        person.entity = entity("UNDP")
        person.duty_station = DutyStation(city="Nairobi", country_iso3="KEN",
                                          time_zone="Africa/Nairobi")
        registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                  "unct": unct("KEN")}, actor=None)
        db.session.commit()
    one, html = _queries_of_me(client, count_queries)
    assert "Kenya" in html
    with app.app_context():
        person = db.session.get(User, user_id).person
        for code in ("UGA", "JOR", "BGD"):
            registry.appoint(person, {"role": "alternate", "entity": entity("UNDP"),
                                      "unct": unct(code)}, actor=None)
        db.session.commit()
    four, html = _queries_of_me(client, count_queries)
    assert "Uganda" in html and "Jordan" in html and "Bangladesh" in html
    assert four == one


def test_a_second_click_on_activate_welcomes_instead_of_saying_the_link_is_invalid(
        app, client, create_user):
    """The first click activated the account and signed the person in; the second said the
    link was invalid or had expired (a 404). Anyone else opening the used link still sees
    that it is."""
    user_id = create_user("amina@example.org", active=False)
    with app.app_context():
        raw = services.issue_token(db.session.get(User, user_id), TokenPurpose.activation)
        db.session.commit()
    form = {"password": "a long enough password", "confirm": "a long enough password"}
    assert client.post(f"/activate/{raw}", data=form).status_code == 302
    second = client.post(f"/activate/{raw}", data=form, follow_redirects=True)
    assert second.status_code == 200 and "Your account is active" in second.get_data(
        as_text=True)
    assert app.test_client().get(f"/activate/{raw}").status_code == 404


def test_a_password_change_keeps_this_device_signed_in_when_it_was_kept(app, create_user):
    """Signed in with "Keep me signed in", then the password changed on /me: the device's
    cookie held the former session token, so closing the browser signed the person out."""
    create_user("fp@example.org")
    browser = app.test_client()
    browser.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                 "remember": "y"})
    assert browser.post("/me", data={"pw-current_password": PASSWORD,
                                     "pw-password": "a new long password",
                                     "pw-confirm": "a new long password",
                                     "pw-submit": "1"}).status_code == 302
    browser.delete_cookie("session", domain="portal.test")  # the browser was closed
    assert browser.get("/me").status_code == 200
    other = app.test_client()  # signed in without it: not kept
    other.post("/login", data={"email": "fp@example.org", "password": "a new long password"})
    other.post("/me", data={"pw-current_password": "a new long password",
                            "pw-password": "another long password",
                            "pw-confirm": "another long password", "pw-submit": "1"})
    other.delete_cookie("session", domain="portal.test")
    assert other.get("/me").status_code == 302


def test_replacing_the_calendar_address_is_confirmed_first_but_the_first_is_not(
        app, client, reference, create_user):
    """The first subscription address is created at one click; a new one stops the current
    address in every calendar application subscribed to it, so it is confirmed first."""
    user_id = create_user("fp@example.org", roles=["focal_point"])
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, user_id))
        db.session.commit()
    login(client, "fp@example.org")

    def feed_address():
        with app.app_context():
            return db.session.get(User, user_id).calendar_token_hash

    first_page = client.post("/me/calendar")  # the first: nothing to stop, shown at once
    assert first_page.status_code == 200
    assert "Your subscription address (shown only now; copy it):" in \
        first_page.get_data(as_text=True)
    first = feed_address()
    assert first is not None
    page = client.post("/me/calendar")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'name="confirmed"' in html
    assert "Your current subscription address stops working at once in every calendar " \
        "application subscribed to it" in html
    assert feed_address() == first
    replaced = client.post("/me/calendar", data={"confirmed": "1"})
    assert replaced.status_code == 200 and "/calendar/" in replaced.get_data(as_text=True)
    assert feed_address() not in (None, first)


@pytest.mark.parametrize(("length", "said"), [(12, "At least 12 characters."),
                                                (1, "At least 1 character.")])
def test_the_password_field_states_the_length_the_portal_asks(
        app, client, create_user, monkeypatch, length, said):
    """The hint under a new password gives PASSWORD_MIN_LENGTH, the length that setting a
    password refuses below, not a number of its own."""
    create_user("fp@example.org")
    login(client, "fp@example.org")
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", length)
    page = client.get("/me").get_data(as_text=True)
    assert said + " A short sentence is easy to remember." in page
    assert "At least 10 characters" not in page


def _controls(html):
    return {e.attrs["name"]: e for e in parse(html)
            if e.tag in ("input", "select", "textarea") and e.attrs.get("name")}


def _tokens(element):
    return element.attrs.get("autocomplete", "").split()


def test_sign_in_and_reset_request_name_what_a_password_manager_fills(client):
    """WCAG 2.1 SC 1.3.5: the purpose of each field is named by its autofill token."""
    login_page = _controls(client.get("/login").get_data(as_text=True))
    assert _tokens(login_page["email"]) == ["username"]
    assert _tokens(login_page["password"]) == ["current-password"]
    reset = _controls(client.get("/password/reset").get_data(as_text=True))
    assert _tokens(reset["email"]) == ["email"]


def test_a_password_set_by_link_is_a_new_password_of_the_account(app, client, create_user):
    """The pages of an activation or reset link tell a password manager that the password is
    a new one, and for which account (a field it reads, not shown)."""
    user_id = create_user("new@example.org", active=False)
    with app.app_context():
        raw = services.issue_token(db.session.get(User, user_id), TokenPurpose.activation)
        db.session.commit()
    create_user("fp@example.org")
    for path, email in ((f"/activate/{raw}", "new@example.org"),
                        (_reset_link(client, app), "fp@example.org")):
        fields = _controls(client.get(path).get_data(as_text=True))
        for name in ("password", "confirm"):
            assert _tokens(fields[name]) == ["new-password"], (path, name)
        account = fields["username"]
        assert _tokens(account) == ["username"] and "hidden" in account.attrs
        assert account.attrs["value"] == email


def test_the_password_change_on_me_tells_current_from_new_for_the_account(
        client, create_user):
    create_user("fp@example.org")
    login(client, "fp@example.org")
    page = client.get("/me").get_data(as_text=True)
    fields = _controls(page)
    assert _tokens(fields["pw-current_password"]) == ["current-password"]
    assert _tokens(fields["pw-password"]) == ["new-password"]
    assert _tokens(fields["pw-confirm"]) == ["new-password"]
    account = fields["pw-username"]
    assert _tokens(account) == ["username"] and "hidden" in account.attrs
    assert account.attrs["value"] == "fp@example.org"
    # Whatever is sent under its name, the password of the account signed in is changed.
    assert client.post("/me", data={"pw-username": "other@example.org",
                                    "pw-current_password": PASSWORD,
                                    "pw-password": "a new long password",
                                    "pw-confirm": "a new long password",
                                    "pw-submit": "1"}).status_code == 302
    client.post("/logout")
    assert login(client, "fp@example.org", "a new long password").status_code == 302


def test_my_profile_names_my_own_phone_and_position(client, create_user):
    create_user("fp@example.org")
    login(client, "fp@example.org")
    fields = _controls(client.get("/me?lang=ar").get_data(as_text=True))
    assert fields["profile-phone"].attrs["type"] == "tel"
    assert _tokens(fields["profile-phone"]) == ["tel"]
    assert _tokens(fields["profile-position_title"]) == ["organization-title"]
