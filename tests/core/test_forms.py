"""The portal's own fields: no form keeps a line break or a control character in a one-line
field, nor takes a number or a date of any size."""
import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    Form,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, NumberRange, Optional

import gfp_portal
from gfp_portal.core.forms import (
    CheckboxListField,
    ConfirmForm,
    LongSelect,
    PlausibleDateField,
    SingleLineField,
    WholeNumberField,
    html_attributes,
)
from gfp_portal.core.forms import SelectField as PortalSelectField
from gfp_portal.core.forms import TextAreaField as PortalTextAreaField


def form_classes():
    for module_info in pkgutil.walk_packages(gfp_portal.__path__, "gfp_portal."):
        if module_info.name.rsplit(".", 1)[-1].endswith("forms"):
            module = importlib.import_module(module_info.name)
            for value in vars(module).values():
                if isinstance(value, type) and issubclass(value, Form) and \
                        value.__module__ == module.__name__:
                    yield value


def test_no_form_has_a_bare_one_line_text_field():
    bare = [f"{form.__module__}.{form.__name__}.{name}"
            for form in form_classes() for name in dir(form)
            if isinstance(getattr(form, name), UnboundField)
            and getattr(form, name).field_class in (StringField, URLField, TelField, EmailField)]
    assert len(list(form_classes())) > 20
    assert bare == []


def email_fields():
    """Every field of a form that takes an email address, as (its form's name, the field)."""
    for form in form_classes():
        for name in dir(form):
            unbound = getattr(form, name)
            if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, EmailField):
                yield pytest.param(unbound, id=f"{form.__module__}.{form.__name__}.{name}")


# An address as it arrives when pasted from a document or an email (Arabic ones above all):
# a right-to-left or left-to-right mark, a zero-width space, a byte-order mark or a no-break
# space at its ends, a line break, an accent typed apart from its letter.
PASTED_ADDRESSES = [
    ("fp@demo.gfp\u200f", "fp@demo.gfp"),
    ("\u200efp@demo.gfp", "fp@demo.gfp"),
    ("\u200bfp@demo.gfp\u200b", "fp@demo.gfp"),
    ("\ufefffp@demo.gfp", "fp@demo.gfp"),
    ("fp@demo.gfp\u00a0", "fp@demo.gfp"),
    (" \u200fFP@Demo.gfp\r\n", "FP@Demo.gfp"),
    ("jose\u0301@undp.org\u200f", "jos\u00e9@undp.org"),
]


@pytest.mark.parametrize("unbound", list(email_fields()))
def test_every_address_field_takes_an_address_pasted_with_invisible_marks(app, unbound):
    """The address is right; what the eye cannot see around it is not part of it. WTForms'
    Email validator, given it as it came, said "Enter a valid email address."."""
    from werkzeug.datastructures import MultiDict

    one = type("OneAddressForm", (Form,), {"email": unbound})
    with app.test_request_context():
        for typed, kept in PASTED_ADDRESSES:
            form = one(MultiDict({"email": typed}))
            assert form.validate(), (typed, form.email.errors)
            assert form.email.data == kept
        form = one(MultiDict({"email": "not-an-address\u200f"}))
        if any(type(v).__name__ == "Email" for v in form.email.validators):
            assert not form.validate()
            assert form.email.errors == ["Enter a valid email address."]


def test_every_text_box_counts_a_line_break_as_the_browser_does():
    """A browser counts a line break of a text box as one character against its maxlength,
    and sends it as two (CR LF): WTForms' own field kept both, and its Length refused a text
    the box had let through."""
    bare = [f"{form.__module__}.{form.__name__}.{name}"
            for form in form_classes() for name in dir(form)
            if isinstance(getattr(form, name), UnboundField)
            and getattr(form, name).field_class is TextAreaField]
    assert bare == []


@pytest.mark.parametrize("sent, kept", [
    ("First\r\nSecond\r\n\r\nThird", "First\nSecond\n\nThird"),
    ("Old Mac\rline", "Old Mac\nline"),
    ("Already\nplain", "Already\nplain"),
    ("\r\n\u0627\u0644\u0645\u0627\u0631\u0629\r", "\n\u0627\u0644\u0645\u0627\u0631\u0629\n"),
])
def test_a_text_box_keeps_line_breaks_as_one_character(app, sent, kept):
    from werkzeug.datastructures import MultiDict
    from wtforms.validators import Length

    class NoteForm(Form):
        note = PortalTextAreaField(validators=[Length(max=len(kept))])

    with app.test_request_context():
        form = NoteForm(MultiDict({"note": sent}))
        assert form.note.data == kept
        assert form.validate(), form.note.errors


