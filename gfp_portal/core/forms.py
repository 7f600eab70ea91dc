"""Choices and validators shared by the forms of several domains."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from gfp_portal.core.i18n import language_name
from gfp_portal.core.timezones import timezone_names


def language_choices():
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


def timezone_choices():
    return [(name, name.replace("_", " ")) for name in timezone_names()]


class ConfirmForm(FlaskForm):
    """A bare POST form: a CSRF token, an optional reason and a submit button."""

    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=2000)])
    next = HiddenField()
    submit = SubmitField(_l("Confirm"))
