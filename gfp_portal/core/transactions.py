"""How a request's transaction ends when the view did not end it.

A view that changes something commits through core.http; whatever it left unsaved is rolled
back. A transaction that only read ends with COMMIT rather than ROLLBACK: for a read the two
are the same, but psycopg forgets every prepared statement of the connection on ROLLBACK, so
the statements every page sends (the signed-in user, the settings) would be planned afresh
on every request. A transaction counts as having only read when every statement it sent was
a SELECT and the session holds no change that is not yet flushed.
"""
import logging

from flask import current_app, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from gfp_portal.core.db import db

log = logging.getLogger(__name__)

_WROTE = "core.transactions.wrote"  # in the connection's info: its transaction sent a non-SELECT
_READS_ONLY = "gfp_reads_only"  # an execution option: the connection may send only SELECTs


@event.listens_for(Engine, "begin")
def _began(connection):
    connection.info[_WROTE] = False


@event.listens_for(Engine, "before_cursor_execute")
def _sending(connection, cursor, statement, parameters, context, executemany):
    if statement.lstrip()[:6].upper() != "SELECT":
        if connection.get_execution_options().get(_READS_ONLY):
            raise RuntimeError("a view that only reads sent a statement that writes")
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
    """For a view that only reads, a statement or two: its statements run each on its own, with
    no BEGIN or COMMIT sent around them, two round trips of the four such a request makes. Call
    it before the request's first statement. A statement that writes is refused before it is
    sent (it would be saved at once, alone). The connection is back in transactions when it
    returns to the pool. A session already in a transaction (a request served inside an
    application context that has one open) stays in it."""
    if db.session().in_transaction():
        return
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT", _READS_ONLY: True})


def reads_only(view):
    """Mark a view that only ever reads, and reads a statement or two, on the pages read most
    (a session's page): on GET and HEAD its request runs outside a transaction (see
    read_outside_transaction). Put it right below the route, above the access rule."""
    view.reads_only = True
    return view


def start_request():
    """before_request hook: a GET or HEAD of a view marked reads_only reads outside a
    transaction."""
    if request.method not in ("GET", "HEAD") or request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "reads_only", False):
        read_outside_transaction()


def init_app(app):
    app.before_request(start_request)
    app.teardown_request(end_request_transaction)