def test_every_select_of_one_choice_is_written_by_the_portals_widget():
    """WTForms' own select takes three times as long to write, even for three options."""
    bare = [f"{form.__module__}.{form.__name__}.{name}"
            for form in form_classes() for name in dir(form)
            if isinstance(getattr(form, name), UnboundField)
            and getattr(form, name).field_class is SelectField]
    assert bare == []


def test_no_form_takes_a_number_or_a_date_of_any_size():
    """Whole numbers and dates go through the portal's fields (core.forms): WTForms' own take
    a number no float holds and the year 9999, which stopped the views that used them."""
    bare = [f"{form.__module__}.{form.__name__}.{name}"
            for form in form_classes() for name in dir(form)
            if isinstance(getattr(form, name), UnboundField)
            and getattr(form, name).field_class in (IntegerField, DateField, DateTimeLocalField)]
    assert bare == []


def test_every_form_is_the_portals_own():
    """Flask-WTF hands every field of a form sent with a file the files too; the portal's form
    (core.forms.PortalForm) gives them to its file fields alone, and every form derives from it.
    Read from the source, forms made inside a function included."""
    package = Path(gfp_portal.__file__).parent
    direct = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {getattr(base, "id", None) or getattr(base, "attr", None)
                     for base in node.bases}
            if "FlaskForm" in bases and (path.relative_to(package).as_posix(), node.name) != \
                    ("core/forms.py", "PortalForm"):
                direct.append(f"{path.relative_to(package.parent)}:{node.lineno} {node.name}")
    assert direct == [], "forms deriving from FlaskForm, not core.forms.PortalForm"


class TitleForm(Form):
    title = SingleLineField()


@pytest.mark.parametrize("typed, kept", [
    ("Bystander intervention\r\nBcc: all@example.org",
     "Bystander intervention Bcc: all@example.org"),
    ("Parity dashboard\n", "Parity dashboard"),
    ("A\tB\x00C\x85D\u2028E", "A B C D E"),
    ("  تدخل المارة  ", "تدخل المارة"),
    ("Kept  as typed", "Kept  as typed"),
    # Invisible marks pasted at the ends (a zero-width space, a direction mark, a byte-order
    # mark, a word joiner) go; those inside a word stay: a zero-width non-joiner in Persian
    # and a joiner closing a Malayalam word (its letter written as a chillu) change how the
    # word is written, and a flag's tags make the flag.
    ("\u200bMaría Pérez\u200f", "María Pérez"),
    ("\ufeff Abebe\u2060 \u061c\n", "Abebe"),
    ("\u200dAbebe\u200c", "Abebe"),
    ("می\u200cخواهم", "می\u200cخواهم"),
    ("അവന്\u200d", "അവന്\u200d"),
    ("Wales 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
     "Wales 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"),
])
def test_line_breaks_and_control_characters_become_one_space(app, typed, kept):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = TitleForm(MultiDict({"title": typed}))
        assert form.title.data == kept



def test_a_long_select_writes_the_same_html_as_wtforms_own_select():
    choices = [SelectChoice("", "—"), SelectChoice('K"E<N>', "Kenya & <Co> \"quoted\""),
               SelectChoice("X", ""), SelectChoice("Y", "Yemen", render_kw={"disabled": True})]

    class Both(Form):
        fast = SelectField(choices=choices, widget=LongSelect())
        stock = SelectField(choices=choices)

    for value in ("", 'K"E<N>', "X", "Y"):
        form = Both(data={"fast": value, "stock": value})
        assert str(form.fast()).replace('"fast"', '"stock"') == str(form.stock())


def test_a_long_select_of_plain_pairs_writes_and_checks_as_wtforms_own_select():
    from werkzeug.datastructures import MultiDict

    pairs = [("", "—"), ('K"E<N>', "Kenya & <Co> \"quoted\""), ("X", ""), ("Y", None),
             ("2024", "2024")]

    class Both(Form):
        fast = PortalSelectField(choices=None)
        stock = SelectField(choices=None)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fast.choices = list(pairs)
            self.stock.choices = list(pairs)

    for value in ("", 'K"E<N>', "X", "Y", "2024", "nowhere"):
        form = Both(MultiDict({"fast": value, "stock": value}))
        assert str(form.fast()).replace('"fast"', '"stock"') == str(form.stock())
        form.validate()
        assert form.fast.errors == form.stock.errors


