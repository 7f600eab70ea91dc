"""The application factory, read as a list of named steps."""
import importlib
import time
from datetime import timedelta
from pathlib import Path

import bootstrap_wrapper
from flask import Blueprint, Flask, current_app, g, render_template, request
from flask_babel import format_date, format_percent, format_time, format_timedelta
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from config import BASE_DIR, ProductionConfig, get_config
from gfp_portal.accounts import history as accounts_history
from gfp_portal.accounts import queries as accounts_queries
from gfp_portal.accounts.cli import users_cli
from gfp_portal.accounts.views import bp as accounts_bp
from gfp_portal.admin.views import bp as admin_bp
from gfp_portal.attendance import evaluations
from gfp_portal.attendance import history as attendance_history
from gfp_portal.attendance import queries as attendance_queries
from gfp_portal.attendance import services as attendance_services
from gfp_portal.attendance.certificate_views import bp as certificates_bp
from gfp_portal.attendance.evaluation_views import bp as evaluations_bp
from gfp_portal.attendance.report_views import bp as meeting_reports_bp
from gfp_portal.attendance.views import bp as attendance_bp
from gfp_portal.core import (
    auth,
    catalogs,
    data_version,
    engine,
    fragments,
    http,
    i18n,
    redis_clients,
    search,
    settings,
    timezones,
    transactions,
)
from gfp_portal.core import history as core_history
from gfp_portal.core.assets import assets_cli, register_assets
from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs_cli import jobs_cli
from gfp_portal.core.logs import redact_tokens_in_logs
from gfp_portal.core.mail_cli import mail_cli
from gfp_portal.core.proxy import TrustedProxyFix
from gfp_portal.core.request_log import configure_logging
from gfp_portal.core.storage_cli import storage_cli
from gfp_portal.coverage import history as coverage_history
from gfp_portal.coverage import queries as coverage_queries
from gfp_portal.coverage import reminders as coverage_reminders
from gfp_portal.coverage.cli import coverage_cli
from gfp_portal.coverage.views import bp as coverage_bp
from gfp_portal.demo.cli import demo_cli
from gfp_portal.extensions import babel, compress, csrf, db, limiter, login_manager, migrate
from gfp_portal.induction import history as induction_history
from gfp_portal.induction import services as induction_services
from gfp_portal.induction.views import bp as induction_bp
from gfp_portal.main.dashboard_views import bp as dashboard_bp
from gfp_portal.main.job_views import bp as jobs_bp
from gfp_portal.main.views import bp as main_bp
from gfp_portal.messages import history as messages_history
from gfp_portal.messages import services as messages_services
from gfp_portal.messages.views import bp as messages_bp
from gfp_portal.nominations import history as nominations_history
from gfp_portal.nominations import services as nominations_services
from gfp_portal.nominations.cli import nominations_cli
from gfp_portal.nominations.join_views import bp as join_bp
from gfp_portal.nominations.views import bp as nominations_bp
from gfp_portal.parity import history as parity_history
from gfp_portal.parity import queries as parity_queries
from gfp_portal.parity.views import bp as parity_bp
from gfp_portal.plans import history as plans_history
from gfp_portal.plans import reminders as plans_reminders
from gfp_portal.plans.views import bp as plans_bp
from gfp_portal.practices import history as practices_history
from gfp_portal.practices import queries as practices_queries
from gfp_portal.practices.views import bp as practices_bp
from gfp_portal.privacy import history as privacy_history
from gfp_portal.privacy import retention
from gfp_portal.privacy.cli import privacy_cli
from gfp_portal.privacy.views import bp as privacy_bp
from gfp_portal.programme import history as programme_history
from gfp_portal.programme.views import bp as programme_bp
from gfp_portal.reference import countries
from gfp_portal.reference import history as reference_history
from gfp_portal.reference.cli import reference_cli
from gfp_portal.reference.views import bp as reference_bp
from gfp_portal.registry import history as registry_history
from gfp_portal.registry import policy
from gfp_portal.registry.cli import registry_cli
from gfp_portal.registry.views import bp as registry_bp
from gfp_portal.resources import history as resources_history
from gfp_portal.resources.views import bp as resources_bp
from gfp_portal.sessions import history as sessions_history
from gfp_portal.sessions import priority
from gfp_portal.sessions import services as sessions_services
from gfp_portal.sessions.cli import sessions_cli
from gfp_portal.sessions.models import WaitlistPolicy
from gfp_portal.sessions.topic_views import bp as topics_bp
from gfp_portal.sessions.views import bp as sessions_bp
from gfp_portal.sessions.views import calendar_bp

