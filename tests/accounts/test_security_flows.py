"""The account's security flows as a careful reviewer checks them (OWASP ASVS level 2, V2 and
V3): a new session at sign-in, sign-out only by a form of the portal, the person told of a
new password, the Office's deactivation ending everything at once, cookies, redirects, logs."""
import json
import logging
import re
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from config import ProductionConfig
from gfp_portal.accounts import services
from gfp_portal.accounts import views as accounts_views
from gfp_portal.accounts.models import TokenPurpose, User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from tests.helpers import PASSWORD, appoint_undp_alternate, csrf_token_from, login

NEW = "a new long password"


def _mails(app, recipient):
    with app.app_context():
        return [(m.template, m.locale) for m in db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == recipient)
            .order_by(OutboxMessage.id))]


# --- a new session at sign-in (V3.2.1) ----------------------------------------------------------

def _session_of(client):
    with client.session_transaction() as session:
        return dict(session)


def test_signing_in_starts_a_new_session(client, create_user, app, monkeypatch):
    """What the browser held before signing in (the form token a page planted, anything a
    visitor's session carried) does not pass into the signed-in session: a cookie fixed in
    the browser beforehand gives no hold on it."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    create_user("fp@example.org")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    before = _session_of(client)
    assert before.get("csrf_token")
    assert client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    after = _session_of(client)
    assert "planted" not in after
    assert after.get("csrf_token") != before["csrf_token"]
    assert client.get("/me").status_code == 200


def test_signing_out_forgets_the_device_and_keeps_the_language(app, client, create_user):
    """The form token stays: a form sent from another tab is told its sender signed out
    (tests/core/test_signed_out_forms.py)."""
    create_user("fp@example.org")
    client.get("/login?lang=es")
    client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                "remember": "y"})
    assert client.get_cookie("remember_token", domain="portal.test") is not None
    assert client.post("/logout").status_code == 302
    assert client.get_cookie("remember_token", domain="portal.test") is None
    assert '<html lang="es"' in client.get("/login").get_data(as_text=True)


def test_signing_in_keeps_the_language_chosen(client, create_user):
    create_user("fp@example.org")
    client.get("/login?lang=fr")
    assert login(client, "fp@example.org").status_code == 302
    assert '<html lang="fr"' in client.get("/me").get_data(as_text=True)


def test_activation_starts_a_new_session(app, client, create_user):
    user_id = create_user("amina@example.org", active=False)
    with app.app_context():
        raw = services.issue_token(db.session.get(User, user_id), TokenPurpose.activation)
        db.session.commit()
    client.get(f"/activate/{raw}")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    form = {"password": "a long enough password", "confirm": "a long enough password"}
    assert client.post(f"/activate/{raw}", data=form).status_code == 302
    assert "planted" not in _session_of(client)
    assert client.get("/me").status_code == 200


# --- CSRF on every form, sign-out included ------------------------------------------------------

def test_sign_out_without_the_form_token_signs_nobody_out(client, create_user, app,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    create_user("fp@example.org")
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    assert client.post("/logout").status_code in (302, 400)
    assert client.get("/me").status_code == 200
    token = csrf_token_from(client.get("/me").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/me").status_code == 302


def _sample(rule):
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        values[name] = 1 if isinstance(converter, IntegerConverter) else \
            (sorted(converter.items)[0] if hasattr(converter, "items") else "x")
    return values


def test_every_form_a_signed_in_admin_sends_without_its_token_is_refused(
        app, client, create_user, monkeypatch):
    """Every route that takes a POST refuses one without the form token (400), before it
    changes anything; the one exemption is the one-click unsubscribe of RFC 8058."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", False)
    create_user("admin@example.org", roles=["admin"])
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": "admin@example.org", "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    accepted = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "messages.unsubscribe":
            continue
        with app.test_request_context():
            path = url_for(rule.endpoint, **_sample(rule))
        path = path.replace("http://portal.test", "")
        status = client.post(path, data={"x": "1"}).status_code
        if status not in (400, 404, 405):
            accepted.append((rule.rule, status))
    assert accepted == []
    assert client.get("/me").status_code == 200


# --- the password: changed, reset --------------------------------------------------------------

def test_a_password_change_is_told_to_the_person(client, create_user, app):
    """ASVS V2.2.3: someone who changed the password with a session of theirs (a computer
    left open) is noticed by the person, by email, in their language."""
    create_user("fp@example.org", locale="fr")
    login(client, "fp@example.org")
    assert client.post("/me", data={"pw-current_password": PASSWORD, "pw-password": NEW,
                                    "pw-confirm": NEW, "pw-submit": "1"}).status_code == 302
    assert ("password_changed", "fr") in _mails(app, "fp@example.org")


