"""Sign-in, sign-out, activation, password reset and the own-account page."""
import hashlib

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_url, login_user, logout_user
from flask_login.signals import user_loaded_from_cookie

from gfp_portal.accounts import services
from gfp_portal.accounts.forms import (
    ActivateForm,
    ChangePasswordForm,
    LoginForm,
    PreferencesForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from gfp_portal.attendance.records import learning_record
from gfp_portal.core.auth import SAFE_METHODS, is_static_endpoint, public, signed_in
from gfp_portal.core.confirm import confirmation_step
from gfp_portal.core.db import utcnow
from gfp_portal.core.edits import showing, unless_crossed
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import (
    after_response,
    commit_service,
    next_from_request,
    resend_entries,
    switching_language,
)
from gfp_portal.core.i18n import LANG_SESSION_KEY, current_language, viewer_today
from gfp_portal.extensions import limiter
from gfp_portal.induction import queries as induction_queries
from gfp_portal.induction.forms import TermsReadForm
from gfp_portal.messages.forms import NewsletterForm
from gfp_portal.messages.queries import is_opted_out
from gfp_portal.registry import queries as registry_queries
from gfp_portal.registry import services as registry_services
from gfp_portal.registry.forms import ProfileForm

bp = Blueprint("accounts", __name__)
# When the session's sign-in began (seconds since the epoch): it ends SIGN_IN_MAX_HOURS later.
SIGNED_IN_AT_KEY = "signed_in_at"
FLASK_LOGIN_USER_KEY = "_user_id"  # where Flask-Login keeps the signed-in user


def _password_by_link(token, purpose, *, invalid, form_class, service, template, done):
    """The page a link from an email opens to choose a password (activation, reset): `invalid`
    says, with a 404, that the link is invalid or has expired; on a valid POST `service(token,
    password)` runs and commits, the session is signed out and `done(user)` answers."""
    found = services.find_valid_token(token, purpose)
    if found is None:
        return render_template("accounts/link_invalid.html", message=invalid), 404
    form = form_class(account=found.user.email)
    if form.validate_on_submit():
        ok, user = commit_service(service, token, form.password.data, form=form)
        if ok:
            logout_user()
            return done(user)
    return render_template(template, form=form)


def _new_session():
    """Drop what the browser's session held (its form token, anything that a cookie fixed in
    the browser by someone else carried), save the language chosen: signing in starts a
    session of its own (ASVS V3.2.1)."""
    kept = {key: session[key] for key in (LANG_SESSION_KEY,) if key in session}
    session.clear()
    session.update(kept)
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)  # made from it


def _sign_in(user, *, remember=False):
    _new_session()
    login_user(user, remember=remember)
    _start_count()


def _start_count():
    session[SIGNED_IN_AT_KEY] = int(utcnow().timestamp())


@user_loaded_from_cookie.connect
def _count_from_the_kept_device(_app, **_extra):
    """A browser opened again on a device kept signed in starts a session of its own: it ends
    like any other, and ending it forgets the device (logout_user)."""
    _start_count()


@bp.before_app_request
def end_outlived_sign_in():
    """However busy, a sign-in ends SIGN_IN_MAX_HOURS after it began (ASVS V3.3.2): the person
    signs in again, told why, and comes back to the page asked for. A form sent then is met
    as one sent signed out (core.auth.sign_in_first), which offers its entries back."""
    # Read from the session alone, before anything loads the user: a page that never does
    # (the health check) still runs no query. A device kept signed in that signs in again
    # (no user in the session yet) starts its count when it does.
    if is_static_endpoint(request.endpoint or "") or FLASK_LOGIN_USER_KEY not in session:
        return None
    began = session.get(SIGNED_IN_AT_KEY)
    if not services.sign_in_outlived(began, now=utcnow()):
        return None
    logout_user()  # the device kept signed in is forgotten too
    if began is None:
        # No sign-in of ours: one made before the portal kept its time, or a kept device's
        # cookie that no longer signs anyone in (Flask-Login leaves its user id behind). The
        # request goes on signed out, as pages meet anyone signed out.
        return None
    session.pop(SIGNED_IN_AT_KEY, None)
    hours = current_app.config["SIGN_IN_MAX_HOURS"]
    flash(ngettext("You are signed out: for your security, you are asked to sign in again "
                   "every %(num)s hour.",
                   "You are signed out: for your security, you are asked to sign in again "
                   "every %(num)s hours.", hours), "info")
    if request.method in SAFE_METHODS:
        return redirect(login_url(current_app.login_manager.login_view, next_url=request.url))
    return None


def _only_failed_logins(response):
    # A successful sign-in redirects and an attempt already held back answers 429: only
    # refused passwords count, so that waiting out one limit does not use up the other.
    return response.status_code not in (302, 429)


