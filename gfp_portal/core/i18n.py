"""Locale and time-zone choice, language metadata, locale-aware sorting and lists."""
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

import pycountry
from babel import Locale
from babel.numbers import format_decimal, parse_pattern
from babel.units import format_unit
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, to_user_timezone
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.db import utcnow
from gfp_portal.core.search import order_fold

LANG_SESSION_KEY = "lang"

# The portal's languages, in the order its forms and pages list them. A text written in each
# (a session's title, a message's body) has a column per language, `title_en` to `title_ar`:
# the list is the schema's as well as the configuration's LANGUAGES.
LANGUAGES = ("en", "fr", "es", "ar")


def language_fields(*fields):
    """The column of each of `fields` in each language, field by field:
    ("title_en", "title_fr", "title_es", "title_ar", "description_en", …)."""
    return tuple(f"{field}_{code}" for field in fields for code in LANGUAGES)


def supported_languages():
    return current_app.config["LANGUAGES"]


def select_locale():
    """`?lang=xx` (remembered) → signed-in user's preference → Accept-Language → English."""
    languages = supported_languages()
    if not has_request_context():  # command-line tasks and workers
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    asked = request.args.get("lang")
    if asked in languages:
        session[LANG_SESSION_KEY] = asked
        return asked
    remembered = session.get(LANG_SESSION_KEY)
    if remembered in languages:
        return remembered
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    best = request.accept_languages.best_match(languages)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]


class LanguageVersions:
    """A model told in several languages (resources, good practices): its `versions`, each a
    LanguageVersion."""

    @property
    def languages(self):
        return [v.language for v in self.versions]

    def version(self, language):
        return next((v for v in self.versions if v.language == language), None)

    def title_or(self, default):
        """The English title, else the first version's, else `default`."""
        english = self.version("en")
        return english.title if english else (self.versions[0].title if self.versions
                                              else default)

    def title_in(self, language, default):
        """The title a reader of `language` is shown (choose_version): theirs, else the
        English one, else the first there is; `default` when there is no version."""
        version, __ = choose_version(self, language)
        return version.title if version is not None else default


class LanguageVersion:
    """The columns of one language of a model told in several: the language, and the title
    and summary written in it."""

    language: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")


def choose_version(item, language):
    """The language version of `item` (anything with `version(code)`) to show a reader of
    `language`: theirs, else English, else the first that exists in the portal's language
    order. Returns (version, is_fallback)."""
    for code in (language, "en", *supported_languages()):
        version = item.version(code)
        if version is not None:
            return version, code != language
    return None, False


def select_timezone():
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_TIMEZONE"]
    if current_user and current_user.is_authenticated and current_user.time_zone:
        return current_user.time_zone
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def viewer_zone():
    """The viewer's time zone (theirs, else the default one): the zone a page reads times in."""
    return select_timezone()


def viewer_today():
    """Today where the viewer is (in their time zone, else the default one): the day a date
    field proposes, which the server's own date is not for a viewer far east or west of it."""
    return to_user_timezone(utcnow()).date()


def mail_locale(code):
    """`code` when the portal speaks it, else the default: the language of an email."""
    return code if code in supported_languages() else \
        current_app.config["BABEL_DEFAULT_LOCALE"]


