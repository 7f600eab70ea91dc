"""Locale choice, right-to-left layout and names in the viewer's language."""
import html
import re

import pytest

from tests.helpers import login


@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("fr", "ltr"), ("es", "ltr"),
                                             ("ar", "rtl")])
def test_lang_parameter_sets_lang_and_dir(client, lang, direction):
    html = client.get(f"/login?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    stylesheet = "bootstrap.rtl.min.css" if direction == "rtl" else "bootstrap.min.css"
    assert stylesheet in html


def test_chosen_language_is_remembered(client):
    client.get("/login?lang=ar")
    assert '<html lang="ar" dir="rtl">' in client.get("/login").get_data(as_text=True)


def test_accept_language_is_used_when_nothing_else_says(client):
    html = client.get("/login", headers={"Accept-Language": "es-CO,es;q=0.9,en;q=0.5"})
    assert '<html lang="es"' in html.get_data(as_text=True)


def test_unsupported_language_falls_back_to_english(client):
    html = client.get("/login?lang=zz", headers={"Accept-Language": "de"})
    assert '<html lang="en"' in html.get_data(as_text=True)


def test_signed_in_users_preference_beats_the_browser(client, create_user):
    create_user("fp@example.org", locale="fr")
    login(client, "fp@example.org")
    html = client.get("/me", headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert '<html lang="fr"' in html


@pytest.mark.parametrize("path", ["/entities/A%3FB", "/entities/A%23B", "/entities/100%25",
                                  "/coverage/K%3FN", "/entities/%C3%89%20X"])
def test_the_language_switcher_leads_to_the_same_page(client, reference, create_user, path):
    """The path of an address that holds an encoded ?, # or % is written encoded again: the
    decoded path made /entities/A%3FB's link /entities/A?B?lang=fr."""
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    page = client.get(f"{path}?q=x").get_data(as_text=True)
    href = html.unescape(re.search(r'href="([^"]+)"[^>]*data-lang="fr"', page).group(1))
    assert href == f"{path}?q=x&lang=fr"


@pytest.mark.parametrize("lang, text", [
    ("fr", "Page introuvable"), ("es", "Página no encontrada"), ("ar", "الصفحة غير موجودة"),
])
def test_error_pages_are_translated(client, lang, text):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    assert text in response.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["fr", "es", "ar"])
def test_login_page_has_no_english_left(client, lang):
    english = client.get("/login?lang=en").get_data(as_text=True)
    translated = client.get(f"/login?lang={lang}").get_data(as_text=True)
    for phrase in ("Sign in to the GFP Portal", "Forgot your password?", "Email address",
                   "Skip to main content", "Keep me signed in on this device"):
        assert phrase in english and phrase not in translated


def test_country_names_follow_the_viewer(ctx, app):
    from gfp_portal.reference.countries import country_name

    assert country_name("CIV", "fr") == "Côte d’Ivoire"
    assert country_name("KEN", "ar") == "كينيا"
    assert country_name("KEN", "es") == "Kenya"   # the UN's Spanish name (CLDR has "Kenia")


@pytest.mark.parametrize("lang, people, items", [
    ("en", "1,234 people match these filters.", "12,345 items"),
    ("fr", "1\u202f234 personnes correspondent à ces filtres.", "12\u202f345 éléments"),
])
def test_counts_in_sentences_are_grouped_as_the_viewers_language_writes_numbers(
        app, lang, people, items):
    """A count put in a sentence, by the code or by a template, reads as every other number
    of the page: 1,234 in English, 1 234 in French."""
    from flask import render_template_string
    from flask_babel import lazy_ngettext, ngettext

    with app.test_request_context(f"/?lang={lang}"):
        assert ngettext("%(num)s person matches these filters.",
                        "%(num)s people match these filters.", 1234) == people
        assert str(lazy_ngettext("%(num)s person matches these filters.",
                                 "%(num)s people match these filters.", 1234)) == people
        assert render_template_string(
            '{{ ngettext("%(num)s item", "%(num)s items", 12345) }}') == items
