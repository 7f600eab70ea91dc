"""Settings for each environment; the only module that reads the process environment."""
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env(name, default=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# The periodic jobs and when each runs (crontab lines, UTC); SCHEDULE_<NAME> overrides one,
# e.g. SCHEDULE_SESSIONS_SEND_REMINDERS="*/10 * * * *".
JOB_SCHEDULE_DEFAULTS = {
    "registry.send-alerts": "0 5 * * *",  # daily
    "coverage.remind": "15 5 * * *",  # daily (each RC at most once per reminder period)
    "plans.remind": "30 5 * * *",  # daily (each plan once per threshold)
    "induction.remind": "45 5 * * *",  # daily (each person reminded at most once a week)
    "nominations.send-digest": "0 6 * * *",  # daily
    "nominations.purge-unconfirmed": "30 3 * * *",  # daily
    "programme.purge-unconfirmed": "35 3 * * *",  # daily
    "sessions.send-reminders": "5 * * * *",  # hourly
    "sessions.send-evaluation-reminders": "0 9 * * *",  # daily
    "storage.purge-pending": "45 3 * * *",  # daily
    "privacy.apply-retention": "15 4 * * *",  # daily
    "jobs.sweep-stale": "*/10 * * * *",  # every ten minutes
}


def _schedule():
    return {name: _env("SCHEDULE_" + name.upper().replace(".", "_").replace("-", "_"), cron)
            for name, cron in JOB_SCHEDULE_DEFAULTS.items()}


def _database_url(default):
    url = _env("DATABASE_URL", default)
    # Hosting platforms still hand out postgres:// URLs; SQLAlchemy wants a driver name.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


class Config:
    ENV_NAME = "development"
    SECRET_KEY = _env("SECRET_KEY", "dev-only-secret-key-change-me")
    SERVER_NAME = _env("SERVER_NAME")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'gfp_portal.db'}")
    # No "ping" round trip before each request's first query: connections are replaced after
    # DATABASE_POOL_RECYCLE seconds instead (below the server's or a proxy's idle timeout).
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": False,
                                 "pool_recycle": int(_env("DATABASE_POOL_RECYCLE", "1800"))}
    # Where uploads and pending previews live: "local" (STORAGE_PATH on this machine) or
    # "database" (the database every machine shares; needed once several machines serve).
    STORAGE_BACKEND = _env("STORAGE_BACKEND", "local")
    STORAGE_PATH = _env("STORAGE_PATH", str(INSTANCE_DIR / "storage"))
    # Where `flask --app wsgi assets build` writes the fingerprinted, compressed static files,
    # and whether they are served from there (production) or as they are from static/.
    STATIC_BUILD_PATH = _env("STATIC_BUILD_PATH", str(BASE_DIR / "build" / "static"))
    SERVE_BUILT_STATIC = _env_bool("SERVE_BUILT_STATIC", False)
    # An import preview not confirmed within this time is deleted (`flask storage purge-pending`).
    PENDING_PREVIEW_HOURS = 24
    # A registry export of more people than this is prepared by a job and offered for download
    # from the job's page; a smaller one is sent at once. Prepared files are kept this long.
    REGISTRY_EXPORT_INLINE_MAX = int(_env("REGISTRY_EXPORT_INLINE_MAX", "1000"))
    EXPORT_KEEP_HOURS = 24
    # A request body above this is refused outright (413); each upload has its own, lower limit.
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    NOMINATION_LETTER_MAX_BYTES = 10 * 1024 * 1024
    PLAN_DOCUMENT_MAX_BYTES = NOMINATION_LETTER_MAX_BYTES
    JOIN_VERIFY_DAYS = 7  # an unconfirmed request to join expires, then is purged
    JOIN_AMEND_DAYS = 30  # the link to amend a request when the Office asks for more
    JOIN_RATE_LIMIT = "5 per hour"  # requests to join, per IP address
    JOIN_EMAIL_RATE_LIMIT = "3 per day"  # requests to join, per email address
    # Guests asking for a place or confirming it, per IP address (a meeting room shares one).
    GUEST_RATE_LIMIT = "60 per hour"
    GUEST_EMAIL_RATE_LIMIT = "5 per day"  # requests for a place, per email address
    # Largest file accepted for one language version of a library resource.
    RESOURCE_MAX_BYTES = int(_env("RESOURCE_MAX_MB", "25")) * 1024 * 1024

    LANGUAGES = ("en", "fr", "es", "ar")
    RTL_LANGUAGES = ("ar",)
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # However busy, a sign-in ends this many hours after the password was given (ASVS V3.3.2):
    # the cookie's own lifetime above starts again whenever the session changes.
    SIGN_IN_MAX_HOURS = 12
    FORCE_HTTPS = False
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the signed session

    # Argon2id parameters (RFC 9106 "second recommended" profile).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_COST = 65536
    PASSWORD_HASH_PARALLELISM = 4
    PASSWORD_MIN_LENGTH = 10
    ACTIVATION_TOKEN_HOURS = 72
    RESET_TOKEN_HOURS = 2

    # How long any call to Redis (the rate-limit counters, the job queue) waits to connect, and
    # then for each answer, before it fails: a Redis that hangs, or a network that drops what
    # is sent, is then met as one that refuses the connection (the limits count in each
    # worker's memory; a saved job waits for the sweep) rather than holding the request.
    REDIS_TIMEOUT_SECONDS = float(_env("REDIS_TIMEOUT_SECONDS", "3"))

    # Where rate limits count. memory:// counts in each process alone: production refuses it
    # unless RATELIMIT_SINGLE_PROCESS says the portal runs as one process.
    RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_SINGLE_PROCESS = _env_bool("RATELIMIT_SINGLE_PROCESS", False)
    RATELIMIT_KEY_PREFIX = "gfp-portal"
    # When the shared store is unreachable, each worker counts in its own memory until it is
    # back: people can still sign in, and guesses are still limited.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # The fallback starts with the next check; a store that goes away after a request's check
    # (while a refused password is then counted) must not turn the answer into a 500: the
    # error is logged and that one count is lost.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "5 per minute"  # refused passwords, per account
    LOGIN_ADDRESS_RATE_LIMIT = "20 per minute"  # refused passwords, per address, any account
    CHECK_IN_RATE_LIMIT = "10 per minute"  # check-in codes and certificate verification
    RESET_RATE_LIMIT = "5 per 15 minutes"  # reset requests and new passwords, per IP address
    # Reset requests per email address asked for, from any IP address, whether or not an
    # account uses it: one mailbox is not flooded with reset emails.
    RESET_EMAIL_RATE_LIMIT = "5 per day"

    MAIL_TRANSPORT = _env("MAIL_TRANSPORT", "file")
    MAIL_FILE_DIR = _env("MAIL_FILE_DIR", str(INSTANCE_DIR / "mail"))
    MAIL_SERVER = _env("MAIL_SERVER", "localhost")
    MAIL_PORT = int(_env("MAIL_PORT", "25"))
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USERNAME = _env("MAIL_USERNAME")
    MAIL_PASSWORD = _env("MAIL_PASSWORD")
    MAIL_TIMEOUT = 20
    MAIL_DEFAULT_SENDER = _env("MAIL_DEFAULT_SENDER", "GFP Portal <no-reply@gfp-portal.local>")
    ORGANIZER_EMAIL = _env("ORGANIZER_EMAIL", "focalpointforwomen@gfp-portal.local")
    MAIL_MAX_ATTEMPTS = 8
    MAIL_RETRY_BASE_SECONDS = 60
    MAIL_RETRY_MAX_SECONDS = 6 * 3600
    MAIL_BATCH_SIZE = 50
    MAIL_POLL_SECONDS = 5

    # The job engine's queue: a SQLite file on one machine, redis://host:6379/N across
    # machines. The worker runs JOBS_WORKERS threads and, unless told not to, the outbox.
    JOBS_URL = _env("JOBS_URL", "sqlite:///" + str(INSTANCE_DIR / "jobs.db"))
    JOBS_IMMEDIATE = False  # run each job at once, inside the caller (tests)
    JOBS_WORKERS = int(_env("JOBS_WORKERS", "2"))
    JOBS_DELIVER_MAIL = _env_bool("JOBS_DELIVER_MAIL", True)
    JOBS_SCHEDULE = _schedule()
    # A running job whose worker has not been heard from for this long (it crashed or was
    # killed) is marked as failed by the sweep; a worker says it is alive four times as often.
    JOBS_STALE_SECONDS = int(_env("JOBS_STALE_SECONDS", "600"))
    # A periodic run stopped by an unexpected error or a worker's failure is run again by the
    # next sweep, up to this many attempts in all (core.jobs.run_failed_again).
    JOBS_RUN_ATTEMPTS = int(_env("JOBS_RUN_ATTEMPTS", "3"))
    # A changed or cancelled session notifies up to this many registered people within the
    # request; beyond it a job sends the notices and the page shows its progress.
    SESSION_NOTICES_INLINE_MAX = int(_env("SESSION_NOTICES_INLINE_MAX", "20"))

    PER_PAGE = 25
    # Log lines go to standard error: text for people in development, one JSON object per
    # line in production for the log collector; each carries the request id.
    LOG_FORMAT = _env("LOG_FORMAT", "text")
    LOG_LEVEL = _env("LOG_LEVEL", "INFO").upper()
    # Number of reverse proxies in front of the app whose X-Forwarded-* headers are believed
    # (none unless set), and the addresses or networks those proxies connect from: a request
    # from anywhere else keeps its own address, so a client cannot pick one to dodge limits.
    PROXY_COUNT = int(_env("PROXY_COUNT", "0"))
    PROXY_ADDRESSES = tuple(a.strip() for a in _env("PROXY_ADDRESSES", "127.0.0.1,::1").split(",")
                            if a.strip())


