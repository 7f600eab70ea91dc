"""Choices and validators shared by the forms of several domains."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup, escape
from wtforms import (
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, URLInput, html_params

from gfp_portal.core.i18n import current_language, language_name
from gfp_portal.core.text import single_line
from gfp_portal.core.timezones import canonical_zone, timezone_choices


def language_choices():
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


def _plain_pairs(field):
    """The field's choices when every one is a plain (value, label) pair of a single select
    (what most lists pass), else None: anything else goes through WTForms' own objects."""
    choices = field.choices
    if (not isinstance(field, SelectField) or isinstance(field, SelectMultipleField)
            or type(field).iter_choices is not SelectField.iter_choices
            or not isinstance(choices, list)):
        return None
    for choice in choices:
        if type(choice) is not tuple or len(choice) != 2:
            return None
    return choices


class LongSelect(Select):
    """A select whose plain options (no attributes of their own) are written with one format
    string each, as WTForms would write them: the lists of time zones, entities and UN Country
    Teams run to hundreds of options, and the stock widget builds each through html_params.
    Plain (value, label) choices are written straight from the pairs, without the two objects
    WTForms makes for each option on every pass over the list."""

    def __call__(self, field, **kwargs):
        pairs = None if self.multiple else _plain_pairs(field)
        if pairs is None:
            return super().__call__(field, **kwargs)
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        coerce, data = field.coerce, field.data
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for value, label in pairs:
            selected = " selected" if coerce(value) == data else ""
            html.append(f'<option{selected} value="{escape(value)}">'
                        f'{escape(label or value)}</option>')
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 — escaped

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        value, label = escape(choice.value), escape(choice.label or choice.value)
        return Markup(f'<option{selected} value="{value}">{label}</option>')  # noqa: S704 — escaped


class LongSelectField(SelectField):
    """A select of many options (entities, UN Country Teams, years…), as filters offer them:
    written by LongSelect, and its value checked against plain (value, label) choices directly
    rather than through a choice object for each option."""

    widget = LongSelect()

    def pre_validate(self, form):
        pairs = _plain_pairs(self)
        if pairs is None or self.process_errors or not self.validate_choice:
            return super().pre_validate(form)
        coerce, data = self.coerce, self.data
        if not any(coerce(value) == data for value, _label in pairs):
            raise ValidationError(
                self.invalid_choice_message or self.gettext("Not a valid choice."))
        return None


class TimeZoneField(SelectField):
    """A time zone chosen by its city and offset ("Nairobi (UTC+3)"), canonical zones only. A
    value saved under a deprecated alias (Asia/Calcutta) opens, and is saved, as its zone."""

    widget = LongSelect()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = timezone_choices(current_language())

    def process_data(self, value):
        super().process_data(value)
        self.data = self._canonical(self.data)
        if self.data and self.data not in {zone for zone, _label in self.choices}:
            # A zone the list does not offer (Etc/GMT+3) stays as it is rather than be lost.
            self.choices = [(self.data, self.data), *self.choices]

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = self._canonical(self.data)

    @staticmethod
    def _canonical(value):
        return canonical_zone(value) or value


class CheckboxListField(SelectMultipleField):
    """Several choices as a list of checkboxes (rendered by macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SingleLineField(StringField):
    """One-line text (titles, names, venues…): a pasted line break or any other control
    character becomes a space, so no value can break the headers of an email."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = single_line(self.data)


class SingleLineURLField(SingleLineField):
    widget = URLInput()


class RequiredFileField(FileField):
    """A file upload the form cannot be sent without."""

    def __init__(self, label=None, validators=(), **kwargs):
        super().__init__(label, [FileRequired(message=_l("Choose a file.")), *validators],
                         **kwargs)


def file_check_form(label, description, button):
    """The form of an import's first step: the file (required) and the button that checks it;
    nothing is written before the check is confirmed."""
    class FileCheckForm(FlaskForm):
        file = RequiredFileField(label, description=description)
        submit = SubmitField(button)

    return FileCheckForm


class FilterForm(FlaskForm):
    """The filters of a list page, read from the query string. A value that fails its check
    is shown as a field error and then ignored: the list is never filtered by it."""

    class Meta:
        csrf = False

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            if field.errors:
                field.data = field.default
        return valid


class ConfirmForm(FlaskForm):
    """A bare POST form: a CSRF token, an optional reason and a submit button."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class ParsedField:
    """A text field whose `data` is parsed from the text; every bad part is a field error and
    the text is shown back as typed. A subclass gives
    `parse(text) -> (data, errors)` and `format(data) -> text`."""

    def process_data(self, value):
        super().process_data(value)
        self.raw, self.parse_errors = None, []

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data, self.parse_errors = self.parse(self.raw)

    def pre_validate(self, form):
        if self.parse_errors:
            self.errors.extend(self.parse_errors)
            raise StopValidation()

    def _value(self):
        return self.raw if self.raw is not None else self.format(self.data)
