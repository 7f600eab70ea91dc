"""Stored files follow the transaction: a new file is removed if the transaction rolls back,
an old one only once the change that replaced or deleted it is committed."""
from sqlalchemy import event
from sqlalchemy.orm import Session

from gfp_portal.core import storage

_NEW = "resources.new_files"
_OLD = "resources.old_files"


def stored_in(session, key):
    """`key` was just written for this transaction: drop it if the transaction fails."""
    session.info.setdefault(_NEW, []).append(key)


def remove_after_commit(session, key):
    """`key` is no longer referenced once this transaction commits."""
    if key:
        session.info.setdefault(_OLD, []).append(key)


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    session.info.pop(_NEW, None)
    for key in session.info.pop(_OLD, []):
        storage.remove(key)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop(_OLD, None)
    for key in session.info.pop(_NEW, []):
        storage.remove(key)