class DevelopmentConfig(Config):
    DEBUG = False
    TEMPLATES_AUTO_RELOAD = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    # The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
    SQLALCHEMY_DATABASE_URI = _env("TEST_DATABASE_URL",
                                   "sqlite:///" + str(INSTANCE_DIR / "test.db"))
    STORAGE_PATH = str(INSTANCE_DIR / "test-storage")
    STATIC_BUILD_PATH = str(INSTANCE_DIR / "test-static")
    SERVE_BUILT_STATIC = False
    MAIL_FILE_DIR = str(INSTANCE_DIR / "test-mail")
    WTF_CSRF_ENABLED = False  # the CSRF tests switch it back on
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_COST = 1024
    PASSWORD_HASH_PARALLELISM = 1
    SERVER_NAME = "portal.test"
    MAIL_RETRY_BASE_SECONDS = 60
    JOBS_IMMEDIATE = True
    JOBS_SCHEDULE = dict(JOB_SCHEDULE_DEFAULTS)
    # The Redis the job engine's Redis tests use (skipped when it does not answer, unless CI).
    TEST_JOBS_REDIS_URL = _env("TEST_JOBS_REDIS_URL", "redis://127.0.0.1:6379/5")
    # The Redis the rate-limit tests count in; CI must provide it, elsewhere they are skipped.
    TEST_REDIS_URL = _env("TEST_REDIS_URL", "redis://127.0.0.1:6379/2")
    TEST_REDIS_REQUIRED = _env_bool("CI", False)


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", True)
    # The scheme of the links written outside a request: the emails of the job worker and the
    # scheduler, which have no request to take it from.
    PREFERRED_URL_SCHEME = _env("PREFERRED_URL_SCHEME", "https")
    MAIL_TRANSPORT = _env("MAIL_TRANSPORT", "smtp")
    LOG_FORMAT = _env("LOG_FORMAT", "json")
    SERVE_BUILT_STATIC = _env_bool("SERVE_BUILT_STATIC", True)
    # A statement that fails is logged (a job's traceback, a 500) without the values sent
    # with it: they may be a person's address or name.
    SQLALCHEMY_ENGINE_OPTIONS = {**Config.SQLALCHEMY_ENGINE_OPTIONS, "hide_parameters": True}

    @classmethod
    def check(cls):
        # SERVER_NAME: the host every link of an email names. Without it an email queued in a
        # request (a password reset) links to the host that request named, the client's own.
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "SERVER_NAME")
                   if not _env(name)]
        if missing:
            raise RuntimeError(
                "ProductionConfig refuses to start without: " + ", ".join(missing)
            )
        storage = _env("RATELIMIT_STORAGE_URI", "memory://")
        if storage.startswith("memory://") and not _env_bool("RATELIMIT_SINGLE_PROCESS"):
            raise RuntimeError(
                "ProductionConfig refuses to count rate limits in memory, where each worker "
                "counts alone: set RATELIMIT_STORAGE_URI to a shared store "
                "(redis://host:6379/0), or RATELIMIT_SINGLE_PROCESS=1 if the portal runs "
                "as a single process"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name=None):
    """The config class named by the argument or by GFP_CONFIG (default: development)."""
    name = name or _env("GFP_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown GFP_CONFIG {name!r}; use one of {sorted(CONFIGS)}") from None
