"""Single-line text: no form keeps a line break or a control character in a one-line field."""
import importlib
import pkgutil

import pytest
from wtforms import Form, SelectField, StringField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField

import gfp_portal
from gfp_portal.core.forms import LongSelect, LongSelectField, SingleLineField


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
            and getattr(form, name).field_class in (StringField, URLField)]
    assert len(list(form_classes())) > 20
    assert bare == []


class TitleForm(Form):
    title = SingleLineField()


@pytest.mark.parametrize("typed, kept", [
    ("Bystander intervention\r\nBcc: all@example.org",
     "Bystander intervention Bcc: all@example.org"),
    ("Parity dashboard\n", "Parity dashboard"),
    ("A\tB\x00C\x85D\u2028E", "A B C D E"),
    ("  تدخل المارة  ", "تدخل المارة"),
    ("Kept  as typed", "Kept  as typed"),
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
        fast = LongSelectField(choices=None)
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
