"""Uploaded files: checked by their content, stored under STORAGE_PATH with a generated name.

The original file name is kept only as data (for the download name); the stored name is
random, so nothing a user sends decides where a file lands. Files are written to a temporary
name first and renamed when complete, so a failed upload never leaves half a file behind.
"""
import hashlib
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l

from gfp_portal.core.errors import DomainError
from gfp_portal.core.text import without_controls

# The document kinds the portal accepts, by the extension `filetype` infers from the content.
KINDS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
KIND_LABELS = {"pdf": "PDF", "docx": "DOCX", "pptx": "PPTX", "xlsx": "XLSX"}
_KEY = re.compile(r"^[a-z0-9]{2}/[0-9a-f]{32}\.(pdf|docx|pptx|xlsx)$")


@dataclass(frozen=True)
class StoredFile:
    key: str
    filename: str
    content_type: str
    size: int
    sha256: str


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


def _root():
    return Path(current_app.config["STORAGE_PATH"])


def path_of(key):
    if not _KEY.match(key or ""):
        raise ValueError(f"not a storage key: {key!r}")
    return _root() / key


def save(data, kind, filename):
    """Write `data` under a new random key and describe it."""
    name = uuid.uuid4().hex
    key = f"{name[:2]}/{name}.{kind}"
    target = path_of(key)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    with open(partial, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return StoredFile(key=key, filename=safe_filename(filename, kind),
                      content_type=KINDS[kind], size=len(data),
                      sha256=hashlib.sha256(data).hexdigest())


def store_upload(upload, *, kinds, max_bytes, field=None):
    data, kind = read_upload(upload, kinds=kinds, max_bytes=max_bytes, field=field)
    return save(data, kind, upload.filename)


def remove(key):
    """Delete a stored file; a file already gone is not an error."""
    if key:
        path_of(key).unlink(missing_ok=True)


# --- uploads waiting for a confirmation (preview, then apply) ---------------------------------

def _pending_dir():
    path = _root() / "pending"
    path.mkdir(parents=True, exist_ok=True)
    return path


def keep_pending(data):
    """Keep an uploaded file between its preview and its confirmation; returns its token."""
    token = uuid.uuid4().hex
    (_pending_dir() / token).write_bytes(data)
    return token


def pending(token):
    """The bytes kept under `token`, or None (unknown, malformed or already used)."""
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        return None
    path = _pending_dir() / token
    return path.read_bytes() if path.exists() else None


def drop_pending(token):
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        (_pending_dir() / token).unlink(missing_ok=True)