# The modules that declare something by being imported, lowest layer first. Each is loaded
# once, here, by name, so that nothing in the app depends on an import made for its side effect.
DECLARING_MODULES = (
    # Models: SQLAlchemy's metadata (create_all, Alembic) must know every table.
    "gfp_portal.core.audit",
    "gfp_portal.core.data_version",
    "gfp_portal.core.file_stores",
    "gfp_portal.core.jobs",
    "gfp_portal.core.outbox",
    "gfp_portal.core.settings",
    "gfp_portal.reference.models",
    "gfp_portal.registry.models",
    "gfp_portal.accounts.models",
    "gfp_portal.sessions.models",
    "gfp_portal.nominations.models",
    "gfp_portal.resources.models",
    "gfp_portal.practices.models",
    "gfp_portal.plans.models",
    "gfp_portal.attendance.models",
    "gfp_portal.coverage.models",
    "gfp_portal.parity.models",
    "gfp_portal.messages.models",
    "gfp_portal.programme.models",
    "gfp_portal.induction.models",
    "gfp_portal.privacy.models",
    # Hooks on the database session: stored files follow the transaction.
    "gfp_portal.resources.files",
    # Receivers of the domain signals (the calendar feed ends with the last appointment).
    "gfp_portal.accounts.services",
    "gfp_portal.attendance.services",
    "gfp_portal.nominations.services",
    "gfp_portal.programme.receivers",
    "gfp_portal.registry.services",
    "gfp_portal.sessions.registration",
    "gfp_portal.induction.services",
    "gfp_portal.plans.services",
    "gfp_portal.privacy.former_addresses",
    # Jobs and periodic jobs, declared next to their domain.
    "gfp_portal.core.jobs_sweep",
    "gfp_portal.core.storage_jobs",
    "gfp_portal.registry.jobs",
    "gfp_portal.nominations.jobs",
    "gfp_portal.sessions.jobs",
    "gfp_portal.attendance.jobs",
    "gfp_portal.coverage.jobs",
    "gfp_portal.plans.jobs",
    "gfp_portal.parity.jobs",
    "gfp_portal.messages.jobs",
    "gfp_portal.privacy.jobs",
    "gfp_portal.programme.jobs",
    "gfp_portal.induction.jobs",
)

CSP = {
    "default-src": "'self'",
    "img-src": ["'self'", "data:"],
    "style-src": "'self'",
    "script-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}


def create_app(config=None):
    config_class = get_config(config) if config is None or isinstance(config, str) else config
    if config_class is ProductionConfig:
        ProductionConfig.check()
    app = Flask(__name__, template_folder=str(BASE_DIR / "templates"),
                static_folder=str(BASE_DIR / "static"), instance_path=str(BASE_DIR / "instance"))
    app.config.from_object(config_class)
    app.url_map.converters["int"] = http.IdConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    import_declaring_modules()
    configure_logging(app)
    register_proxy(app)
    register_assets(app)
    register_extensions(app)
    register_settings(app)
    register_waitlist_rules()
    register_security(app)
    register_blueprints(app)
    register_jobs(app)
    register_history(app)
    redact_tokens_in_logs(app)
    register_errorhandlers(app)
    register_jinja(app)
    register_cli(app)
    return app


def import_declaring_modules():
    for name in DECLARING_MODULES:
        importlib.import_module(name)


def register_proxy(app):
    if app.config["PROXY_COUNT"]:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, hops=app.config["PROXY_COUNT"],
                                       addresses=app.config["PROXY_ADDRESSES"])


def register_extensions(app):
    db.init_app(app)
    transactions.init_app(app)
    data_version.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True,
                     include_object=search.in_models)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    catalogs.install(app.jinja_env)
    app.request_class = catalogs.PortalRequest
    app.config["RATELIMIT_STORAGE_OPTIONS"] = redis_clients.limiter_storage_options(app.config)
    limiter.init_app(app)
    compress.init_app(app)  # HTML and JSON answers; static files come compressed already
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.unauthorized_handler(auth.sign_in_first)

    login_manager.user_loader(accounts_queries.active_user_by_session_token)


