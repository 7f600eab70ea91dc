"""How a request's transaction ends when the view did not end it.

A view that changes something commits through core.http; whatever it left unsaved is rolled
back. A transaction that only read ends with COMMIT rather than ROLLBACK: for a read the two
are the same, but psycopg forgets every prepared statement of the connection on ROLLBACK, so
the statements every page sends (the signed-in user, the settings) would be planned afresh
on every request. A transaction counts as having only read when every statement it sent was
a SELECT and the session holds no change that is not yet flushed.
"""
import logging

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from gfp_portal.core.db import db

log = logging.getLogger(__name__)

_WROTE = "core.transactions.wrote"  # in the connection's info: its transaction sent a non-SELECT


@event.listens_for(Engine, "begin")
def _began(connection):
    connection.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _sending(connection, cursor, statement, parameters, context, executemany):
    if statement.lstrip()[:6].upper() != "SELECT":
        connection.info[_WROTE] = True


def only_read(session):
    """Whether the session's transaction has sent nothing but SELECTs and holds no change."""
    if session.new or session.dirty or session.deleted:
        return False
    return not session.connection().info.get(_WROTE, True)


def end_request_transaction(error=None):
    """Teardown of every request, before Flask-SQLAlchemy removes the session: commit a
    transaction that only read; the session's removal rolls back any other."""
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if session.get_transaction() is None or not only_read(session):
        return
    try:
        session.commit()
    except SQLAlchemyError:
        log.warning("a read-only transaction could not be committed; rolling it back",
                    exc_info=True)
        session.rollback()


def read_outside_transaction():
    """For a view that only reads, a statement or two, and is polled by machines (the calendar
    feed): its statements run each on its own, with no BEGIN or COMMIT sent around them, two
    round trips of the four such a request makes. Call it before the view's first statement;
    a write would be saved at once, so a view that may write must not call it. The connection
    is back in transactions when it returns to the pool."""
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def init_app(app):
    app.teardown_request(end_request_transaction)
