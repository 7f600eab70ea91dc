"""Uploaded files and pending previews: checked by their content, kept under a generated key in
the configured store (STORAGE_BACKEND: a local folder, or the database all machines share).

The original file name is kept only as data (for the download name); the key is random, so
nothing a user sends decides where a file lands. Every user file goes through this module.
"""
import hashlib
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l

from gfp_portal.core.db import db, utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.file_stores import DatabaseStore, LocalStore
from gfp_portal.core.text import without_controls

# The document kinds the portal accepts, by the extension `filetype` infers from the content.
KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KIND_LABELS = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "xlsx": "XLSX"}
# What a letter or an official document may be: nomination letters, implementation plans.
LETTER_KINDS = ("pdf", "docx")
_KEY = re.compile(r"^[a-z0-9]{2}/[0-9a-f]{32}\.(pdf|docx|pptx|xlsx)$")
_PENDING = re.compile(r"^pending/[0-9a-f]{32}(\.[a-z]{1,5})?$")
_EXPORT = re.compile(r"^exports/[0-9a-f]{32}\.(csv|xlsx)$")


@dataclass(frozen=True)
class StoredFile:
    key: str
    filename: str
    content_type: str
    size: int
    sha256: str


class Stream(NamedTuple):
    chunks: Iterator[bytes]
    size: int


def human_size(size):
    """Megabytes with one decimal for messages (e.g. 25 MB, 0.5 MB)."""
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f}" if megabytes >= 1 and megabytes == int(megabytes) \
        else f"{megabytes:.1f}"


def read_upload(upload, *, kinds, max_bytes, field=None):
    """Validate an uploaded file (a werkzeug FileStorage) and return (data, kind).

    Refuses, with a DomainError naming `field`: an empty file, one over `max_bytes`, and one
    whose content is not one of `kinds` — whatever its name says."""
    data = upload.read(max_bytes + 1)
    if not data:
        raise DomainError("file_empty", _l("The file is empty."), field=field)
    if len(data) > max_bytes:
        raise DomainError(
            "file_too_large",
            _l("The file is larger than %(limit)s MB. Please send a smaller file.",
               limit=human_size(max_bytes)),
            field=field)
    kind = filetype.guess_extension(data)
    if kind not in kinds:
        raise DomainError(
            "file_type",
            _l("This file is not an accepted document. Accepted types: %(types)s.",
               types=", ".join(KIND_LABELS[k] for k in kinds)),
            field=field)
    return data, kind


def safe_filename(name, kind):
    """A download name derived from the uploaded one: no path, no control or bidirectional
    formatting characters, and the extension that matches the content."""
    base = Path(str(name or "").replace("\\", "/")).name
    base = without_controls(base).replace("/", "").strip().strip(".")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'document')[:120]}.{kind}"


def _store():
    backend = current_app.config.get("STORAGE_BACKEND", "local")
    if backend == "database":
        return DatabaseStore(db.session)
    if backend == "local":
        return LocalStore(current_app.config["STORAGE_PATH"])
    raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 'database', not {backend!r}")


def is_key(key):
    """A key this module made: a stored file, a pending preview or a prepared export, and
    nothing else."""
    return any(pattern.match(key or "") for pattern in (_KEY, _PENDING, _EXPORT))


def _checked(key):
    if not is_key(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def save(data, kind, filename):
    """Write `data` under a new random key and describe it. In the database it is part of the
    current transaction: kept if that is committed, gone if it is rolled back."""
    name = uuid.uuid4().hex
    key = f"{name[:2]}/{name}.{kind}"
    _store().put(_checked(key), data)
    return StoredFile(key=key, filename=safe_filename(filename, kind),
                      content_type=KINDS[kind], size=len(data),
                      sha256=hashlib.sha256(data).hexdigest())


def store_upload(upload, *, kinds, max_bytes, field=None):
    data, kind = read_upload(upload, kinds=kinds, max_bytes=max_bytes, field=field)
    return save(data, kind, upload.filename)


def exists(key):
    return _store().exists(_checked(key))


def stream(key):
    """The content of `key` as a Stream (chunks, size), or None when nothing is stored there."""
    store = _store()
    size = store.size(_checked(key))
    return None if size is None else Stream(store.chunks(key), size)


def read(key):
    """The whole content of `key` (for files read at once, e.g. previews), or None."""
    return _store().read(_checked(key))


def remove(key):
    """Delete a stored file, at once and for good: call it once the change that stopped
    referring to it is committed. A file already gone is not an error."""
    if key:
        _store().delete(_checked(key))


# --- uploads waiting for a confirmation (preview, then apply) ---------------------------------

def keep_pending(data, suffix=""):
    """Keep an uploaded file between its preview and its confirmation (the caller commits);
    returns its token (with `suffix`, e.g. ".csv", when the format matters)."""
    token = uuid.uuid4().hex + suffix
    _store().put(_checked(f"pending/{token}"), data)
    return token


def pending(token):
    """The bytes kept under `token`, or None (unknown, malformed or already used)."""
    if not _PENDING.match(f"pending/{token}"):
        return None
    return read(f"pending/{token}")


def drop_pending(token):
    if _PENDING.match(f"pending/{token}"):
        remove(f"pending/{token}")


def purge_pending(*, now=None):
    """Delete the previews kept longer than PENDING_PREVIEW_HOURS and never confirmed (their
    confirmation then says the preview has expired); returns how many were deleted."""
    cutoff = (now or utcnow()) - timedelta(hours=current_app.config["PENDING_PREVIEW_HOURS"])
    keys = [key for key in _store().keys_older_than("pending", cutoff) if _PENDING.match(key)]
    for key in keys:
        remove(key)
    return len(keys)


def temporary_keys():
    """Every pending preview and prepared export there is: files kept a day at most, which
    may hold anyone's name (an import's rows, the registry in a spreadsheet)."""
    until = utcnow() + timedelta(days=1)
    return [key for folder, pattern in (("pending", _PENDING), ("exports", _EXPORT))
            for key in _store().keys_older_than(folder, until) if pattern.match(key)]


# --- files prepared by a job for download (large exports) -------------------------------------

def keep_export(data, extension):
    """Keep a file a job prepared (e.g. the registry in CSV) until it is downloaded or expires;
    returns its key. In the database it is part of the job's transaction."""
    key = f"exports/{uuid.uuid4().hex}.{extension}"
    _store().put(_checked(key), data)
    return key


def purge_exports(*, now=None):
    """Delete the prepared exports kept longer than EXPORT_KEEP_HOURS; returns how many."""
    cutoff = (now or utcnow()) - timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    keys = [key for key in _store().keys_older_than("exports", cutoff) if _EXPORT.match(key)]
    for key in keys:
        remove(key)
    return len(keys)
