"""The database: `db`, its declarative base and naming convention, small column helpers
shared by every model, what a transaction keeps for its end, a row locked in the state a
change expects, a row added unless another request added it at the same moment, the first
rows of a list with their count in one query, many counters in one query, a digest of rows,
and the year of a moment in a time zone."""
import hashlib
import sqlite3
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Column,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    MetaData,
    Table,
    Text,
    TypeDecorator,
    any_,
    case,
    cast,
    event,
    func,
    inspect,
    literal,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, mapped_column
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.functions import GenericFunction

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Created here, below every model, so that core needs nothing from gfp_portal.extensions;
# create_app() binds it to the app with the other extensions.
db = SQLAlchemy(model_class=Base)


@event.listens_for(Engine, "connect")
def _lower_every_letter(dbapi_connection, connection_record):
    """SQLite's own lower() folds only A to Z, so "É" stayed "É" in SQL while Python's
    str.lower() made it "é": an address with accented capitals then escaped every look-up
    and ran into the unique index. Python's lower() serves SQLite as it does PostgreSQL's."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(value):
    return value.lower() if isinstance(value, str) else value


@event.listens_for(Engine, "connect")
def _years_in_time_zones(dbapi_connection, connection_record):
    """SQLite knows no time zone: Python reads local_year() for it."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("local_year", 2, _local_year, deterministic=True)


class local_year(GenericFunction):
    """The year of a moment (a UTCDateTime) on the wall clock of a time zone (an IANA name):
    the year of what happens at 23:30 on 31 December there, not of its moment in UTC."""
    type = Integer()
    inherit_cache = True


@compiles(local_year, "postgresql")
def _local_year_postgresql(element, compiler, **kw):
    moment, zone = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(EXTRACT(YEAR FROM timezone({zone}, {moment})) AS INTEGER)"


@lru_cache(maxsize=4096)  # one call a row: the rows of one session share their moment
def _local_year(moment, zone):
    """local_year() on SQLite, which stores the UTC moment as naive text."""
    if moment is None or zone is None:
        return None
    return datetime.fromisoformat(moment).replace(tzinfo=UTC).astimezone(ZoneInfo(zone)).year


@event.listens_for(Engine, "connect")
def _minutes_on_sqlite(dbapi_connection, connection_record):
    """SQLite has no interval: Python reads minutes_between() for it."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.create_function("minutes_between", 2, _minutes_between,
                                         deterministic=True)


class minutes_between(GenericFunction):
    """The whole minutes from one moment (a UTCDateTime) to another, as
    TrainingSession.duration_minutes counts them."""
    type = Integer()
    inherit_cache = True


@compiles(minutes_between, "postgresql")
def _minutes_between_postgresql(element, compiler, **kw):
    start, end = (compiler.process(clause, **kw) for clause in element.clauses)
    return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({end} - {start})) / 60) AS INTEGER)"


def _minutes_between(start, end):
    """minutes_between() on SQLite, which stores the UTC moments as naive text."""
    if start is None or end is None:
        return None
    return int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
               // 60)


# The largest id a column holds (PostgreSQL's integer): a larger number names no row.
MAX_ID = 2**31 - 1


def is_row_id(value):
    """True for a number that may be a row's id: a larger one would not even compare on
    SQLite (OverflowError)."""
    return isinstance(value, int) and 0 < value <= MAX_ID


def row_id_in(text):
    """The row id that `text` writes in ASCII digits ("42"), else None: a form's or a query
    string's number that may safely be looked up."""
    return int(text) if text.isascii() and text.isdigit() and is_row_id(int(text)) else None


def utcnow():
    return datetime.now(UTC)


def enum_column(enum_class, *, length=16, **kwargs):
    """A column holding an enum's values as text of at most `length` characters: no native
    database type and no check constraint, so that a new member needs no migration."""
    return mapped_column(Enum(enum_class, native_enum=False, length=length,
                              values_callable=_values), **kwargs)


def _values(enum_class):
    return [member.value for member in enum_class]


def association_table(name, first, second, *, index_second=False):
    """A table linking the rows of two tables many to many. `first` and `second` are (column,
    referred column) pairs, such as ("person_id", "people.id"); together they are the primary
    key, whose index serves the look-ups by the first, and `index_second` adds one for the
    look-ups by the second. A link goes with either of the rows it links."""
    return Table(name, db.metadata,
                 Column(first[0], ForeignKey(first[1], ondelete="CASCADE"), primary_key=True),
                 Column(second[0], ForeignKey(second[1], ondelete="CASCADE"), primary_key=True,
                        index=index_second))


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def on_postgresql():
    """Whether the session's database is PostgreSQL (else SQLite)."""
    return db.session.get_bind().dialect.name == "postgresql"