def test_a_password_reset_is_told_to_the_person(client, create_user, app):
    create_user("fp@example.org", locale="es")
    with app.app_context():
        raw = services.request_password_reset("fp@example.org")
        db.session.commit()
    assert client.post(f"/password/reset/{raw}", data={"password": NEW, "confirm": NEW}
                       ).status_code == 302
    assert _mails(app, "fp@example.org") == [("reset_password", "es"),
                                             ("password_changed", "es")]


def test_the_current_password_on_me_is_not_guessed_without_end(client, create_user, app):
    """The form that changes the password checks the current one: a session left open is not
    a way to try passwords one after another (ASVS V2.2.1), any more than the sign-in page."""
    create_user("fp@example.org")
    login(client, "fp@example.org")
    wrong = {"pw-current_password": "not it", "pw-password": NEW, "pw-confirm": NEW,
             "pw-submit": "1"}
    statuses = [client.post("/me", data=wrong).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    right = {**wrong, "pw-current_password": PASSWORD}
    assert client.post("/me", data=right).status_code == 429
    # The rest of the page still works: the profile, the preferences; and another account
    # is not held back.
    assert client.get("/me").status_code == 200
    assert client.post("/me", data={**right, "lang_only": "1"}).status_code == 200
    assert client.post("/me", data={"prefs-locale": "es", "prefs-time_zone": "UTC",
                                    "prefs-submit": "1"}).status_code == 302
    create_user("colleague@example.org")
    colleague = app.test_client()
    login(colleague, "colleague@example.org")
    assert colleague.post("/me", data={**right, "pw-current_password": PASSWORD}
                          ).status_code == 302


def test_switching_the_language_of_a_refused_password_change_uses_up_no_tries(
        client, create_user):
    """The switch shows the refused form again in another language; it checks no password,
    so it neither counts against the tries nor is held back by them."""
    create_user("fp@example.org")
    login(client, "fp@example.org")
    wrong = {"pw-current_password": "not it", "pw-password": NEW, "pw-confirm": NEW,
             "pw-submit": "1"}
    assert [client.post("/me", data=wrong).status_code for _ in range(4)] == [200] * 4
    switched = [client.post("/me?lang=fr", data={**wrong, "lang_only": "1"}).status_code
                for _ in range(3)]
    assert switched == [200] * 3
    assert client.post("/me", data={**wrong, "pw-current_password": PASSWORD}
                       ).status_code == 302


def test_a_remember_me_cookie_stops_when_the_password_changes_elsewhere(app, create_user):
    create_user("fp@example.org")
    kept = app.test_client()
    kept.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                              "remember": "y"})
    remembered = kept.get_cookie("remember_token", domain="portal.test")
    other = app.test_client()
    login(other, "fp@example.org")
    other.post("/me", data={"pw-current_password": PASSWORD, "pw-password": NEW,
                            "pw-confirm": NEW, "pw-submit": "1"})
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered.value, domain="portal.test")
    assert fresh.get("/me").status_code == 302


def test_a_reset_link_stops_once_another_reset_or_a_change_sets_the_password(
        app, client, create_user):
    create_user("fp@example.org")
    with app.app_context():
        first = services.request_password_reset("fp@example.org")
        second = services.request_password_reset("fp@example.org")
        db.session.commit()
    assert client.get(f"/password/reset/{first}").status_code == 404
    assert client.post(f"/password/reset/{second}", data={"password": NEW, "confirm": NEW}
                       ).status_code == 302
    with app.app_context():
        third = services.request_password_reset("fp@example.org")
        user = services.find_user_by_email("fp@example.org")
        services.change_password(user, NEW, "another long password")
        db.session.commit()
    assert client.get(f"/password/reset/{third}").status_code == 404


def test_the_reset_page_keeps_its_link_to_itself(app, client, create_user):
    """The page that holds the link's token is never kept by a cache and never names it to
    another site (Referer)."""
    create_user("fp@example.org")
    with app.app_context():
        raw = services.request_password_reset("fp@example.org")
        db.session.commit()
    response = client.get(f"/password/reset/{raw}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Referrer-Policy"] in ("no-referrer", "same-origin",
                                                   "strict-origin-when-cross-origin",
                                                   "strict-origin")


# --- the same answer whoever is named ----------------------------------------------------------

@pytest.mark.parametrize("email, password", [
    ("fp@example.org", "wrong password"), ("nobody@example.org", PASSWORD),
    ("gone@example.org", PASSWORD), ("invited@example.org", PASSWORD)])
