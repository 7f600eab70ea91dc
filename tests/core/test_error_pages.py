"""The error pages as people meet them: in their language also when the database is down
(a 503 that says to come back, with Retry-After), with the entries of a form the portal did
not take offered back (#kept-entries, static/js/entries.js: any page without the offer makes
the browser forget what was typed), and with the headers the error carries (a 405's Allow)."""
import pytest
from flask import render_template
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import BadRequest, InternalServerError

from gfp_portal.core.auth import public
from gfp_portal.extensions import db
from gfp_portal.registry import services as registry
from tests.helpers import login
from tests.markup import filled_form

UNAVAILABLE = {"en": "The portal is briefly unavailable",
               "fr": "Le portail est momentanément indisponible",
               "ar": "البوابة غير متاحة مؤقتًا"}


@pytest.fixture
def real_errors(app, monkeypatch):
    """What a person gets in production: the error page, not the exception."""
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture
def database_down(app):
    """Call it to make every new connection to the database fail, as when the server is down."""
    with app.app_context():
        engine = db.engine

    def refuse(*args, **kwargs):
        raise OperationalError("connect", {}, Exception("connection refused"))

    def stop():
        engine.dispose()
        event.listen(engine, "do_connect", refuse)
    yield stop
    if event.contains(engine, "do_connect", refuse):
        event.remove(engine, "do_connect", refuse)
    engine.dispose()


def check_unavailable(response, lang):
    page = response.get_data(as_text=True)
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"].isdigit()
    assert f'<html lang="{lang}"' in page
    assert UNAVAILABLE[lang] in page
    return page


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_a_signed_in_person_is_told_in_their_language_when_the_database_is_down(
        app, client, reference, create_user, real_errors, database_down, lang):
    """Reading the signed-in person failed, and so did the error page, which reads them
    again: the server's bare "Internal Server Error" in English was all that was left."""
    create_user("fp@example.org", locale=lang)
    assert login(client, "fp@example.org").status_code == 302
    database_down()
    response = client.get("/sessions/", headers={"Accept-Language": lang})
    page = check_unavailable(response, lang)
    assert "Internal Server Error" not in page


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_nobody_signed_in_is_told_when_the_database_is_down(
        client, reference, real_errors, database_down, lang):
    database_down()
    check_unavailable(client.get(f"/resources/?lang={lang}"), lang)


def test_a_form_sent_when_the_database_is_down_offers_its_entries_back(
        app, client, reference, create_user, real_errors, database_down):
    create_user("coord@example.org", roles=["coordinator"])
    assert login(client, "coord@example.org").status_code == 302
    data = filled_form(client.get("/registry/people/new").get_data(as_text=True), "given_name")
    database_down()
    page = check_unavailable(client.post("/registry/people/new", data=data), "en")
    assert 'id="kept-entries"' in page


def test_the_error_page_of_a_signed_in_person_shows_when_the_database_goes_away(
        app, client, reference, create_user, real_errors, database_down, monkeypatch):
    """A bug, and the database gone since the person was read: the page, which reads them
    again after the rollback, still shows, in the language the request asks for."""
    create_user("fp@example.org", locale="fr")
    assert login(client, "fp@example.org").status_code == 302

    @public
    def bug():
        database_down()
        raise RuntimeError("a bug")
    monkeypatch.setitem(app.view_functions, "main.index", bug)
    response = client.get("/", headers={"Accept-Language": "es"})
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert '<html lang="es"' in page and "Se ha producido un error" in page


def test_a_form_that_meets_a_server_error_offers_its_entries_back(
        app, client, reference, create_user, real_errors, monkeypatch):
    """The 500 page says "Nothing you entered was saved. Please try again": the entries the
    browser kept are offered back, as on the 413, 429 and expired-form pages."""
    create_user("coord@example.org", roles=["coordinator"])
    assert login(client, "coord@example.org").status_code == 302

    def bug(*args, **kwargs):
        raise RuntimeError("a bug")
    monkeypatch.setattr(registry, "create_person", bug)
    data = filled_form(client.get("/registry/people/new").get_data(as_text=True), "given_name")
    data.setlist("given_name", ["Amina"])
    data.setlist("family_name", ["Diallo"])
    data.setlist("email", ["amina@undp.org"])
    response = client.post("/registry/people/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert 'id="kept-entries"' in page and "Back to the form, with your entries" in page


def test_a_form_refused_as_not_understood_offers_its_entries_back(app, client, reference,
                                                                  create_user):
    create_user("coord@example.org", roles=["coordinator"])
    assert login(client, "coord@example.org").status_code == 302
    data = filled_form(client.get("/registry/people/new").get_data(as_text=True), "given_name")
    data.setlist("given_name", ["Amina\x00"])
    response = client.post("/registry/people/new", data=data)
    assert response.status_code == 400
    assert 'id="kept-entries"' in response.get_data(as_text=True)


@pytest.mark.parametrize("template, error", [("errors/500.html", InternalServerError()),
                                             ("errors/400.html", BadRequest()),
                                             ("errors/503.html", OperationalError("", {}, None))])
def test_a_page_asked_for_offers_no_entries(app, template, error):
    """Nothing was sent to keep: the offer would give back another form's old entries."""
    with app.test_request_context("/registry/people/new", method="GET"):
        page = render_template(template, error=error, code=500)
    assert 'id="kept-entries"' not in page


@pytest.mark.parametrize("url, method, allowed", [("/logout", "GET", {"POST"}),
                                                  ("/sessions/", "POST", {"GET", "HEAD"}),
                                                  ("/login", "DELETE", {"GET", "HEAD", "POST"})])
def test_a_method_not_allowed_says_which_are(client, reference, url, method, allowed):
    """RFC 9110 §15.5.6: a 405 carries the Allow header."""
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}
    assert response.mimetype == "text/html"
    assert "This action is not possible here" in response.get_data(as_text=True)
