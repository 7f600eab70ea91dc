"""Forms for sign-in, activation, password reset and own preferences."""
from flask import current_app
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import Email, EqualTo, Length

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    PortalForm,
    SelectField,
    TimeZoneField,
    language_choices,
)


class LoginForm(PortalForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password."))])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class CurrentPasswordMixin:
    # Declared before NewPasswordMixin: WTForms renders fields in the order they were created.
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))])


def _password_hint():
    """The hint under a new password: the length that setting it asks (PASSWORD_MIN_LENGTH)."""
    length = current_app.config["PASSWORD_MIN_LENGTH"]
    return ngettext("At least %(num)s character. A short sentence is easy to remember.",
                    "At least %(num)s characters. A short sentence is easy to remember.",
                    length)


class NewPasswordMixin:
    password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Choose a password.")), Length(max=256)],
        description=LazyString(_password_hint))
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same."))])


class ActivateForm(NewPasswordMixin, PortalForm):
    submit = SubmitField(_l("Activate my account"))


class ResetRequestForm(PortalForm):
    email = EmailField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False),
        Length(max=320)])
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(NewPasswordMixin, PortalForm):
    submit = SubmitField(_l("Set the new password"))


class ChangePasswordForm(CurrentPasswordMixin, NewPasswordMixin, PortalForm):
    submit = SubmitField(_l("Change password"))


class PreferencesForm(EditsRecord, PortalForm):
    locale = SelectField(_l("Language"), validators=[DataRequired()])
    time_zone = TimeZoneField(_l("Time zone"), validators=[DataRequired()])
    submit = SubmitField(_l("Save preferences"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()