def file_size(size):
    """A file size in the viewer's language: "340 kB", "1.2 MB" ("1.2 م.ب")."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return format_unit(max(1, round(size / 1024)), "digital-kilobyte", length="short",
                           locale=current_language())
    return format_unit(size / (1024 * 1024), "digital-megabyte", length="short",
                       format="#,##0.#", locale=current_language())


@lru_cache(maxsize=32)
def _parsed_pattern(format):
    return parse_pattern(format)


def _applied(number, format, locale):
    pattern = locale.decimal_formats[None] if format is None else _parsed_pattern(format)
    return pattern.apply(number, locale)


@lru_cache(maxsize=4096)
def _remembered(kind, number, signed, format, locale):
    # Equal numbers may print apart: 1 and Decimal(1) are kept apart by their kind, 0 and
    # Decimal("-0") by their sign.
    return _applied(number, format, locale)


def format_number(number, format=None):
    """flask-babel's format_decimal, to the character, with each pattern parsed once, and the
    text of a whole number or a Decimal remembered per pattern and locale: a page of tables
    formats hundreds of numbers, many of them alike (shares to one decimal)."""
    locale = get_locale()
    if locale is None:  # outside a request: Babel's own default locale
        return format_decimal(number, format)
    kind = type(number)
    if kind is int:
        return _remembered(kind, number, False, format, locale)
    if kind is Decimal and number.is_finite():
        return _remembered(kind, number, number.is_signed(), format, locale)
    return _applied(number, format, locale)


def current_language():
    """The language code in force ("en", "fr", "es", "ar": the portal's locales have no
    territory, so the locale's language is its whole name)."""
    locale = get_locale()
    return locale.language if locale is not None else "en"


def is_rtl(language=None):
    return (language or current_language()) in current_app.config["RTL_LANGUAGES"]


def text_direction(language=None):
    return "rtl" if is_rtl(language) else "ltr"


@lru_cache(maxsize=16)
def language_name(code):
    """The language's own name ("français", "العربية"), whatever the page's language. Shown
    on a page, it is marked as written in that language: language_label(code)."""
    return Locale.parse(code).get_display_name(code)


def language_label(code):
    """The language's own name marked as written in it (its lang and direction), wherever a
    page names a language (WCAG 3.1.2): a screen reader reads "français" in French on an
    English or Arabic page. Inside an element that already says so (an <option lang>, a link
    with lang), language_name(code) is enough."""
    return Markup(f'<span lang="{escape(code)}" dir="{text_direction(code)}">'  # noqa: S704
                  f"{escape(language_name(code))}</span>")


@lru_cache(maxsize=512)
def _alpha2(iso3):
    country = pycountry.countries.get(alpha_3=iso3)
    return country.alpha_2 if country else None


def is_country_code(iso3):
    return bool(iso3) and _alpha2(iso3.upper()) is not None


_PUNCTUATION = re.compile(r"[^\w\s]")


def collation_key(text, language=None):
    """A sort key for `text` as the language sorts: accents, case and punctuation ignored at
    first ("Côte d’Ivoire" between "Costa Rica" and "Croatia"); Arabic by its alphabet, a
    hamza or madda on the alef not counting, a ta marbuta sorting as a teh and an alef
    maqsura as a yeh, and a language's own letters (the Spanish ñ) after their base letter
    (core.search.order_fold). Ties fall back to the exact text."""
    language = language or current_language()
    text = text or ""
    # Composed first: the tilde of an "ñ" pasted as an "n" and a tilde is no punctuation.
    letters = _PUNCTUATION.sub("", unicodedata.normalize("NFC", text.casefold()))
    return (order_fold(letters, language), order_fold(text), text)


def list_separator(language=None):
    """The comma between the items of a list: "، " in Arabic, ", " elsewhere."""
    return "، " if (language or current_language()) == "ar" else ", "


_ARABIC_LETTER = re.compile("[\u0600-\u06ff\u0750-\u077f]")


def name_and_title(name, title):
    """"Name, Title" as one value, with the comma of the script they are written in
    ("Amina Diallo, Executive Director"; "أمينة ديالو، المديرة التنفيذية")."""
    parts = [part for part in (name, title) if part]
    arabic = any(_ARABIC_LETTER.search(part) for part in parts)
    return list_separator("ar" if arabic else "en").join(parts)


def join_list(items, language=None):
    """Items as one list in the viewer's language ("Kenya, Uganda"; "كينيا، أوغندا")."""
    return list_separator(language).join(str(item) for item in items)


def isolated(text):
    """`text` set apart from the sentence around it (first-strong isolate): a Latin title in
    an Arabic message, or an Arabic one in English, keeps its own direction and brackets."""
    return f"\u2068{text}\u2069"