def test_a_refused_sign_in_says_the_same_whoever_is_named(client, create_user, email, password):
    create_user("fp@example.org")
    create_user("gone@example.org")
    create_user("invited@example.org", active=False)
    with client.application.app_context():
        gone = services.find_user_by_email("gone@example.org")
        services.deactivate_user(gone, actor=services.find_user_by_email("fp@example.org"))
        db.session.commit()
    response = login(client, email, password)
    assert response.status_code == 200

    def said(html, address):
        # The form's token carries the second it was made in: two answers may straddle one.
        return html.replace(csrf_token_from(html), "TOKEN").replace(address, "EMAIL")
    reference = login(client, "fp@example.org", "wrong password").get_data(as_text=True)
    assert said(response.get_data(as_text=True), email) == said(reference, "fp@example.org")


# --- the Office deactivates an account ---------------------------------------------------------

def test_deactivation_ends_every_session_and_the_feed_at_once(app, create_user, reference):
    create_user("admin@example.org", roles=["admin"])
    user_id = create_user("fp@example.org")
    with app.app_context():
        user = db.session.get(User, user_id)
        appoint_undp_alternate(user)
        raw = services.regenerate_calendar_token(user)
        db.session.commit()
    browser, kept = app.test_client(), app.test_client()
    login(browser, "fp@example.org")
    kept.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                              "remember": "y"})
    remembered = kept.get_cookie("remember_token", domain="portal.test")
    assert browser.get(f"/calendar/{raw}.ics").status_code == 200
    office = app.test_client()
    login(office, "admin@example.org")
    assert office.post(f"/admin/users/{user_id}/deactivate",
                       data={"confirmed": "1", "reason": "left"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).status == "deactivated"
    assert browser.get("/me").status_code == 302
    assert kept.get("/me").status_code == 302
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered.value, domain="portal.test")
    assert fresh.get("/me").status_code == 302
    assert fresh.get(f"/calendar/{raw}.ics").status_code == 404


# --- cookies and redirects ---------------------------------------------------------------------

def test_production_cookies_are_secure_http_only_and_same_site():
    for name in ("SESSION", "REMEMBER"):
        assert getattr(ProductionConfig, f"{name}_COOKIE_SECURE") is True
        assert getattr(ProductionConfig, f"{name}_COOKIE_HTTPONLY") is True
        assert getattr(ProductionConfig, f"{name}_COOKIE_SAMESITE") in ("Lax", "Strict")


def test_the_remember_me_cookie_is_http_only_and_same_site(client, create_user):
    create_user("fp@example.org")
    response = client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                           "remember": "y"})
    [remember] = [c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token=")]
    assert "HttpOnly" in remember and "SameSite=Lax" in remember


@pytest.mark.parametrize("target", [
    "https:evil.example", "/\t/evil.example", "\t//evil.example", " //evil.example",
    "/\\/evil.example", "\\\\evil.example", "///evil.example", "http://portal.test@evil.example",
    "//portal.test@evil.example", "/%0d%0aSet-Cookie:x=1", "\x7f//evil.example",
])
def test_next_never_leads_to_another_site(client, create_user, target):
    create_user("fp@example.org")
    response = client.post("/login", query_string={"next": target},
                           data={"email": "fp@example.org", "password": PASSWORD})
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "\\" not in location and "\n" not in location and "\r" not in location
    signed_in = client.get("/login", query_string={"next": target})
    assert signed_in.headers["Location"].startswith("/")
    assert not signed_in.headers["Location"].startswith("//")


# --- logs -------------------------------------------------------------------------------------

@pytest.mark.parametrize("logger", ["werkzeug", "gunicorn.access", "gfp_portal.app"])
def test_the_token_of_a_reset_link_never_reaches_a_log(app, caplog, logger):
    target = app.logger if logger == "gfp_portal.app" else logging.getLogger(logger)
    with caplog.at_level(logging.INFO):
        target.info('"%s %s HTTP/1.1" 200', "GET", "/password/reset/s3cr3t-T0ken_x?lang=fr")
    assert "s3cr3t" not in caplog.text and "/password/reset/[token]?lang=fr" in caplog.text


# --- an absolute end to a sign-in (V3.3.2) ------------------------------------------------------

@pytest.fixture
def clock(monkeypatch):
    """One clock for the cookie's own signature (itsdangerous reads time.time) and the
    portal's view of the time: moved forward by the test."""
    moment = {"now": datetime.now(UTC)}
    monkeypatch.setattr(time, "time", lambda: moment["now"].timestamp())
    monkeypatch.setattr(accounts_views, "utcnow", lambda: moment["now"], raising=False)
    return moment


def test_a_sign_in_kept_busy_still_ends_after_the_absolute_limit(app, client, create_user,
                                                                clock):
    """A session used every hour (each page view rewriting its cookie) does not live on for
    ever: 12 hours after signing in the person signs in again, told why, and is taken back
    to the page they asked for. The device kept ("Keep me signed in") does not sign them in
    again by itself."""
    create_user("fp@example.org")
    assert client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                       "remember": "y"}).status_code == 302
    for _ in range(11):
        clock["now"] += timedelta(hours=1)
        assert client.get("/me?lang=en").status_code == 200  # ?lang= rewrites the cookie
    clock["now"] += timedelta(minutes=59)
    assert client.get("/me").status_code == 200
    clock["now"] += timedelta(minutes=2)
    answer = client.get("/sessions/?q=bystander")
    assert answer.status_code == 302
    assert answer.location == "/login?next=%2Fsessions%2F%3Fq%3Dbystander"
    page = client.get(answer.location).get_data(as_text=True)
    assert "you are asked to sign in again every 12 hours" in page
    assert client.get_cookie("remember_token", domain="portal.test") is None
    assert client.get("/me").status_code == 302  # signed out, not signed in again
    again = login(client, "fp@example.org")
    assert again.status_code == 302
    assert client.get("/me").status_code == 200