def register_waitlist_rules():
    """Each waiting-list priority is applied by the domain that knows who it names (the gaps
    of the day a seat is given)."""
    priority.register_rule(WaitlistPolicy.coverage_gap,
                           lambda session, person_ids: coverage_queries.people_in_gaps(
                               person_ids, today=utcnow().date()))
    priority.register_rule(WaitlistPolicy.not_trained, attendance_queries.not_yet_trained)
    priority.register_rule(WaitlistPolicy.below_parity, parity_queries.people_below_parity)
    if priority.missing_rules():
        raise RuntimeError(f"waiting-list policies without a rule: {priority.missing_rules()}")


def register_settings(app):
    """Each domain declares the settings it reads, with their shipped defaults."""
    for defaults in (policy.DEFAULT_SETTINGS, coverage_reminders.DEFAULT_SETTINGS,
                     nominations_services.DEFAULT_SETTINGS, sessions_services.DEFAULT_SETTINGS,
                     attendance_services.DEFAULT_SETTINGS, evaluations.DEFAULT_SETTINGS,
                     practices_queries.DEFAULT_SETTINGS, plans_reminders.DEFAULT_SETTINGS,
                     parity_queries.DEFAULT_SETTINGS, messages_services.DEFAULT_SETTINGS,
                     retention.DEFAULT_SETTINGS, induction_services.DEFAULT_SETTINGS):
        settings.register_defaults(defaults)


def register_security(app):
    # One Talisman per app: it keeps its options on the instance, not per app.
    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        content_security_policy=CSP,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
    )
    app.before_request(http.refuse_nul_bytes)
    app.before_request(http.refuse_json_forms)
    app.before_request(auth.enforce_declared_rules)
    app.after_request(http.no_store)


def register_blueprints(app):
    # Bootstrap's compiled CSS/JS (LTR and RTL builds) come from the bootstrap-wrapper package.
    vendor = Blueprint("bootstrap", __name__,
                       static_folder=str(bootstrap_wrapper.get_bootstrap_dir()),
                       static_url_path="/static/vendor/bootstrap")
    for blueprint in (vendor, main_bp, accounts_bp, admin_bp, reference_bp, registry_bp,
                      coverage_bp, nominations_bp, join_bp, sessions_bp, calendar_bp,
                      resources_bp, practices_bp, attendance_bp, meeting_reports_bp,
                      evaluations_bp, certificates_bp, plans_bp, parity_bp, messages_bp,
                      jobs_bp, dashboard_bp, privacy_bp, programme_bp, topics_bp,
                      induction_bp):
        app.register_blueprint(blueprint)


def register_history(app):
    """Each domain says in words what its audit events mean."""
    for domain in (core_history, reference_history, registry_history, accounts_history,
                   nominations_history, sessions_history, programme_history, attendance_history,
                   resources_history, practices_history, coverage_history, plans_history,
                   parity_history, messages_history, privacy_history, induction_history):
        domain.register()
    app.jinja_env.globals["history_entry"] = core_history.entry


def register_jobs(app):
    # Each domain declares its jobs and periodic jobs in its jobs.py (DECLARING_MODULES).
    engine.init_app(app)


# The error pages the portal writes; any other code gets errors/generic.html.
ERROR_PAGES = (400, 403, 404, 405, 413, 429, 500, 503)
# How long a page answered while the database is unreachable asks the browser to wait.
DATABASE_RETRY_AFTER = 60


def register_errorhandlers(app):
    def render_error(error):
        code = error.code if isinstance(error, HTTPException) else 500
        template = f"errors/{code}.html" if code in ERROR_PAGES else "errors/generic.html"
        # What the error says besides its page: a 405's Allow (RFC 9110).
        headers = [(name, value) for name, value in error.get_headers()
                   if name.lower() != "content-type"] if isinstance(error, HTTPException) else []
        return _error_page(template, code, headers, error=error, rolled_back=code == 500,
                           wait=_wait_before_retry() if code == 429 else None)

    def render_csrf_error(error):
        return render_template("errors/400.html", error=error, code=400, csrf=True), 400

    def render_database_unreachable(error):
        """The database refused or lost the connection, or could not complete the work (a
        deadlock, a timeout): the person is told to come back, in their language, signed in
        or not, since their account cannot be read."""
        app.log_exception((type(error), error, error.__traceback__))
        _as_nobody_signed_in()
        return _error_page("errors/503.html", 503,
                           [("Retry-After", str(DATABASE_RETRY_AFTER))], error=error)

    for code in ERROR_PAGES:
        app.register_error_handler(code, render_error)
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(OperationalError, render_database_unreachable)


