"""WCAG 3.1.2 (Language of Parts): words in another language than the page's carry their own
lang (and direction), so that a screen reader speaks them with the right voice: the names of
languages (each in its own language: "français", "العربية"), a session's English title shown
on an Arabic page for want of an Arabic one, an email's subject in its own language; and the
page's own words are not marked as another language.

Every page that answers each role is read once, in English and in Arabic, from the world of
the hostile-query sweep (one of everything a route can name), and kept for all the tests of
this module."""
import pytest

from gfp_portal.core.i18n import language_label, language_name
from tests.core.test_hostile_queries import ROLES, world  # noqa: F401 — the fixture, reused
from tests.markup import parse

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
