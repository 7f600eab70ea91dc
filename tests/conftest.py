"""Shared fixtures: one migrated database per run, emptied after every test; factories."""
import re
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from gfp_portal.app import create_app
from gfp_portal.extensions import db, limiter

PASSWORD = "correct horse battery"


def _reset_database(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        db.engine.dispose()
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    # The schema comes from the migrations, exactly as in production.
    upgrade()


@pytest.fixture(scope="session")
def app():
    app = create_app("testing")
    with app.app_context():
        _reset_database(app)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(app):
    yield
    with app.app_context():
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
    limiter.reset()


@pytest.fixture
def ctx(app):
    """An application context for service tests (view tests must not hold one open)."""
    with app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def reference(app):
    """The shipped entities and UN Country Teams."""
    from gfp_portal.reference.services import load_reference_data

    with app.app_context():
        load_reference_data()
        db.session.commit()


@pytest.fixture
def create_user(app):
    """Create an account (active by default) and return its id."""
    from gfp_portal.accounts.models import User
    from gfp_portal.accounts.passwords import hash_password
    from gfp_portal.accounts.services import set_roles
    from gfp_portal.reference.models import Unct
    from gfp_portal.registry.models import Person

    counter = iter(range(1, 10_000))

    def _create(email=None, *, roles=("focal_point",), password=PASSWORD, uncts=(),
                active=True, locale="en", time_zone="UTC", given_name="Test",
                family_name="Person"):
        email = email or f"person{next(counter)}@example.org"
        with app.app_context():
            person = Person(given_name=given_name, family_name=family_name, email=email,
                            preferred_language=locale, time_zone=time_zone)
            user = User(email=email, person=person, is_active=active, locale=locale,
                        time_zone=time_zone,
                        password_hash=hash_password(password) if active else None)
            db.session.add(user)
            unct_rows = [db.session.scalars(db.select(Unct).filter_by(iso3=c)).one()
                         for c in uncts]
            set_roles(user, roles, unct_rows)
            db.session.commit()
            return user.id
    return _create


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


@pytest.fixture
def login_as(client, create_user):
    """Sign the test client in with a new account holding `roles`; returns the user id."""
    def _login(*roles, uncts=(), email=None):
        email = email or f"{'-'.join(roles) or 'nobody'}@example.org"
        user_id = create_user(email, roles=roles, uncts=uncts)
        response = login(client, email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user_id
    return _login


class QueryCounter:
    def __init__(self):
        self.statements = []

    def __call__(self, conn, cursor, statement, *args):
        self.statements.append(statement)

    @property
    def count(self):
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """Context manager factory counting the SQL statements sent while it is open."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        counter = QueryCounter()
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", counter)
    return _count


def csrf_token_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def real_redis(app, setting, purpose):
    """A connection to the real Redis named by the setting `setting`; when it does not answer
    the test fails under CI (which runs it) and is skipped elsewhere."""
    import redis

    url = app.config[setting]
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.ConnectionError:
        message = f"Redis does not answer at {url} ({setting})."
        if app.config["TEST_REDIS_REQUIRED"]:
            pytest.fail(f"{message} CI must run it: {purpose}")
        pytest.skip(message)
    return url, connection
