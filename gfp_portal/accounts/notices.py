"""The emails of accounts, in the account's language: the activation link, the password reset
link, the password changed, the account active again, the address it signs in with changed."""
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from gfp_portal.accounts.models import TokenPurpose
from gfp_portal.core.i18n import mail_locale
from gfp_portal.core.outbox import queue_email
from gfp_portal.core.timezones import moment_in

# The emails that carry an account's link, by the purpose of its token: those still waiting
# in the outbox when the link stops working are never sent. The welcome of a nominee
# (nominations.notices) carries the activation link of the account approval created.
LINK_TEMPLATES = {TokenPurpose.activation: ("activate_account", "nomination_welcome"),
                  TokenPurpose.password_reset: ("reset_password",)}


def activation(user, raw, *, now, valid_until):
    """The link (token `raw`, working until `valid_until`) that activates an invited
    account."""
    _link_mail(user, raw, "activate_account", _l("Activate your GFP Portal account"),
               "accounts.activate", "ACTIVATION_TOKEN_HOURS", now=now, valid_until=valid_until)


def password_reset(user, raw, *, now, valid_until):
    """The link (token `raw`, working until `valid_until`) that sets a new password."""
    _link_mail(user, raw, "reset_password", _l("Reset your GFP Portal password"),
               "accounts.reset_password", "RESET_TOKEN_HOURS", now=now,
               valid_until=valid_until)


def _link_mail(user, raw, template, subject, endpoint, hours, *, now, valid_until):
    queue_email(
        user.email, template, subject=subject, locale=user.locale,
        # The link opens its page in the email's language, from a mail program signed out.
        context={"user": user, "link": url_for(endpoint, token=raw,
                                               lang=mail_locale(user.locale), _external=True),
                 "hours": current_app.config[hours]},
        now=now, secret=True, valid_until=valid_until,
    )


def password_changed(user, *, now):
    """The account's password was changed at `now` (on the account page or by a reset link):
    the person learns of a change they did not make, and how to take the account back."""
    queue_email(
        user.email, "password_changed",
        subject=_l("The password of your GFP Portal account has changed"), locale=user.locale,
        context={"user": user, "when": moment_in(now, user.time_zone, user.locale),
                 "plain_when": moment_in(now, user.time_zone, user.locale, isolate=False),
                 "reset": url_for("accounts.request_reset", lang=mail_locale(user.locale),
                                  _external=True),
                 "office": current_app.config["ORGANIZER_EMAIL"]},
        now=now)


def reactivated(user, *, now):
    """A deactivated account that was in use is active again, with its own password."""
    queue_email(
        user.email, "account_reactivated",
        subject=_l("Your GFP Portal account is active again"), locale=user.locale,
        context={"user": user, "login": url_for("accounts.login", _external=True),
                 "reset": url_for("accounts.request_reset", _external=True)},
        now=now)


def address_changed(user, before, *, now):
    """Told to `before`, the address the account signed in with: it signs in with another
    now. Not named here: the address left may be a team mailbox that others read."""
    queue_email(
        before, "sign_in_address_changed",
        subject=_l("The email address of your GFP Portal account has changed"),
        locale=user.locale,
        context={"user": user, "office": current_app.config["ORGANIZER_EMAIL"]}, now=now)