def _login_account_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_limit():
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _account_key(email):
    # The account, whatever the case of its address; hashed so the counters hold no address.
    email = services.normalize_email(email).lower()
    return "account:" + hashlib.sha256(email.encode("utf-8")).hexdigest()


def _form_account_key():
    # The address the form names, as the account would be found, whether or not one uses it:
    # being held back tells nothing of an account.
    return _account_key(request.form.get("email"))


def _signed_in_account_key():
    return _account_key(getattr(current_user, "email", None))


# The prefix of the password change form on /me.
PASSWORD_FORM = "pw"  # noqa: S105 — a form prefix, not a secret


def _not_a_password_change():
    """Only the password change form of /me checks a password; the page's other forms
    (profile, preferences), and the language switch of a refused change, which checks
    none, are never held back by it."""
    return (not current_user.is_authenticated or switching_language()
            or f"{PASSWORD_FORM}-submit" not in request.form)


def _reset_limit():
    return current_app.config["RESET_RATE_LIMIT"]


def _reset_address_limit():
    return current_app.config["RESET_EMAIL_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
# Failures are counted per account (guessing one account from many addresses) and, more
# loosely, per address (many accounts from one), so that colleagues behind the same address
# still sign in while one of them is held back.
# The language switch, which checks no password, is not counted.
@limiter.limit(_login_account_limit, methods=["POST"], deduct_when=_only_failed_logins,
               key_func=_form_account_key, exempt_when=switching_language)
@limiter.limit(_login_address_limit, methods=["POST"], deduct_when=_only_failed_logins,
               exempt_when=switching_language)
def login():
    if current_user.is_authenticated:
        return redirect(next_from_request(url_for("main.index")))
    form = LoginForm()
    switching = resend_entries(form)  # the address shown again, never the password
    if form.validate_on_submit() and not switching:
        ok, user = commit_service(services.authenticate, form.email.data, form.password.data,
                                  form=form)
        if ok:
            _sign_in(user, remember=form.remember.data)
            flash(_("Welcome, %(name)s.", name=user.display_name), "success")
            return redirect(next_from_request(url_for("main.index")))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@public
def logout():
    if ConfirmForm().validate_on_submit() and current_user.is_authenticated:
        commit_service(services.sign_out, current_user._get_current_object())
        # The form token is kept: a form sent from another tab is then told that its sender
        # is signed out, and offered its entries back (core.auth.sign_in_first).
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/activate/<token>", methods=["GET", "POST"])
@public
def activate(token):
    def welcome(user=None):
        if user is not None:
            _sign_in(user)
        flash(_("Your account is active. Welcome to the GFP Portal."), "success")
        return redirect(url_for("main.index"))

    if services.activated_with(token, current_user):
        return welcome()  # a second click, signed in by the first one
    return _password_by_link(
        token, services.TokenPurpose.activation, form_class=ActivateForm,
        invalid=_("This activation link is invalid or has expired. "
                  "Ask the Office for a new invitation."),
        service=services.activate_account, template="accounts/activate.html", done=welcome)


@bp.route("/password/reset", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"], exempt_when=switching_language)
@limiter.limit(_reset_address_limit, methods=["POST"], key_func=_form_account_key,
               exempt_when=switching_language)
def request_reset():
    form = ResetRequestForm()
    switching = resend_entries(form)  # shown again in another language, nothing sent
    if form.validate_on_submit() and not switching:
        # The same answer, after the same work, whether or not the address has an account:
        # the link is written and queued only once the answer has gone.
        flash(ngettext("If an active account uses this address, a reset link is on its way. "
                       "It is valid for %(num)s hour.",
                       "If an active account uses this address, a reset link is on its way. "
                       "It is valid for %(num)s hours.",
                       current_app.config["RESET_TOKEN_HOURS"]), "info")
        return after_response(redirect(url_for("accounts.login")),
                              services.request_password_reset, form.email.data)
    return render_template("accounts/reset_request.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_reset_limit, methods=["POST"])
def reset_password(token):
    def sign_in_again(_user=None):
        flash(_("Your password has been changed. Sign in with the new one."), "success")
        return redirect(url_for("accounts.login"))

    if services.reset_with(token):
        return sign_in_again()  # sent again, or opened again, once it changed the password
    return _password_by_link(
        token, services.TokenPurpose.password_reset, form_class=ResetPasswordForm,
        invalid=_("This reset link is invalid or has expired. Ask for a new one."),
        service=services.reset_password, template="accounts/reset_password.html",
        done=sign_in_again)


def _save_profile(person, form):
    return registry_services.update_person(person, {
        "phone": form.phone.data, "position_title": form.position_title.data,
        "directory_consent": form.directory_consent.data}, actor=current_user)


def _my_forms(**bound):
    """The person shown on /me, the record holding their language and zone, and the page's
    forms, bound to the form sent (by default) or to none (`formdata=None`: the page shown in
    the answer to another page's form). Shown, or another form sent, each form keeps the
    state of the record it edits."""
    preferences = PreferencesForm(prefix="prefs", obj=current_user, **bound)
    password_form = ChangePasswordForm(prefix=PASSWORD_FORM, account=current_user.email, **bound)
    person = registry_queries.person_with_profile(current_user.person_id)
    profile = ProfileForm(prefix="profile", obj=person, **bound) if person is not None else None
    # The language and zone are the person's, which the Office may change too (an account
    # without a person holds its own).
    held = person if person is not None else current_user._get_current_object()
    showing(held, *[form for form in (profile, preferences)
                    if form is not None and not form.submit.data])
    return person, held, preferences, password_form, profile


def _my_page(person, preferences, password_form, profile, *, calendar_link=None, **bound):
    return render_template("accounts/me.html", preferences=preferences,
                           password_form=password_form, profile=profile,
                           calendar_link=calendar_link,
                           may_subscribe=services.may_subscribe_to_calendar(current_user),
                           appointments=registry_queries.current_appointments(
                               person, today=viewer_today()) if person is not None else [],
                           record=learning_record(person) if person is not None else None,
                           newsletter=NewsletterForm(prefix="news", data={
                               "receive": not is_opted_out(person)}, **bound)
                           if person is not None else None,
                           induction=induction_queries.progress_of_person(person),
                           terms_form=TermsReadForm(**bound), language=current_language())


@bp.route("/me", methods=["GET", "POST"])
@signed_in
# The current password that the password change asks is refused as often as at sign-in: a
# session left open is no way to try one password after another (ASVS V2.2.1).
@limiter.limit(_login_account_limit, methods=["POST"], deduct_when=_only_failed_logins,
               key_func=_signed_in_account_key, exempt_when=_not_a_password_change)
def me():
    person, held, preferences, password_form, profile = _my_forms()
    # Sent by the language switch, the form sent is checked and shown, never saved.
    switching = resend_entries(profile, preferences, password_form)
    if profile is not None and profile.submit.data and profile.validate_on_submit() and \
            not switching:
        ok, __ = commit_service(unless_crossed(profile, person, lambda: _save_profile(
            person, profile)), form=profile)
        if ok:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("accounts.me"))
    if preferences.submit.data and preferences.validate_on_submit() and not switching:
        ok, __ = commit_service(unless_crossed(preferences, held, lambda: (
            services.update_preferences(current_user, locale=preferences.locale.data,
                                        time_zone=preferences.time_zone.data))),
            form=preferences)
        if ok:
            session[LANG_SESSION_KEY] = preferences.locale.data
            flash(_("Your preferences are saved."), "success")
            return redirect(url_for("accounts.me"))
    if password_form.submit.data and password_form.validate_on_submit() and not switching:
        ok, __ = commit_service(services.change_password, current_user,
                                password_form.current_password.data,
                                password_form.password.data, form=password_form)
        if ok:
            # The session token changed: sign this session in again with the new one, kept
            # on this device as it was ("Keep me signed in": its cookie holds the old token).
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") \
                in request.cookies
            login_user(current_user._get_current_object(), remember=remembered)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("accounts.me"))
    return _my_page(person, preferences, password_form, profile)


@bp.route("/me/calendar", methods=["POST"])
@signed_in
def regenerate_calendar():
    """A new feed address, shown once on the account page that answers. The first is created
    at once; a new one stops the current address in every calendar subscribed to it, so it is
    confirmed first. The address is never kept in the session for a page to come: the
    session is a cookie that whoever holds it can read (ASVS V3.2.3)."""
    if current_user.person is None:
        abort(403)
    back = url_for("accounts.me") + "#me-calendar"
    if current_user.calendar_token_hash is not None and (asked := confirmation_step(
            _calendar_replacement, back=back)) is not None:
        return asked
    ok, raw = commit_service(services.regenerate_calendar_token, current_user)
    if not ok:
        return redirect(back)
    flash(_("Your new calendar subscription address is ready; the previous one no longer "
            "works."), "success")
    person, _held, *forms = _my_forms(formdata=None)
    return _my_page(person, *forms, formdata=None, calendar_link=url_for(
        "calendar.personal_feed", token=raw, _external=True))


def _calendar_replacement():
    services.check_calendar_subscription(current_user)
    return _("Create a new subscription address"), [
        _("Your current subscription address stops working at once in every calendar "
          "application subscribed to it."),
        _("The new address is shown only once, on your account page: subscribe to it again in "
          "each of your calendar applications.")]
