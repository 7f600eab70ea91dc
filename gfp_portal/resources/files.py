"""Stored files follow the transaction: a new file is removed if the transaction rolls back,
an old one only once the change that replaced or deleted it is committed. A savepoint's
release or rollback inside the transaction does neither (core.db.kept_for_transaction)."""
from gfp_portal.core import storage
from gfp_portal.core.db import kept_for_transaction

_NEW = "resources.new_files"
_OLD = "resources.old_files"


def stored_in(session, key):
    """`key` was just written for this transaction: drop it if the transaction fails."""
    session.info.setdefault(_NEW, []).append(key)


def remove_after_commit(session, key):
    """`key` is no longer referenced once this transaction commits."""
    if key:
        session.info.setdefault(_OLD, []).append(key)


def _remove(keys):
    for key in keys:
        storage.remove(key)


kept_for_transaction(_NEW, on_rollback=_remove)
kept_for_transaction(_OLD, on_commit=_remove)
