"""The templates' translation functions (core.catalogs): the catalog of the locale in force,
found again when another locale is forced, with Jinja's own formatting rules; WTForms' catalog
parsed once per locale for the process."""
import pytest
from flask import render_template_string
from flask_babel import Domain, force_locale, gettext, lazy_gettext
from wtforms import IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from gfp_portal.core import catalogs
from gfp_portal.core.forms import ConfirmForm

PAGE = ("{{ _('Sessions') }}|{{ ngettext('%(num)s session', '%(num)s sessions', 2, num='two') }}"
        "|{{ pgettext('appointment', 'Active') }}|{{ _('Signed in as %(email)s', email='<b>') }}"
        "|{% trans %}Sessions{% endtrans %}")


def test_templates_translate_in_the_locale_in_force_and_follow_a_forced_one(app):
    with app.test_request_context("/?lang=fr"):
        french = render_template_string(PAGE)
        with force_locale("ar"):
            arabic = render_template_string(PAGE)
        again = render_template_string(PAGE)
    assert french.split("|")[0] == "Séances"
    assert french.split("|")[1] == "two sessions"  # a variable may be called `num`
    assert french.split("|")[3] == "Session ouverte\u00a0: &lt;b&gt;"  # escaped, formatted
    assert arabic.split("|")[0] == "الدورات"
    assert arabic.split("|")[2] == "نشط"
    assert again == french


def test_the_catalog_is_found_once_while_the_locale_stays_in_templates_and_code(app, monkeypatch):
    lookups = []
    real = Domain.get_translations
    monkeypatch.setattr(Domain, "get_translations", lambda self: lookups.append(1) or real(self))
    with app.test_request_context("/?lang=es"):
        for _ in range(3):
            render_template_string(PAGE)
            assert gettext("Sessions") == str(lazy_gettext("Sessions")) == "Sesiones"
        assert len(lookups) == 1
        with force_locale("fr"):
            render_template_string(PAGE)
        render_template_string(PAGE)
    assert len(lookups) == 3


class NumberForm(ConfirmForm):
    number = IntegerField(validators=[InputRequired()])


def test_wtforms_messages_are_translated_and_their_catalog_parsed_once(app):
    catalogs._wtforms_catalog.cache_clear()
    for _ in range(3):
        with app.test_request_context("/?lang=fr", method="POST", data={"number": "x"}):
            form = NumberForm(meta={"csrf": False})
            assert not form.validate()
            assert form.number.errors[0] in ("Indiquez un nombre entier.",
                                              "Ce champ est obligatoire.")
    assert catalogs._wtforms_catalog.cache_info().misses == 1


@pytest.mark.parametrize(("language", "limit", "message"), [
    ("ar", 4000, "لا يجوز أن يتجاوز هذا الحقل 4000 حرف."),
    ("ar", 120, "لا يجوز أن يتجاوز هذا الحقل 120 حرفًا."),
    ("fr", 4000, "Ce champ ne peut pas dépasser 4000 caractères."),
    ("es", 4000, "Este campo no puede tener más de 4000 caracteres."),
])
def test_a_length_limit_is_announced_in_the_viewers_language(app, language, limit, message):
    # WTForms' own Arabic catalog has two of Arabic's six plural forms: 4,000 came in English.
    class Form(ConfirmForm):
        note = TextAreaField(validators=[Length(max=limit)])

    with app.test_request_context(f"/?lang={language}", method="POST",
                                  data={"note": "x" * (limit + 1)}):
        form = Form(meta={"csrf": False})
        assert not form.validate()
        assert form.note.errors == [message]


@pytest.mark.parametrize("lang, expected", [
    ("es", "El número debe ser igual o superior a 1."),
    ("ar", "يجب ألا يقل العدد عن 1."),
])
def test_wtforms_own_messages_read_in_the_portals_words(app, lang, expected):
    """WTForms' Spanish catalog says "greater than 1" of a field that takes 1."""
    class Seats(ConfirmForm):
        seats = IntegerField(validators=[NumberRange(min=1)])

    with app.test_request_context(f"/?lang={lang}", method="POST", data={"seats": "0"}):
        form = Seats(meta={"csrf": False})
        assert not form.validate()
        assert form.seats.errors == [expected]