def test_html_attributes_are_wtforms_own(app):
    from flask_babel import lazy_gettext
    from markupsafe import Markup
    from wtforms.widgets import html_params

    with app.test_request_context():
        for kwargs in ({}, {"class_": "a b", "id": "x"}, {"checked": True, "readonly": False},
                       {"value": 'K"E<N> & co'}, {"value": 3}, {"data_x_y": "1", "aria_label": "l"},
                       {"for_": "f", "title": Markup("<b>kept</b>")},
                       {"title": lazy_gettext("Save")}, {"value": None}):
            assert str(html_attributes(**kwargs)) == str(html_params(**kwargs))


def test_a_checkbox_list_writes_the_same_html_as_wtforms_own_checkboxes(app):
    from werkzeug.datastructures import MultiDict
    from wtforms import SelectMultipleField
    from wtforms.validators import DataRequired
    from wtforms.widgets import CheckboxInput, ListWidget

    pairs = [(1, "Amina <Ali>"), (2, ""), (3, 'Fatima "F"')]

    class Both(Form):
        fast = CheckboxListField(coerce=int, validators=[DataRequired()],
                                 render_kw={"data-x": "1"})
        stock = SelectMultipleField(coerce=int, validators=[DataRequired()],
                                    render_kw={"data-x": "1"},
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fast.choices = list(pairs)
            self.stock.choices = list(pairs)

    with app.test_request_context():
        for chosen in ([], ["1"], ["2", "3"]):
            form = Both(MultiDict([(name, v) for name in ("fast", "stock") for v in chosen]))

            def drawn(field):
                return [(str(option(class_="form-check-input")),
                         str(option.label(class_="form-check-label")), option.checked,
                         option.choice)
                        for option in field]

            fast = [tuple(str(part).replace("fast", "stock") if isinstance(part, str)
                          else part for part in row) for row in drawn(form.fast)]
            assert fast == drawn(form.stock)


def test_a_value_that_cannot_be_read_is_told_once(app):
    """A number or date that cannot be read is the one error its field shows: the checks of
    its range or presence would only add a second, about a value nobody entered."""
    class Form(ConfirmForm):
        days = WholeNumberField(validators=[Optional(), NumberRange(min=0, max=10)])
        day = PlausibleDateField(validators=[DataRequired()])

    with app.test_request_context("/?lang=en", method="POST", data={"days": "abc",
                                                                   "day": "abc"}):
        form = Form(meta={"csrf": False})
        assert not form.validate()
        assert form.days.errors == ["Enter a whole number."]
        assert form.day.errors == ["Not a valid date value."]


@pytest.mark.parametrize("typed, read", [("-+5", None), ("+-5", None), ("--5", None),
                                         ("- 5", None), ("+5", 5), (" -5 ", -5), ("٥", 5)])
def test_a_whole_number_takes_one_sign_at_most(app, typed, read):
    """Two signs were taken off before the digits were checked, then Python's own words
    ("invalid literal for int()") were the field's error."""
    class Form(ConfirmForm):
        days = WholeNumberField(validators=[Optional()])

    with app.test_request_context("/?lang=fr", method="POST", data={"days": typed}):
        form = Form(meta={"csrf": False})
        assert form.validate() is (read is not None)
        assert form.days.data == read
        assert form.days.errors == ([] if read is not None else ["Indiquez un nombre entier."])


@pytest.mark.parametrize("lang, told", [("en", "Not a valid choice."),
                                        ("fr", "Ce choix n’est pas valable.")])
def test_a_choice_that_cannot_be_read_is_told_as_any_choice_not_offered(app, lang, told):
    """A tampered value of a list of numbered choices: "Not a valid choice.", as for a value
    not offered, never WTForms' "could not coerce"."""
    class Form(ConfirmForm):
        one = PortalSelectField(coerce=int, choices=None)
        several = CheckboxListField(coerce=int, choices=None)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.one.choices = [(1, "One"), (2, "Two")]
            self.several.choices = [(1, "One"), (2, "Two")]

    with app.test_request_context(f"/?lang={lang}", method="POST",
                                  data={"one": "abc", "several": ["1", "abc"]}):
        form = Form(meta={"csrf": False})
        assert not form.validate()
        assert form.one.errors == [told]
        assert form.several.errors == [told]
        assert form.one.data is None and form.several.data is None
