"""Choices and validators shared by the forms of several domains."""
from datetime import date

from flask import current_app, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from markupsafe import Markup, escape
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import (
    DateField,
    DateTimeLocalField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    SubmitField,
    validators,
)
from wtforms import FileField as WTFormsFileField
from wtforms import SelectField as WTFormsSelectField
from wtforms import TextAreaField as WTFormsTextAreaField
from wtforms.fields.choices import Choice
from wtforms.fields.core import Label
from wtforms.validators import Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, Select, TelInput, URLInput
from wtforms.widgets.core import clean_key

from gfp_portal.core.dates import OUT_OF_RANGE, is_plausible
from gfp_portal.core.i18n import current_language, language_name, text_direction
from gfp_portal.core.text import email_address, is_blank, single_line
from gfp_portal.core.timezones import canonical_zone, is_skipped, is_timezone, timezone_choices


class PortalForm(FlaskForm):
    """The base of every form of the portal. A form sent with a file gives it to the form's
    file fields alone: Flask-WTF hands every field the files along with the text, and a field
    that takes text would be given a file. Sent under the name of any other field, a file is
    not read, and the field is as empty as if it had not been sent."""

    class Meta:
        def wrap_formdata(self, form, formdata):
            wrapped = super().wrap_formdata(form, formdata)
            if wrapped is formdata or not isinstance(wrapped, CombinedMultiDict):
                return wrapped  # data given by the caller, or a form sent without a file
            names = {field.name for field in form if isinstance(field, WTFormsFileField)}
            files = MultiDict([(name, file) for name, file in request.files.items(multi=True)
                               if name in names])
            return CombinedMultiDict((files, request.form)) if files else request.form


class DataRequired(validators.DataRequired):
    """WTForms' DataRequired, for which text that shows nothing (a zero-width space, a
    direction mark: what str.strip() keeps) is missing too, as core.text.is_blank says."""

    def __call__(self, form, field):
        if isinstance(field.data, str) and is_blank(field.data):
            field.data = ""
        super().__call__(form, field)


def language_choice(code):
    """A language offered in a list: its own name, the option (or box) marked as written in
    that language, as a page names a language anywhere (core.i18n.language_label)."""
    return code, language_name(code), {"lang": code, "dir": text_direction(code)}


def language_choices():
    return [language_choice(code) for code in current_app.config["LANGUAGES"]]


def html_attributes(**kwargs):
    """The attributes wtforms.widgets.html_params writes, in the same order and escaping,
    without a Markup.format for each: the widgets of long lists call it for every option."""
    params = []
    for key, value in sorted(kwargs.items()):
        key = escape(clean_key(key))
        if value is True:
            params.append(key)
        elif value is not False:
            params.append(f'{key}="{escape(value).replace(QUOTE, ESCAPED_QUOTE)}"')
    return Markup(" ".join(params))  # noqa: S704 — every part escaped


QUOTE, ESCAPED_QUOTE = Markup('"'), Markup("&quot;")


class FastCheckboxInput(CheckboxInput):
    html_params = staticmethod(html_attributes)


class _FastLabel(Label):
    def __call__(self, text=None, **kwargs):
        if "for_" in kwargs:
            kwargs["for"] = kwargs.pop("for_")
        else:
            kwargs.setdefault("for", self.field_id)
        attributes = html_attributes(**kwargs)
        attributes = f" {attributes}" if attributes else ""
        return Markup(f"<label{attributes}>{escape(text or self.text)}</label>")  # noqa: S704


