"""Settings: production refuses to start half-configured; demo data stays out of production."""
import re

import pytest
from sqlalchemy import select

from config import ProductionConfig
from gfp_portal.app import create_app
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.redis_clients import limiter_storage_options
from gfp_portal.extensions import db


@pytest.fixture(autouse=True)
def _server_name(monkeypatch):
    monkeypatch.setenv("SERVER_NAME", "gfp.example.org")


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY, DATABASE_URL"):
        create_app("production")


def test_production_refuses_to_start_without_the_host_its_links_name(monkeypatch, tmp_path):
    """Without SERVER_NAME, an email queued in a request (a password reset) would link to
    whatever host that request named: a reset asked under a forged host would send the
    person a link to that host."""
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.delenv("SERVER_NAME")
    with pytest.raises(RuntimeError, match="without: SERVER_NAME"):
        create_app("production")


@pytest.fixture
def production_app(app):
    class ProductionLike(ProductionConfig):
        # The suite's own database, migrated by the session's app (never the production one).
        SQLALCHEMY_DATABASE_URI = app.config["SQLALCHEMY_DATABASE_URI"]
        RATELIMIT_STORAGE_URI = "memory://"
        SERVER_NAME = "gfp.example.org"
        FORCE_HTTPS = False
        WTF_CSRF_ENABLED = False
        PROXY_COUNT = 1
        PROXY_ADDRESSES = ("127.0.0.1",)

    production = create_app(ProductionLike)
    yield production
    with production.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("headers", [{"Host": "evil.example"},
                                     {"X-Forwarded-Host": "evil.example"}])
def test_an_email_queued_in_a_request_links_to_the_server_name_whatever_host_it_named(
        production_app, create_user, headers):
    create_user("fp@example.org", locale="fr")
    production_app.test_client().post(
        "/password/reset", data={"email": "fp@example.org"},
        headers={"X-Forwarded-Proto": "https", **headers},
        environ_base={"REMOTE_ADDR": "127.0.0.1"}).close()
    with production_app.app_context():
        mail = db.session.scalars(select(OutboxMessage)).one()
        link = re.search(r"\w+://\S+", mail.body_text).group(0)
    assert link.startswith("https://gfp.example.org/password/reset/"), link


def test_production_starts_when_configured(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["ENV_NAME"] == "production"


def test_demo_seed_is_refused_under_production(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("RATELIMIT_SINGLE_PROCESS", "1")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    app = create_app("production")
    result = app.test_cli_runner().invoke(args=["demo", "seed"])
    assert result.exit_code != 0 and "production" in result.output


def test_unknown_config_name_is_an_error():
    with pytest.raises(RuntimeError, match="Unknown GFP_CONFIG"):
        create_app("staging")


def test_production_refuses_to_count_rate_limits_in_each_worker_alone(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS", raising=False)
    with pytest.raises(RuntimeError, match="RATELIMIT_STORAGE_URI"):
        create_app("production")


@pytest.mark.parametrize("env", [{"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0"},
                                 {"RATELIMIT_SINGLE_PROCESS": "1"}])
def test_production_accepts_a_shared_rate_limit_store_or_a_single_process(monkeypatch, env):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://gfp@db/gfp")
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    monkeypatch.delenv("RATELIMIT_SINGLE_PROCESS", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    ProductionConfig.check()


def test_the_rate_limits_wait_for_redis_no_longer_than_the_setting():
    base = {"REDIS_TIMEOUT_SECONDS": 2.5}
    assert limiter_storage_options({**base, "RATELIMIT_STORAGE_URI": "redis://r:6379/0"}) == \
        {"socket_connect_timeout": 2.5, "socket_timeout": 2.5}
    # Another store is not given Redis's options; options the config sets itself are kept.
    assert limiter_storage_options({**base, "RATELIMIT_STORAGE_URI": "memory://"}) == {}
    assert limiter_storage_options({**base, "RATELIMIT_STORAGE_URI": "rediss://r:6379/0",
                                    "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 9}}) == \
        {"socket_connect_timeout": 2.5, "socket_timeout": 9}



def test_production_logs_no_value_a_failed_statement_was_sent():
    """A statement that fails is logged with its traceback (a job, a 500): in production its
    message names the statement, never the values sent with it (an address, a name)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import IntegrityError

    engine = create_engine("sqlite://", **ProductionConfig.SQLALCHEMY_ENGINE_OPTIONS)
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE addresses (email TEXT UNIQUE)"))
        connection.execute(text("INSERT INTO addresses VALUES (:email)"),
                           {"email": "amina@undp.org"})
        with pytest.raises(IntegrityError) as refused:
            connection.execute(text("INSERT INTO addresses VALUES (:email)"),
                               {"email": "amina@undp.org"})
    assert "INSERT INTO addresses" in str(refused.value)
    assert "amina@undp.org" not in str(refused.value)