# What a transaction keeps in its session's info until it ends: key -> (on_commit, on_rollback).
_KEPT_FOR_TRANSACTION = {}


def kept_for_transaction(key, *, on_commit=None, on_rollback=None):
    """Declare that `session.info[key]` belongs to the session's outermost transaction: when
    that transaction ends the value is dropped, once given to `on_commit(value)` if it
    committed, or to `on_rollback(value)` if it rolled back or was closed without a commit.
    A savepoint (savepoint(), added_unless_there) ends nothing: its release is no commit (the
    transaction may still roll it back), and its rollback undoes its own work only, so what
    the transaction kept before it stays for the end. SQLAlchemy calls its after_commit and
    after_rollback hooks for savepoints too: act on them through this, never directly."""
    if key in _KEPT_FOR_TRANSACTION:
        raise ValueError(f"{key!r} is kept for the transaction twice")
    _KEPT_FOR_TRANSACTION[key] = (on_commit, on_rollback)


@event.listens_for(Session, "after_commit")
def _transaction_committed(session):
    # A savepoint's release comes here too, while it is still the session's nested transaction.
    if not session.in_nested_transaction():
        _transaction_over(session, committed=True)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction):
    # The outermost transaction ended without a commit: after one, nothing kept is left.
    if transaction.parent is None:
        _transaction_over(session, committed=False)


def _transaction_over(session, *, committed):
    # Every value is taken before any hook runs: a hook that fails leaves no value behind for
    # the other outcome's hook.
    ended = [(hooks[0] if committed else hooks[1], session.info.pop(key))
             for key, hooks in _KEPT_FOR_TRANSACTION.items() if key in session.info]
    for hook, value in ended:
        if hook is not None:
            hook(value)


def savepoint():
    """db.session.begin_nested(), inside a transaction on SQLite too: pysqlite begins one
    before a write but not before SAVEPOINT, which would then be the transaction, its release
    a commit that a later rollback of the request could no longer undo. The transaction begun
    here takes SQLite's write lock at once (IMMEDIATE): a savepoint is taken to write, and two
    requests that both read under a plain BEGIN before writing could not go on, one refused
    at once as "database is locked"; the second now waits for the first to commit."""
    connection = db.session.connection().connection.dbapi_connection
    if isinstance(connection, sqlite3.Connection) and not connection.in_transaction:
        connection.execute("BEGIN IMMEDIATE")
    return db.session.begin_nested()


