"""The suite's ground: one migrated database per run, emptied after every test; the app, its
clients and the reference data. Shared factories live in tests/factories.py, plain helpers in
tests/helpers.py."""
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import exists, select, text

from gfp_portal.app import create_app
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db, limiter
from gfp_portal.reference.models import Entity, Unct, UnctCountry
from gfp_portal.reference.services import load_reference_data
from gfp_portal.sessions.models import Topic
from gfp_portal.sessions.topics import seed_rows
from tests.helpers import copy_rows, paste_rows, tables_with_rows

pytest_plugins = ["tests.factories"]


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
            # Emptied children first; the data version only grows: what a test computed under
            # a number must never be reused by a later test that reaches the same number.
            for table in reversed(tables_with_rows(connection)):
                connection.execute(table.delete())
            # The shipped topics are data of the schema (migration 0022): every test has them.
            connection.execute(Topic.__table__.insert(), seed_rows(now=utcnow()))
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


_reference_rows = []  # what loading the shipped files wrote: the same for every test


@pytest.fixture
def reference(app):
    """The shipped entities and UN Country Teams, with the audit event that loading them
    writes: loaded by the service once, then copied row for row into later tests."""
    with app.app_context():
        if _reference_rows and not db.session.scalar(select(exists().select_from(Entity))):
            return paste_rows(_reference_rows)
        first = not db.session.scalar(select(exists().select_from(AuditEvent))) and \
            not db.session.scalar(select(exists().select_from(Entity)))
        load_reference_data()
        db.session.commit()
        if first and not _reference_rows:
            _reference_rows.extend(copy_rows((Entity.__table__, Unct.__table__,
                                              UnctCountry.__table__, AuditEvent.__table__)))