def _plain_pairs(field):
    """The field's choices when every one is a plain (value, label) pair of a single select
    (what most lists pass), else None: anything else goes through WTForms' own objects."""
    choices = field.choices
    if (not isinstance(field, WTFormsSelectField) or isinstance(field, SelectMultipleField)
            or type(field).iter_choices is not WTFormsSelectField.iter_choices
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
        html = [f"<select {html_attributes(name=field.name, **kwargs)}>"]
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


class _ChoicesRead:
    """A value that the field's coerce cannot read ("abc" for a numbered list) is told as any
    value not offered: "Not a valid choice.", not WTForms' "could not coerce". A value of
    blanks is none chosen, as Optional() takes it (it would otherwise reach the code as a
    choice, " ", that no list offers)."""

    def process_formdata(self, valuelist):
        valuelist = ["" if isinstance(value, str) and not value.strip() else value
                     for value in valuelist]
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(self.invalid_choice_message
                             or self.gettext("Not a valid choice.")) from error


class SelectField(_ChoicesRead, WTFormsSelectField):
    """The portal's select of one choice, for every form: written by LongSelect, and its value
    checked against plain (value, label) choices directly rather than through a choice object
    for each option (WTForms' own takes three times as long, even for a list of three). Other
    choices (groups, options with attributes of their own) go through WTForms' way."""

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


class CheckboxListField(_ChoicesRead, SelectMultipleField):
    """Several choices as a list of checkboxes (rendered by macros/forms.html).

    With plain (value, label) choices, the first option is the field WTForms makes for it and
    the others share its widget, flags and settings: WTForms builds a whole field for each
    option, and a list of people runs to tens of them."""

    widget = ListWidget(prefix_label=False)
    option_widget = FastCheckboxInput()

    def __iter__(self):
        choices = self.choices
        if (type(self).iter_choices is not SelectMultipleField.iter_choices
                or not isinstance(choices, list)
                or any(type(choice) is not tuple or len(choice) != 2 for choice in choices)):
            yield from super().__iter__()
            return
        first = None
        data = self.data or ()
        for i, (value, label) in enumerate(choices):
            if first is None:
                first = next(super().__iter__())
                yield first
                continue
            yield _CheckboxOption(first, f"{self.id}-{i}", value, label,
                                  self.coerce(value) in data)


class _CheckboxOption:
    """One checkbox of a CheckboxListField after the first, drawn by the first's widget and
    settings as WTForms would draw its own option field."""

    def __init__(self, first, id, value, label, selected):
        self.id, self.name, self.data, self.checked = id, first.name, value, selected
        self.flags, self.widget, self.meta = first.flags, first.widget, first.meta
        self.render_kw, self._datalist = first.render_kw, getattr(first, "_datalist", None)
        self.label = _FastLabel(id, label or value)
        self.choice = Choice(value=value, label=label, selected=selected, render_kw={})

    def _value(self):
        return str(self.data)

    def __call__(self, **kwargs):
        return self.meta.render_field(self, kwargs)

    def __html__(self):
        return self()

    __str__ = __html__


class _ReadFirst:
    """A field whose value could not be read says so, and only so: its validators (a range,
    "required") would each add an error about a value nobody entered. A blank one is theirs
    to judge ("optional", "required")."""

    def pre_validate(self, form):
        if self.process_errors and any(str(value).strip() for value in self.raw_data or ()):
            raise StopValidation()
        super().pre_validate(form)


class WholeNumberField(_ReadFirst, IntegerField):
    """A whole number, in a form or a filter. A value that is not one, or that has more digits
    than any count or year the portal keeps, is the field's error "Enter a whole number.":
    WTForms' own field takes a number of any length, on which its range check then stops
    (a float cannot hold it), and says "Not a valid integer value." in words of its own."""
    MAX_DIGITS = 9

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        typed = valuelist[0].strip()
        digits = typed[1:] if typed[:1] in ("-", "+") else typed  # one sign at most
        if not digits.isdecimal() or len(digits) > self.MAX_DIGITS:
            raise ValueError(_l("Enter a whole number."))
        self.data = int(typed)


class MonthField(_ReadFirst, StringField):
    """A month, "YYYY-MM" (a browser's month input sends it so; one without such an input
    shows a text box), its digits typed in any script; `data` is the month as "YYYY-MM", or
    None when blank. Anything else, or a year the portal does not keep, is the field's error."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).update(type="month")
        super().__init__(label, validators, **kwargs)

    def _value(self):
        if self.data is None and self.raw_data:
            return self.raw_data[0]  # shown back as typed, beside its error
        return super()._value()

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        self.data = None
        typed = valuelist[0].strip()
        if not typed:
            return
        year, dash, month = typed.partition("-")
        if not (dash and len(year) == 4 and year.isdecimal() and len(month) == 2 and
                month.isdecimal() and 1 <= int(month) <= 12):
            raise ValueError(_l("Enter a month as its year and number, such as 2027-03."))
        if not is_plausible(date(int(year), 1, 1)):
            raise ValueError(OUT_OF_RANGE)
        self.data = f"{int(year):04d}-{int(month):02d}"


class _Plausible(_ReadFirst):
    """A date the portal accepts (core.dates): WTForms' own field takes any year."""

    def pre_validate(self, form):
        if not self.process_errors and not is_plausible(self.data):
            raise StopValidation(OUT_OF_RANGE)
        super().pre_validate(form)


class PlausibleDateField(_Plausible, DateField):
    pass


class PlausibleDateTimeField(_Plausible, DateTimeLocalField):
    pass


class ShownByClocks:
    """Validator of a date and time read in a time zone, `zone_of(form)`: the clocks there must
    show it, which they do not in the time they skip when they move forward."""

    message = _l("The clocks of this time zone skip this time: they move forward that night. "
                 "Enter a time before or after the change.")

    def __init__(self, zone_of):
        self.zone_of = zone_of

    def __call__(self, form, field):
        zone = self.zone_of(form)
        if field.data is not None and is_timezone(zone) and is_skipped(field.data, zone):
            raise ValidationError(self.message)


class SingleLineField(StringField):
    """One-line text (titles, names, venues…): a pasted line break or any other control
    character becomes a space, so no value can break the headers of an email."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = single_line(self.data)


class EmailAddressField(EmailField):
    """An email address, read as the services keep it (core.text.email_address) before any
    validator sees it: on one line, without the spaces and invisible marks a paste brings at
    its ends (a direction mark or a zero-width space from an Arabic email or a document, a
    byte-order mark, a no-break space), its accented letters in one form. WTForms' Email
    validator, given the address as it came, said a right address was not valid."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = email_address(self.data)


class SingleLineURLField(SingleLineField):
    widget = URLInput()


class SingleLineTelField(SingleLineField):
    """A telephone number: a phone shows its number keyboard, and the number is laid out left
    to right on a right-to-left page."""

    widget = TelInput()


class TextAreaField(WTFormsTextAreaField):
    """Text of several lines, its line breaks kept as one character (LF): a browser counts a
    line break as one against the box's maxlength but sends it as two (CR LF), and a text the
    box let through was then refused as too long."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.replace("\r\n", "\n").replace("\r", "\n")


def written_in(code, **render_kw):
    """The attributes of a box for a text in the language `code`, whatever the page's: its
    language (spelling, speech) and its direction, so that an Arabic title is typed right to
    left on an English page and an English one left to right on an Arabic page."""
    return {**render_kw, "lang": code, "dir": LazyString(text_direction, code)}


class RequiredFileField(FileField):
    """A file upload the form cannot be sent without."""

    def __init__(self, label=None, validators=(), **kwargs):
        super().__init__(label, [FileRequired(message=_l("Choose a file.")), *validators],
                         **kwargs)


def file_check_form(label, description, button):
    """The form of an import's first step: the file (required) and the button that checks it;
    nothing is written before the check is confirmed."""
    class FileCheckForm(PortalForm):
        file = RequiredFileField(label, description=description)
        submit = SubmitField(button)

    return FileCheckForm


class FilterForm(PortalForm):
    """The filters of a list page, read from the query string. A value that fails its check
    is shown as a field error and then ignored: the list is never filtered by it. A value of
    spaces alone is no value (a field that may be left empty lets it through as it is)."""

    class Meta:
        csrf = False

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        for field in self:
            spaces = isinstance(field.data, str) and field.data and not field.data.strip()
            if field.errors or spaces:
                field.data = field.default
        return valid


class EditsRecord:
    """A form that edits a record keeps, in `seen`, the record's latest audit event when the
    page was shown: its save is refused when it would undo a change made since
    (core.edits.unless_crossed)."""

    seen = HiddenField()


class ConfirmForm(PortalForm):
    """A bare POST form: a CSRF token, an optional reason and a submit button."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))


class ParsedField:
    """A text field whose `data` is parsed from the text; every bad part is a field error and
    the text is shown back as typed. A subclass gives
    `parse(text) -> (data, errors)` and `format(data) -> text`. A form posted without the
    field at all is refused: nothing was typed to parse, and the data it was built with is
    not the visitor's."""

    def process_data(self, value):
        super().process_data(value)
        self.raw, self.parse_errors = None, []

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data, self.parse_errors = self.parse(self.raw)

    def pre_validate(self, form):
        if self.raw is None:
            self.errors.append(_l("This field did not arrive; please send the form again."))
            raise StopValidation()
        if self.parse_errors:
            self.errors.extend(self.parse_errors)
            raise StopValidation()

    def _value(self):
        return self.raw if self.raw is not None else self.format(self.data)
