"""The data version: a number that grows with every committed change of the portal's records,
so that what is computed from them (the dashboard's figures, the coverage matrix) is computed
once and reused until it grows.

A statement that inserts, updates or deletes rows of any table but the bookkeeping ones below
marks its connection; when that connection's transaction commits, one UPDATE of the single row
of `data_version`, sent right before COMMIT, adds one. The change and the new number are
committed together, and the row is held only while the commit itself runs, so two writers
never wait on each other for long and never in a cycle. A reader reads the number before it
computes: every change counted in that number was committed before, so a result kept under it
is never older than the number says. Changes made outside the portal (by hand, or by a
migration, whose connection is NOT_COUNTED) are not counted: the processes restarted
after an upgrade start with nothing kept.
"""
from threading import Lock

from flask import current_app
from sqlalchemy import BigInteger, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.db import db

# Written all the time without changing what anything is computed from: the audit trail, the
# mail and job queues, stored files, and this number itself.
BOOKKEEPING = frozenset({"data_version", "audit_events", "outbox_messages", "jobs", "job_runs",
                         "job_locks", "stored_files", "stored_file_chunks"})
_CHANGED = "core.data_version.changed"  # in a connection's info: it changed a counted table
NOT_COUNTED = "gfp_not_counted"  # an execution option: the connection's changes never count
_READ = "core.data_version.read"  # in a session's info: (its transaction, the number it read)
_KEPT = "gfp.data_version.kept"  # in app.extensions: {key: (version, value, holds until)}
_KEEPING = Lock()  # a threaded server's requests keep their values one at a time
# The most values a process keeps (the coverage of each set of filters is one): past it, the
# value kept first goes.
MOST_KEPT = 64


class DataVersion(db.Model):
    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)


def _changed_table(statement, context):
    """The name of the table a statement changes ("" when it cannot be told: a statement
    written as text counts whatever it names), or None for a statement that changes
    nothing."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return getattr(getattr(context.compiled.statement, "table", None), "name", "")
    return "" if statement.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE") else None


def _sending(connection, cursor, statement, parameters, context, executemany):
    table = _changed_table(statement, context)
    if table is not None and table not in BOOKKEEPING:
        connection.info[_CHANGED] = True


def _committing(connection):
    if connection.info.pop(_CHANGED, False) and \
            not connection.get_execution_options().get(NOT_COUNTED):
        cursor = connection.connection.cursor()
        try:
            cursor.execute("UPDATE data_version SET number = number + 1")
        finally:
            cursor.close()


def _forget(connection):
    connection.info.pop(_CHANGED, None)


def init_app(app):
    """Count the changes of every engine (once, whatever the number of apps)."""
    for name, listener in (("begin", _forget), ("before_cursor_execute", _sending),
                           ("commit", _committing), ("rollback", _forget)):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)


def number_column():
    """The data version as a column that another statement can carry, so that a request
    reads it in a round trip it makes anyway (the signed-in user's, accounts.queries); give
    what it read to `read_with`."""
    return select(DataVersion.number).scalar_subquery()


def read_with(number):
    """Keep `number`, read by a statement of the current transaction that carried
    number_column(), as the data version `current()` gives until the transaction ends."""
    session = db.session()
    session.info[_READ] = (session.get_transaction(), number)


def current():
    """The data version, read in the request's transaction (once: a page that reuses several
    values reads it for the first); None when there is none to trust: this transaction has
    changes of its own not yet committed, or the row is missing."""
    session = db.session()
    if session.new or session.dirty or session.deleted or \
            session.connection().info.get(_CHANGED):
        return None
    transaction = session.get_transaction()
    read = session.info.get(_READ)
    if read is not None and read[0] is transaction:
        return read[1]
    number = session.scalar(select(DataVersion.number))
    session.info[_READ] = (transaction, number)
    return number


def reuse(key, compute, *, now):
    """What compute() returns for `key`, computed again only when a change was committed since
    or `now` has reached the moment its value holds until. compute() returns (value, holds
    until: an aware datetime, or None for as long as nothing changes). Kept by each process,
    for the latest data version only. A value is shared by every request that asks for its
    key: it must not be changed, and must hold no row of the ORM (core.db.detached_copy)."""
    version = current()
    if version is None:
        return compute()[0]
    kept = current_app.extensions.setdefault(_KEPT, {})
    found = kept.get(key)
    if found is not None and found[0] == version and (found[2] is None or now < found[2]):
        return found[1]
    value, holds_until = compute()
    with _KEEPING:
        for stale in [k for k, (v, __, ___) in kept.items() if v != version]:
            del kept[stale]
        kept.pop(key, None)
        while len(kept) >= MOST_KEPT:
            del kept[next(iter(kept))]
        kept[key] = (version, value, holds_until)
    return value
