"""The header's language switch on a page answering a form (a confirmation, a refused form,
"You are no longer signed in", an error page): it leads to that page, or the page the form
was on, in the other language, never to "405 Method not allowed"; a confirmation is shown
again without being confirmed, and a refused form comes back with what was typed, unsaved."""
import pytest
from sqlalchemy import func, select

from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from tests.helpers import login, switch_to


def test_the_approval_confirmation_comes_back_in_french(app, client, kenya_nomination):
    assert login(client, "coord@example.org").status_code == 302
    confirmation = client.post(f"/nominations/{kenya_nomination['id']}/approve", data={})
    assert confirmation.status_code == 200

    switched = switch_to(client, confirmation.get_data(as_text=True), "fr")

    assert switched.status_code == 200
    page = switched.get_data(as_text=True)
    assert '<html lang="fr"' in page and "data-confirmation" in page
    assert 'name="confirmed" value="1"' not in page.split("data-language-switch")[1].split(
        "</form>")[0]


@pytest.mark.parametrize("referer", [None, "http://elsewhere.example/x", "/sessions/1/withdraw"])
def test_without_a_page_to_go_back_to_the_switch_leads_home(app, client, kenya_nomination,
                                                            monkeypatch, referer):
    """A page answering a form that cannot be sent again (its token refused), with no Referer,
    one of another site, or the address of a form (POST only): the home page."""
    assert login(client, "coord@example.org").status_code == 302
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    headers = {"Referer": "http://portal.test" + referer if referer.startswith("/") else referer
               } if referer else {}
    refused = client.post(f"/nominations/{kenya_nomination['id']}/reject",
                          data={"text": "Out of scope."}, headers=headers)
    assert refused.status_code == 400

    switched = switch_to(client, refused.get_data(as_text=True), "es")

    assert switched.status_code == 200 and switched.request.path == "/"


def test_a_form_whose_token_was_refused_switches_to_the_page_it_was_sent_from(
        app, client, kenya_nomination, monkeypatch):
    assert login(client, "coord@example.org").status_code == 302
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    detail = f"/nominations/{kenya_nomination['id']}"
    refused = client.post(f"{detail}/reject", data={"text": "Out of scope."},
                          headers={"Referer": f"http://portal.test{detail}"})
    assert refused.status_code == 400

    switched = switch_to(client, refused.get_data(as_text=True), "ar")

    assert switched.status_code == 200 and switched.request.path == detail
    assert '<html lang="ar"' in switched.get_data(as_text=True)


ENTRIES = {"given_name": "Ngozi-Typed", "family_name": "", "email": "ngozi.typed@undp.org",
           "entity": "UNDP", "position_title": "Gender specialist typed",
           "preferred_language": "en", "time_zone": "UTC"}


def typed_people(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.given_name == "Ngozi-Typed"))


@pytest.mark.parametrize("lang, other", [("en", "fr"), ("ar", "en")])
def test_a_refused_form_comes_back_in_the_other_language_with_the_entries(
        app, client, reference, login_as, lang, other):
    login_as("coordinator")
    client.get(f"/?lang={lang}")
    refused = client.post("/registry/people/new", data=ENTRIES)
    assert "Ngozi-Typed" in refused.get_data(as_text=True)

    switched = switch_to(client, refused.get_data(as_text=True), other)

    assert switched.status_code == 200
    page = switched.get_data(as_text=True)
    assert f'<html lang="{other}"' in page
    assert "Ngozi-Typed" in page and "Gender specialist typed" in page
    assert 'aria-invalid="true"' in page  # the family name is still said to be missing
    assert typed_people(app) == 0


def test_the_language_switch_never_saves_a_form_that_would_pass(app, client, reference,
                                                                login_as):
    """Entries that would be saved, sent by the switch (lang_only): shown, never saved."""
    login_as("coordinator")
    page = client.post("/registry/people/new", data=ENTRIES).get_data(as_text=True)
    form = page.split("data-language-switch")[1].split("</form>")[0]
    assert 'name="lang_only" value="1"' in form
    switched = client.post("/registry/people/new?lang=fr",
                           data={**ENTRIES, "family_name": "Okafor", "lang_only": "1"})
    assert switched.status_code == 200
    assert typed_people(app) == 0


def test_a_password_is_never_written_into_the_language_switch(client, reference, login_as):
    login_as("coordinator")
    page = client.post("/me", data={"pw-current_password": "secret-typed-1",
                                    "pw-password": "new-secret-typed-2", "pw-confirm": "x",
                                    "pw-submit": "1"}).get_data(as_text=True)
    assert "secret-typed" not in page


def test_the_signed_out_page_switches_to_the_page_the_form_was_on(app, client, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    assert login(client, "coord@example.org").status_code == 302
    other_device = app.test_client()
    assert login(other_device, "coord@example.org").status_code == 302
    other_device.post("/logout", data={})
    listing = "/admin/outbox/?status=failed"
    refused = client.post("/admin/outbox/1/retry", data={},
                          headers={"Referer": f"http://portal.test{listing}"})
    assert refused.status_code == 403

    switched = switch_to(client, refused.get_data(as_text=True), "fr")

    assert switched.status_code == 200
    assert switched.request.path == "/login"
    assert switched.request.args["next"].endswith(listing + "&lang=fr")


def test_a_form_too_large_switches_to_the_page_it_was_sent_from(app, client, login_as,
                                                                 monkeypatch):
    """The 413 page answers the POST: the switch leads to the form's page, by GET."""
    login_as("coordinator")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    refused = client.post("/registry/people/new", data={"given_name": "x" * 4096},
                          headers={"Referer": "http://portal.test/registry/people/new"})
    assert refused.status_code == 413

    switched = switch_to(client, refused.get_data(as_text=True), "ar")

    assert switched.status_code == 200 and switched.request.path == "/registry/people/new"
    assert '<html lang="ar"' in switched.get_data(as_text=True)
