"""Append-only audit trail written by every service that changes something."""
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, func, insert, select
from sqlalchemy.orm import Mapped, mapped_column

from gfp_portal.core.db import UTCDateTime, db, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # Newest first, as every list of events reads them: the id orders the events a bulk change
    # wrote at the same instant, so that a page reads its rows from the index alone.
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),
                      Index("ix_audit_events_newest", "created_at", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int | None]
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    # `actor`, the User, is given by accounts (accounts/models.py): core knows no domain model.


def _plain(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return sorted(_plain(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def diff(before, after):
    """{field: [old, new]} for the fields whose value changed."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            changes[key] = [old, new]
    return changes


def _event(action, obj=None, *, actor, changes=None, reason=None, now=None,
           object_type=None, object_id=None):
    return AuditEvent(
        action=action,
        object_type=object_type or (obj.__tablename__ if obj is not None else "system"),
        object_id=object_id if object_id is not None else getattr(obj, "id", None),
        actor_id=getattr(actor, "id", None),
        changes={k: [_plain(v[0]), _plain(v[1])] for k, v in (changes or {}).items()},
        reason=str(reason) if reason is not None else None,
        created_at=now or utcnow(),
    )


def log_action(action, obj=None, *, actor, changes=None, reason=None, now=None,
               object_type=None, object_id=None):
    """Record `action` on `obj` by `actor`; flushed with the caller's transaction."""
    event = _event(action, obj, actor=actor, changes=changes, reason=reason, now=now,
                   object_type=object_type, object_id=object_id)
    batch = db.session.info.get(_BATCH)
    if batch is not None:
        batch.entries.append(event)
        return event
    db.session.add(event)
    db.session.flush()
    return event


def log_changes(action, obj, before, after, *, actor, now=None, reason=None):
    """Record `action` on `obj` with the fields whose value differs between the states
    `before` and `after` ({field: value}), when one does; returns those changes, empty when
    nothing changed."""
    changes = diff(before, after)
    if changes:
        log_action(action, obj, actor=actor, changes=changes, reason=reason, now=now)
    return changes


def log_creation(action, obj, state_of, *, actor, now=None, reason=None):
    """Add the new `obj`, flush it (so that it has its id) and record `action` on it, with
    every field of `state_of(obj)` as set from nothing. In a batch that records creations as
    it ends, the flush and the record wait for the end of the batch."""
    db.session.add(obj)
    batch = db.session.info.get(_BATCH)
    if batch is not None and batch.creations_at_end:
        batch.entries.append(lambda: _event(action, obj, actor=actor, now=now, reason=reason,
                                            changes=diff({}, state_of(obj))))
        return
    db.session.flush()
    log_action(action, obj, actor=actor, now=now, reason=reason,
               changes=diff({}, state_of(obj)))


_BATCH = "audit.batch"
_COLUMNS = ("created_at", "actor_id", "action", "object_type", "object_id", "changes", "reason")


def _row(event):
    """The columns of an event made by `_event`, as a bulk insert takes them."""
    return {column: getattr(event, column) for column in _COLUMNS}


class _Batch:
    def __init__(self, creations_at_end):
        self.creations_at_end = creations_at_end
        self.entries = []  # audit events, and creations to record once everything has its id


@contextmanager
def events_in_one_batch(*, creations_at_end=False):
    """For bulk work (an import of thousands of rows): the audit events logged inside are
    written together when it ends, in one multi-row insert, rather than one statement each.
    They are the same events, in the same order and the same transaction; nothing may read
    them back through the objects logged (written as rows, they never join the session and
    have no id). With `creations_at_end`, the objects created inside are not flushed one by
    one either: one flush gives them all their ids as the batch ends, and their creation is
    recorded with their state then; for work that does not change, inside the batch, what
    it created there."""
    if db.session.info.get(_BATCH) is not None:
        yield
        return
    batch = db.session.info[_BATCH] = _Batch(creations_at_end)
    try:
        yield
        if creations_at_end:
            db.session.flush()
        events = [entry if isinstance(entry, AuditEvent) else entry()
                  for entry in batch.entries]
        if events:  # one statement for them all: nobody reads their ids
            db.session.execute(insert(AuditEvent.__table__),
                               [_row(event) for event in events])
    finally:
        db.session.info.pop(_BATCH, None)


def events_for(object_type, object_id, limit=100):
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()


def last_event_id(obj):
    """The id of the latest event recorded on `obj` (0 when there is none): the state of the
    record that a page showed, as an edit form keeps it (core.forms.EditsRecord)."""
    return db.session.scalar(
        select(func.max(AuditEvent.id))
        .where(AuditEvent.object_type == obj.__tablename__, AuditEvent.object_id == obj.id)) or 0


def events_since(obj, event_id):
    """The events recorded on `obj` after the event `event_id`, oldest first."""
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == obj.__tablename__, AuditEvent.object_id == obj.id,
               AuditEvent.id > event_id)
        .order_by(AuditEvent.id)).all()