def _error_page(template, code, headers, *, rolled_back=False, **context):
    """The error page, with the request's work rolled back first when asked. When the database
    cannot be read (the page shows who is signed in, and reads them again after a rollback),
    it is shown as to somebody signed out, in the language the request asks for."""
    try:
        if rolled_back:
            db.session.rollback()
        return render_template(template, code=code, **context), code, headers
    except SQLAlchemyError:
        current_app.logger.warning("The database is unreachable: the error page is shown "
                                   "signed out", exc_info=True)
        _as_nobody_signed_in()
        return render_template(template, code=code, **context), code, headers


def _as_nobody_signed_in():
    """For the rest of the request nobody is signed in (Flask-Login's user of the request),
    and the database's session is closed: nothing the page shows reads the database."""
    try:
        db.session.remove()
    except SQLAlchemyError:  # the connection is gone: it held nothing to keep
        current_app.logger.warning("The database session could not be closed", exc_info=True)
    g._login_user = login_manager.anonymous_user()


def _wait_before_retry():
    """How long a request a rate limit held back waits, in words ("1 day"): until its limit's
    window resets; None when no limit says."""
    current = limiter.current_limit
    if current is None:
        return None
    try:
        reset_at = current.reset_at
    except limiter.storage.base_exceptions:
        # The store went away since it held the request back: the page says a minute.
        limiter.logger.warning("Rate limit storage unreachable - the wait is not known")
        return None
    return format_timedelta(timedelta(seconds=max(reset_at - time.time(), 1)))


def ltr_value(value):
    """An email, code, address or number that reads left to right inside any sentence, and
    breaks within itself rather than leave its label's line."""
    return Markup('<bdi dir="ltr" class="ltr-value">{}</bdi>').format(value)


def name_and_title(name, title):
    """"Name, Title" isolated as one value, so a right-to-left page keeps its order."""
    return Markup('<bdi class="name-title">{}</bdi>').format(i18n.name_and_title(name, title))


def mark_refused():
    """Called by the macros that show what is wrong with a form (macros/forms.html): the
    page's title then says that it holds an error (base.html renders the page's body before
    its head)."""
    g.form_refused = True
    return ""


def main_menu():
    """The main menu: rendered once per language, set of roles and page, which is all that
    templates/_main_menu.html reads (the script root too, which its links start with)."""
    roles = current_user.roles if current_user.is_authenticated else None
    return fragments.rendered_once("_main_menu.html", i18n.current_language(),
                                   request.script_root, request.endpoint, roles)


def register_jinja(app):
    app.jinja_env.globals.update(
        warning_titles=policy.WARNING_TITLES,
        current_language=i18n.current_language,
        text_direction=i18n.text_direction,
        is_rtl=i18n.is_rtl,
        language_name=i18n.language_name,
        language_label=i18n.language_label,
        country_name=countries.country_name,
        file_size=i18n.file_size,
        list_separator=i18n.list_separator,
        zone_name=lambda name: timezones.zone_name(name, i18n.current_language()),
        ltr=ltr_value,
        practices_public=practices_queries.library_is_public,
        name_and_title=name_and_title,
        language_switch=lambda: http.language_switch(app.config["LANGUAGES"]),
        with_query=http.with_query,
        list_address=http.list_address,
        back_to_list=http.back_to_list,
        came_from=http.came_from,
        main_menu=main_menu,
        mark_refused=mark_refused,
        may_open=auth.may_open,
        format_date=format_date,
        format_moment=timezones.moment_reading,
        format_decimal=i18n.format_number,
        format_percent=format_percent,
        format_time=format_time,
    )
    app.jinja_env.filters["join_list"] = i18n.join_list
    app.jinja_env.filters["language_name"] = i18n.language_name
    app.jinja_env.filters["language_label"] = i18n.language_label
    app.jinja_env.filters["sort_countries"] = countries.sort_by_name
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def register_cli(app):
    for group in (users_cli, assets_cli, mail_cli, jobs_cli, storage_cli, reference_cli,
                  demo_cli, coverage_cli, registry_cli, nominations_cli, sessions_cli,
                  privacy_cli):
        app.cli.add_command(group)