def test_the_absolute_limit_is_a_setting_and_a_post_keeps_its_entries(app, client, create_user,
                                                                     clock, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_MAX_HOURS", 2)
    create_user("fp@example.org")
    login(client, "fp@example.org")
    clock["now"] += timedelta(hours=2, minutes=1)
    # A form sent after the end is offered back (core.auth.sign_in_first), nothing saved.
    answer = client.post("/me", data={"profile-phone": "+41 22 917 0000",
                                      "profile-submit": "1"})
    assert answer.status_code == 403
    assert "you are asked to sign in again every 2 hours" in answer.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(User)).one().person.phone is None


def test_a_device_kept_signed_in_starts_its_count_when_it_signs_in_again(app, client,
                                                                         create_user, clock):
    """A browser reopened signs in from the kept device's cookie: its session counts from
    then, and ends like any other."""
    create_user("fp@example.org")
    client.post("/login", data={"email": "fp@example.org", "password": PASSWORD,
                                "remember": "y"})
    clock["now"] += timedelta(days=2)
    client.delete_cookie("session", domain="portal.test")  # the browser closed
    assert client.get("/me").status_code == 200
    clock["now"] += timedelta(hours=11)
    assert client.get("/me?lang=en").status_code == 200
    clock["now"] += timedelta(hours=1, minutes=1)
    assert client.get("/me").status_code == 302


# --- what the session cookie carries (V3.2.3) ---------------------------------------------------

def test_the_calendar_feed_address_never_goes_into_the_session_cookie(app, client, reference,
                                                                      create_user):
    """Flask's session is a signed cookie anyone holding it can read: the feed's secret
    address, shown once, is never written into it (first address, then a new one)."""
    user_id = create_user("fp@example.org")
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, user_id))
        db.session.commit()
    login(client, "fp@example.org")
    for data in ({}, {"confirmed": "1"}):
        answer = client.post("/me/calendar", data=data)
        carried = json.dumps(_session_of(client))
        shown = client.get("/me") if answer.status_code == 302 else answer
        token = re.search(r"/calendar/([^<\s\"]+)\.ics", shown.get_data(as_text=True)).group(1)
        assert token not in carried
        assert "/calendar/" not in carried


# --- the address an account signs in with (V2.5, V3.7) ------------------------------------------

def test_a_person_cannot_change_the_address_they_sign_in_with_on_their_own_page(app, client,
                                                                                create_user):
    """/me has no email field: an address sent with the profile is ignored (the Office
    changes it, and the address left is told: tests/accounts/test_services.py)."""
    create_user("fp@example.org")
    login(client, "fp@example.org")
    assert 'name="profile-email"' not in client.get("/me").get_data(as_text=True)
    answer = client.post("/me", data={"profile-email": "taker@example.org",
                                      "profile-phone": "+41 22 917 0000", "profile-submit": "1"})
    assert answer.status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User)).one()
        assert (user.email, user.person.email) == ("fp@example.org", "fp@example.org")
        assert user.person.phone == "+41 22 917 0000"
    assert _mails(app, "taker@example.org") == []
