"""The error pages as people meet them: with the entries of a form the portal did not take
offered back (#kept-entries, static/js/entries.js: any page without the offer makes the
browser forget what was typed), and with the headers the error carries (a 405's Allow)."""
import pytest
from flask import render_template
from werkzeug.exceptions import BadRequest, InternalServerError

from gfp_portal.registry import services as registry
from tests.helpers import login
from tests.markup import filled_form


@pytest.fixture
def real_errors(app, monkeypatch):
    """What a person gets in production: the error page, not the exception."""
    monkeypatch.setattr(app, "testing", False)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


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
                                             ("errors/400.html", BadRequest())])
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
