"""The translation catalog in force, found once per request and locale, and the functions the
templates translate with.

Flask-Babel finds the catalog again on every call (the request's babel context, the locale, a
cache keyed by its name): about 12 µs, and 37 µs behind a template's `_()`. A page calls it tens
of times (hundreds on the coverage matrix), so the templates get functions that keep the
catalog for as long as the locale in force is the same object: a `force_locale` block (an email
in its recipient's language) or a `refresh()` puts another locale in force, and the catalog is
found again. What the functions return is exactly what Jinja's own i18n functions return."""
from functools import lru_cache

from babel import support
from flask import Request, current_app, g, has_app_context
from flask_babel import Babel, Domain, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.utils import cached_property
from wtforms.i18n import messages_path

from gfp_portal.core.i18n import format_number


def translations(find=get_translations):
    """The catalog of the locale in force (Flask-Babel's own object, found by `find`)."""
    if not has_app_context():
        return find()
    here = g._get_current_object()
    locale = getattr(getattr(here, "_flask_babel", None), "babel_locale", None)
    kept = getattr(here, "_portal_catalog", None)
    if locale is not None and kept is not None and kept[0] is locale:
        return kept[1]
    catalog = find()
    here._portal_catalog = (get_locale(), catalog)
    return catalog


def counted(num):
    """The `num` of a plural sentence as the sentence shows it: a whole number grouped as the
    language in force writes numbers ("1,234", "1 234"); anything else as it is given. A
    caller that formats the count itself passes its own `num`."""
    return format_number(num) if type(num) is int else num


class CatalogDomain(Domain):
    """Flask-Babel's domain, finding its catalog through `translations`: for `_()` and the
    lazy strings (titles of choices, labels of fields) of the Python code."""

    def get_translations(self):
        return translations(super().get_translations)

    def ngettext(self, singular, plural, num, **variables):
        variables.setdefault("num", counted(num))
        return self.get_translations().ungettext(singular, plural, num) % variables

    def npgettext(self, context, singular, plural, num, **variables):
        variables.setdefault("num", counted(num))
        return self.get_translations().unpgettext(context, singular, plural, num) % variables


class PortalBabel(Babel):
    @cached_property
    def domain_instance(self):
        return CatalogDomain(domain=self.domain)


def _formatted(context, text, variables):
    """As Jinja's "newstyle" functions: escaped, and always a format string (a text without
    a % sign is its own formatting)."""
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 — a translation from the catalogs, not user input
    return text % variables if variables or "%" in text else text


@pass_context
def gettext(context, string, /, **variables):
    return _formatted(context, translations().ugettext(string), variables)


@pass_context
def ngettext(context, singular, plural, num, /, **variables):
    variables.setdefault("num", counted(num))
    return _formatted(context, translations().ungettext(singular, plural, num), variables)


@pass_context
def pgettext(context, string_context, string, /, **variables):
    variables.setdefault("context", string_context)
    return _formatted(context, translations().upgettext(string_context, string), variables)


@pass_context
def npgettext(context, string_context, singular, plural, num, /, **variables):
    variables.setdefault("context", string_context)
    variables.setdefault("num", counted(num))
    return _formatted(context, translations().unpgettext(string_context, singular, plural,
                                                            num), variables)


def install(env):
    """Put the functions (their own arguments positional, so that a template's variable may be
    called `num` or `context`) in place of those Flask-Babel installed (`_` included, which Jinja
    otherwise resolves to `gettext` on every call)."""
    env.globals.update(gettext=gettext, _=gettext, ngettext=ngettext, pgettext=pgettext,
                       npgettext=npgettext)


def ngettext_noop(singular, plural):
    """Marks a message with a plural for extraction; it is translated where it is shown."""
    return singular, plural


def gettext_noop(message):
    """Marks a message for extraction; it is translated where it is shown."""
    return message


# Every message of WTForms, which the portal's catalogs translate in place of WTForms' own
# (core.forms reads them first): WTForms' Arabic catalog says "real number" for a whole number,
# "must not be less" for "must be at least" and gives two of Arabic's six plural forms; its
# Spanish one says "greater than" for "at least"; some messages it leaves in English.
WTFORMS_MESSAGES = [
    gettext_noop("Invalid field name '%s'."),
    gettext_noop('Field must be equal to %(other_name)s.'),
    ngettext_noop('Field must be at least %(min)d character long.',
                  'Field must be at least %(min)d characters long.'),
    ngettext_noop('Field must be exactly %(max)d character long.',
                  'Field must be exactly %(max)d characters long.'),
    gettext_noop('Field must be between %(min)d and %(max)d characters long.'),
    gettext_noop('Number must be at least %(min)s.'),
    gettext_noop('Number must be at most %(max)s.'),
    gettext_noop('Number must be between %(min)s and %(max)s.'),
    gettext_noop('Date must be at least %(min)s.'),
    gettext_noop('Date must be at most %(max)s.'),
    gettext_noop('Date must be between %(min)s and %(max)s.'),
    gettext_noop('This field is required.'),
    gettext_noop('Invalid input.'),
    gettext_noop('Invalid email address.'),
    gettext_noop('Invalid IP address.'),
    gettext_noop('Invalid Mac address.'),
    gettext_noop('Invalid URL.'),
    gettext_noop('Invalid UUID.'),
    gettext_noop('Invalid value, must be one of: %(values)s.'),
    gettext_noop("Invalid value, can't be any of: %(values)s."),
    gettext_noop('This field cannot be edited.'),
    gettext_noop('This field is disabled and cannot have a value.'),
    gettext_noop('Invalid CSRF Token.'),
    gettext_noop('CSRF token missing.'),
    gettext_noop('CSRF failed.'),
    gettext_noop('CSRF token expired.'),
    gettext_noop('Invalid Choice: could not coerce.'),
    gettext_noop('Choices cannot be None.'),
    gettext_noop('Invalid choice(s): one or more data inputs could not be coerced.'),
    ngettext_noop("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field."),
    gettext_noop('Not a valid datetime value.'),
    gettext_noop('Not a valid date value.'),
    gettext_noop('Not a valid time value.'),
    gettext_noop('Not a valid week value.'),
    gettext_noop('Not a valid integer value.'),
    gettext_noop('Not a valid decimal value.'),
    gettext_noop('Not a valid float value.'),
    gettext_noop("Not a valid choice."),
    ngettext_noop("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters."),
]


@lru_cache(maxsize=16)
def _wtforms_catalog(locale_name, portal_directory):
    """The catalog of WTForms' messages: the portal's own first, then WTForms'."""
    portal = support.Translations.load(portal_directory, [locale_name])
    portal.add_fallback(support.Translations.load(messages_path(), [locale_name],
                                                  domain="wtforms"))
    return portal


class PortalRequest(Request):
    """The request, keeping WTForms' own catalog (its built-in messages) per locale for the
    process: Flask-WTF reads `request.wtforms_translations` and would otherwise parse the
    catalog again on every request that builds a form."""

    @cached_property
    def wtforms_translations(self):
        directory = current_app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")[0]
        return _wtforms_catalog(str(get_locale()), directory)