def locked_in_state(row, *states):
    """Whether `row` (of a model with a `state` column) is in one of `states`, its row then
    locked until the transaction ends (on SQLite, the database's write lock); it is read
    again either way. Two changes of state sent at once (two decisions on one request, a
    link used twice) both read the state they expect: the first to lock goes on; the other waits
    until it commits, then finds the state changed."""
    if row.state not in states:
        return False
    model = type(row)
    locked = db.session.execute(
        update(model).where(model.id == row.id, model.state.in_(states))
        .values(state=model.state).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(row)
    return bool(locked)


def added_unless_there(row, find):
    """`row`, added and flushed in a savepoint; when its unique key is taken by a row that
    another request recorded at the same moment (a double click, two people at once), that
    row instead, read again by `find()` (an error when it finds none: the key was not the
    cause). The database waits for the other request to commit before it refuses the key, so
    the row is then there to read."""
    try:
        with savepoint():
            db.session.add(row)
    except IntegrityError:
        there = find()
        if there is None:
            raise
        return there
    return row


# The codes of a refusal that a change made at the same moment may cause: a unique key taken,
# a row referred to removed (PostgreSQL's SQLSTATE, then SQLite's message).
COLLISION_CODES = ("23505", "23503")
COLLISION_MESSAGES = ("UNIQUE constraint failed", "FOREIGN KEY constraint failed")


def is_collision(error):
    """Whether the IntegrityError `error` may come of another request's change made at the
    same moment, rather than of a value no row may hold (a mistake in the code)."""
    code = getattr(error.orig, "sqlstate", None)
    if code is not None:
        return code in COLLISION_CODES
    return str(error.orig).startswith(COLLISION_MESSAGES)


def refused_key(error):
    """Which key the IntegrityError `error` names, never the value refused (an email address,
    a name): PostgreSQL's code, table and constraint, without the detail that quotes the
    value; SQLite's message, which names only the key."""
    diag = getattr(error.orig, "diag", None)
    if diag is None:
        return str(error.orig)
    return f"{diag.sqlstate} on {diag.table_name} ({diag.constraint_name})"


def in_rows_read_first(column, subquery):
    """`column IN (subquery)`, the subquery read before the outer rows: on PostgreSQL `column =
    ANY(ARRAY(subquery))`, which the planner cannot turn into a join. For a subquery that
    selects few rows out of many (the people of a Resident Coordinator's teams): PostgreSQL
    would otherwise walk a whole index in the list's order, testing each row against it.
    SQLite reads an IN subquery first on its own."""
    if on_postgresql():
        return column == any_(func.array(subquery.scalar_subquery()))
    return column.in_(subquery)


def first_rows_and_count(stmt, limit):
    """The first `limit` rows of `stmt` and how many it returns in all, in one query: each row
    carries the count (a window count). For a statement of one entity whose eager loads join
    no collection, and whose every candidate is tested before the order anyway."""
    rows = db.session.execute(stmt.add_columns(func.count().over()).limit(limit)).all()
    return [row[0] for row in rows], rows[0][1] if rows else 0


def detached_copy(row, *collections):
    """A copy of an ORM row that belongs to no session: its columns as they were read, for a
    value kept beyond the request that read it (core.data_version.reuse), with a copy of each
    row of the named `collections` (relationships already loaded, such as a team's
    countries). Its other relationships are not copied: reading one from the copy raises
    DetachedInstanceError."""
    mapper = inspect(row).mapper
    copy = mapper.class_(**{column.key: getattr(row, column.key)
                            for column in mapper.column_attrs})
    make_transient_to_detached(copy)
    for name in collections:
        set_committed_value(copy, name, [detached_copy(item) for item in getattr(row, name)])
    return copy


def values_of(**statements):
    """What each statement selects from its one row (a count, a minimum: one value, or a tuple
    for several columns), by name, read in one round trip: SELECT (…), (…), …. A page that shows
    many counters of several domains asks the database once; each domain still writes its own
    statement. A statement of several columns is run once for each."""
    columns, widths = [], {}
    for name, stmt in statements.items():
        selected = list(stmt.selected_columns)
        widths[name] = len(selected)
        columns += [stmt.with_only_columns(column).scalar_subquery() for column in selected]
    row = iter(db.session.execute(select(*columns)).one())
    return {name: next(row) if width == 1 else tuple(next(row) for __ in range(width))
            for name, width in widths.items()}


def _row_lines(stmt):
    return cast(tuple_(*stmt.selected_columns), Text)


def _python_digest(rows):
    said = repr([tuple(row) for row in rows]).encode()
    return hashlib.blake2b(said, digest_size=16).hexdigest()


class Digested:
    """The rows a statement selects, in `order_by` order, and a hex digest of them: a
    validator that changes whenever any value does. PostgreSQL computes the digest and sends
    32 characters, however many rows there are (each row as its record text, in which NULL
    and quotes stay distinct); another database sends the rows and they are hashed here. A
    digest is comparable only with another from the same database. The statements are built
    on first use and kept: a statement that repeats on every poll, with bound parameters,
    is then not built and keyed for the cache on each one."""

    def __init__(self, stmt, *order_by):
        self.stmt, self.order_by = stmt, order_by
        self._built = {}

    def _statements(self):
        """(digest, rows with the digest) on PostgreSQL; (None, ordered rows) elsewhere."""
        postgresql = on_postgresql()
        if postgresql not in self._built:
            ordered = self.stmt.order_by(*self.order_by)
            if not postgresql:
                self._built[postgresql] = (None, ordered)
            else:
                lines = _row_lines(self.stmt)
                digest = self.stmt.with_only_columns(func.coalesce(func.md5(
                    func.string_agg(lines, literal("\n")).aggregate_order_by(
                        *self.order_by)), ""))
                # A window over the whole result, hashed on the first row only: the window's
                # text is the same on every row.
                window = {"order_by": list(self.order_by), "rows": (None, None)}
                first = func.row_number().over(order_by=list(self.order_by)) == 1
                hashed = case((first, func.md5(func.string_agg(lines, literal("\n"))
                                              .over(**window))))
                self._built[postgresql] = (digest, ordered.add_columns(hashed))
        return self._built[postgresql]

    def digest(self, params=None):
        digest, rows = self._statements()
        if digest is None:
            return _python_digest(db.session.execute(rows, params).all())
        return db.session.scalar(digest, params)

    def rows_and_digest(self, params=None):
        """(the rows, as tuples; their digest) in one statement."""
        digest, rows = self._statements()
        if digest is None:
            found = [tuple(row) for row in db.session.execute(rows, params)]
            return found, _python_digest(found)
        found = db.session.execute(rows, params).all()
        return [row[:-1] for row in found], found[0][-1] if found else ""
