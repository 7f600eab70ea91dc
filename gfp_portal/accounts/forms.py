"""Forms for sign-in, activation, password reset and own preferences."""
from flask import current_app
from flask_babel import LazyString, ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, PasswordField, SubmitField
from wtforms.validators import Email, EqualTo, Length
from wtforms.widgets import EmailInput

from gfp_portal.core.forms import (
    DataRequired,
    EditsRecord,
    EmailAddressField,
    PortalForm,
    SelectField,
    TimeZoneField,
    language_choices,
)

# The autofill tokens (WCAG 2.1 SC 1.3.5) tell a browser and a password manager what a field
# holds: the account's name, its password as it is, or a new one.
USERNAME, CURRENT, NEW = ({"autocomplete": token} for token in
                          ("username", "current-password", "new-password"))


class LoginForm(PortalForm):
    email = EmailAddressField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")), Length(max=320)],
        render_kw=USERNAME)
    password = PasswordField(_l("Password"), validators=[
        DataRequired(message=_l("Enter your password."))], render_kw=CURRENT)
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class CurrentPasswordMixin:
    # Declared before NewPasswordMixin: WTForms renders fields in the order they were created.
    current_password = PasswordField(_l("Current password"), validators=[
        DataRequired(message=_l("Enter your current password."))], render_kw=CURRENT)


def _password_hint():
    """The hint under a new password: the length that setting it asks (PASSWORD_MIN_LENGTH)."""
    length = current_app.config["PASSWORD_MIN_LENGTH"]
    return ngettext("At least %(num)s character. A short sentence is easy to remember.",
                    "At least %(num)s characters. A short sentence is easy to remember.",
                    length)


class NewPasswordMixin:
    """A new password, for the account `account` (its email address) given to the form. The
    account's name is in a field that is not shown: a password manager reads it to know which
    account the password is for. What is sent under its name is never read."""

    username = HiddenField(widget=EmailInput(), render_kw={**USERNAME, "hidden": True})
    password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Choose a password.")), Length(max=256)],
        description=LazyString(_password_hint), render_kw=NEW)
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(message=_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw=NEW)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.username.data = account


class ActivateForm(NewPasswordMixin, PortalForm):
    submit = SubmitField(_l("Activate my account"))


class ResetRequestForm(PortalForm):
    email = EmailAddressField(_l("Email address"), validators=[
        DataRequired(message=_l("Enter your email address.")),
        Email(message=_l("Enter a valid email address."), check_deliverability=False),
        Length(max=320)], render_kw={"autocomplete": "email"})
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
