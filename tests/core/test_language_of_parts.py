"""WCAG 3.1.2 (Language of Parts): words in another language than the page's carry their own
lang (and direction), so that a screen reader speaks them with the right voice: the names of
languages (each in its own language: "français", "العربية"), a session's English title shown
on an Arabic page for want of an Arabic one, an email's subject in its own language; and the
page's own words are not marked as another language.

Every page that answers each role is read once, in English and in Arabic, from the world of
the hostile-query sweep (one of everything a route can name), and kept for all the tests of
this module."""
import re

import pytest

from gfp_portal.core.i18n import language_label, language_name
from tests.core.test_hostile_queries import ROLES, world  # noqa: F401 — the fixture, reused
from tests.markup import parse

# The world's session has an English title and no other.
ENGLISH_ONLY = "Parity dashboard"
_PAGES = {}


def text(element):
    return " ".join(element.all_text().split())


def lang_of(element):
    """The language an element is in: its own lang, else its nearest ancestor's."""
    while element is not None:
        if "lang" in element.attrs:
            return element.attrs["lang"]
        element = element.parent
    return None


@pytest.fixture
def pages(request):
    """{(role, language, endpoint): html} of every GET page that answers 200 with HTML."""
    if not _PAGES:
        found = request.getfixturevalue("world")
        for role in ROLES:
            for language in ("en", "ar"):
                for endpoint, url in sorted(found["urls"].items()):
                    if endpoint == "accounts.logout":
                        continue
                    with found["clients"][role].get(url, query_string={"lang": language}) \
                            as response:
                        if response.status_code == 200 and response.mimetype == "text/html":
                            _PAGES[(role, language, endpoint)] = response.get_data(as_text=True)
    return _PAGES


def _unmarked_language_names(pages, language, *, options):
    names = {code: language_name(code) for code in ("en", "fr", "es", "ar")}
    found = set()
    for (_role, shown_in, endpoint), html in pages.items():
        if shown_in != language:
            continue
        for e in parse(html):
            if (e.tag == "option") != options or e.tag in ("title", "script"):
                continue
            own = " ".join(e.text.split())
            for code, name in names.items():
                if code != language and name in own and lang_of(e) != code:
                    found.add(f"{endpoint} <{e.tag}> {own[:50]!r} lang={lang_of(e)}")
    return sorted(found)


def test_the_name_of_a_language_is_marked_as_written_in_it(app):
    with app.test_request_context("/?lang=en"):
        assert language_label("ar") == '<span lang="ar" dir="rtl">العربية</span>'
        assert language_label("fr") == '<span lang="fr" dir="ltr">français</span>'


@pytest.mark.parametrize("language", ["en", "ar"])
def test_language_names_carry_their_language(pages, language):
    """The header's switcher marked each language's name; the same names elsewhere (the
    translation gaps' filters and "Missing" links, "Add a version: français", a person's
    preferred language, "Version: English", the session form's boxes of languages) did
    not: an Arabic voice read "English" and "français" by Arabic rules."""
    found = _unmarked_language_names(pages, language, options=False)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_language_names_in_choice_lists_carry_their_language(pages, language):
    found = _unmarked_language_names(pages, language, options=True)
    assert found == [], "\n".join(found)


def test_an_english_title_on_an_arabic_page_is_marked_english(pages):
    """The session list and page marked a title shown in English for want of an Arabic one;
    the breadcrumbs, the roster, the attendance register, the agenda, the guests, the
    evaluation, a person's record and learning record, /me, /me/data and the jobs page did
    not."""
    found = set()
    for (_role, language, endpoint), html in pages.items():
        if language != "ar":
            continue
        for e in parse(html):
            if e.tag != "title" and ENGLISH_ONLY in e.text and lang_of(e) != "en":
                found.add(f"{endpoint} <{e.tag}> {' '.join(e.text.split())[:50]!r}")
    assert sorted(found) == [], "\n".join(sorted(found))


def test_the_outbox_list_marks_each_subject_with_its_language(pages):
    """An email's page marked its subject with the email's language; the outbox list showed
    the same subjects unmarked (English emails on an Arabic page)."""
    subjects = [e for e in parse(pages[("coordinator", "ar", "admin.outbox")]) if e.tag == "a"
                and re.fullmatch(r"/admin/outbox/\d+", e.attrs.get("href", ""))]
    assert subjects
    assert [text(e) for e in subjects if lang_of(e) != "en"] == []


def test_the_message_form_marks_its_boxes_not_its_labels(pages):
    """Each language's subject and message were in a <section lang="ar" dir="rtl">: their
    labels, in the page's language ("Subject in Arabic"), were marked Arabic, and the
    section's heading "العربية" was marked as the page's language."""
    elements = parse(pages[("coordinator", "en", "messages.create")])
    labels = [f"{text(e)!r} lang={lang_of(e)}" for e in elements
              if e.tag == "label" and e.attrs.get("for", "")[-3:] in ("_fr", "_es", "_ar")
              and lang_of(e) != "en"]
    assert labels == []
    boxes = {e.attrs["name"]: (e.attrs.get("lang"), e.attrs.get("dir")) for e in elements
             if e.tag in ("input", "textarea") and e.attrs.get("name", "")[:-3] in (
                 "subject", "body")}
    assert boxes["subject_ar"] == ("ar", "rtl") and boxes["body_ar"] == ("ar", "rtl")
    assert boxes["subject_fr"] == ("fr", "ltr") and boxes["body_en"] == ("en", "ltr")
    headings = {text(e): lang_of(e) for e in elements if e.tag == "span"
                and e.parent.tag == "h2"}
    assert headings == {"English": "en", "français": "fr", "español": "es", "العربية": "ar"}


def test_the_pages_own_headings_on_a_practice_in_another_language_are_the_pages(pages):
    """An Arabic reader opens a practice written in English only: the page's own headings
    ("Measures taken", in Arabic) sat inside <article lang="en" dir="ltr">, so Arabic words
    were marked English and laid out left to right."""
    elements = parse(pages[("coordinator", "ar", "practices.detail")])
    body = next(e for e in elements if e.tag == "div" and "pre-line" in e.attrs.get("class", ""))
    assert text(body) == "Pairs." and lang_of(body) == "en"
    headings = [e for e in elements if e.tag == "h2"]
    assert any(re.search("[\u0600-\u06ff]", text(e)) for e in headings)
    assert [text(e) for e in headings if lang_of(e) != "ar"] == []
