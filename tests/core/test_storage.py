"""Uploaded files are checked by content and stored under a generated name, on a local folder
or in the database, which keeps them in chunks and streams them out."""
import io
import os
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from gfp_portal.core import file_stores, storage
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.errors import DomainError
from gfp_portal.core.file_stores import StoredBlob, StoredChunk
from gfp_portal.extensions import db
from tests.helpers import PDF


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def file_upload(data, name):
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture(params=["local", "database"])
def backend(request, app, ctx, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", request.param)
    return request.param


def test_a_pdf_is_stored_under_a_generated_name_with_its_checksum(backend):
    stored = storage.store_upload(file_upload(PDF, "../../etc/Letter of RC.pdf"),
                                  kinds=("pdf", "docx"), max_bytes=1024)
    db.session.commit()
    assert stored.filename == "Letter of RC.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    assert "/" in stored.key and "Letter" not in stored.key
    assert storage.read(stored.key) == PDF and storage.exists(stored.key)
    storage.remove(stored.key)
    assert not storage.exists(stored.key) and storage.stream(stored.key) is None
    storage.remove(stored.key)  # already gone: not an error


def test_a_large_file_is_kept_in_chunks_and_streamed_chunk_by_chunk(backend, monkeypatch):
    monkeypatch.setattr(file_stores, "CHUNK_BYTES", 1000)
    data = PDF + bytes(range(256)) * 20  # 5,171 bytes: six chunks
    stored = storage.save(data, "pdf", "big.pdf")
    db.session.commit()
    content = storage.stream(stored.key)
    assert content.size == len(data)
    chunks = list(content.chunks)
    assert [len(c) for c in chunks] == [1000] * 5 + [len(data) - 5000]
    assert b"".join(chunks) == data
    if backend == "database":
        assert db.session.scalar(select(func.count()).select_from(StoredChunk)) == 6
    response = send_download(storage.stream(stored.key), "big.pdf",
                             content_type="application/pdf")
    assert response.content_length == len(data) and response.is_streamed
    assert b"".join(response.response) == data
    storage.remove(stored.key)
    assert db.session.scalar(select(func.count()).select_from(StoredChunk)) == 0


def test_in_the_database_a_file_is_kept_only_if_its_transaction_is_committed(backend):
    kept = storage.save(PDF, "pdf", "kept.pdf")
    db.session.commit()
    dropped = storage.save(PDF, "pdf", "dropped.pdf")
    db.session.rollback()
    assert storage.exists(kept.key)
    if backend == "database":
        assert not storage.exists(dropped.key)
        assert db.session.scalars(select(StoredBlob.key)).all() == [kept.key]


def test_a_pending_preview_is_kept_until_it_is_dropped(backend):
    token = storage.keep_pending(b"email\nx@un.org\n", suffix=".csv")
    db.session.commit()
    assert token.endswith(".csv")
    assert storage.pending(token) == b"email\nx@un.org\n"
    storage.drop_pending(token)
    assert storage.pending(token) is None


@pytest.mark.parametrize("token", ["", None, "../x", "0" * 31, "0" * 32 + ".CSV",
                                   "0" * 32 + "/../../x", "0" * 32 + ".toolong"])
def test_a_malformed_preview_token_finds_nothing_and_removes_nothing(backend, token):
    assert storage.pending(token) is None
    storage.drop_pending(token)  # nothing to do, no error


def test_an_unknown_backend_is_a_configuration_error(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "s3")
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        storage.exists("ab/" + "0" * 32 + ".pdf")


def test_a_docx_is_recognised_by_content_and_gets_its_extension(ctx):
    stored = storage.store_upload(file_upload(docx_bytes(), "memo"), kinds=("pdf", "docx"),
                                  max_bytes=10_000)
    assert stored.filename == "memo.docx"
    assert stored.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize("data, name, code", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "report.pdf", "file_type"),  # an .exe renamed
    (b"plain text", "notes.pdf", "file_type"),
    (b"", "empty.pdf", "file_empty"),
    (PDF + b"x" * 2000, "big.pdf", "file_too_large"),
])
def test_bad_uploads_are_refused_and_nothing_is_written(backend, tmp_path, data, name, code):
    with pytest.raises(DomainError) as refused:
        storage.store_upload(file_upload(data, name), kinds=("pdf", "docx"), max_bytes=1024,
                             field="letter")
    assert refused.value.code == code
    assert refused.value.field == "letter"
    assert not (tmp_path / "storage").exists()
    assert db.session.scalar(select(func.count()).select_from(StoredBlob)) == 0


def test_a_key_from_outside_cannot_reach_other_files(backend):
    for key in ("../config.py", "ab/../../x.pdf", "/etc/passwd", "pending/../../x", "x"):
        for operation in (storage.exists, storage.stream, storage.read, storage.remove):
            with pytest.raises(ValueError):
                operation(key)


@pytest.mark.parametrize("name, kept", [
    ("résumé \u202egpj.exe.pdf", "résumé gpj.exe.pdf"),
    ("\u2067تقرير\u2069 \u200f2024\u200e\u061c.pdf", "تقرير 2024.pdf"),
    ("rapport\u202a\u202b\u202c\u202d\u2066\u2068.pdf", "rapport.pdf"),
    ("memo\x85\u2028line.pdf", "memoline.pdf"),
])
def test_an_upload_name_loses_its_direction_and_control_characters(backend, name, kept):
    stored = storage.store_upload(file_upload(PDF, name), kinds=("pdf",), max_bytes=1024)
    assert stored.filename == kept
    db.session.commit()
    storage.remove(stored.key)


def test_files_kept_on_disk_are_copied_into_the_database_once(app, ctx, runner, monkeypatch,
                                                               tmp_path):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "local")
    letter = storage.save(PDF, "pdf", "letter.pdf")
    token = storage.keep_pending(b"email\nx@un.org\n", suffix=".csv")
    (tmp_path / "storage" / "notes.txt").write_text("not a stored file")
    result = runner.invoke(args=["storage", "copy-to-database"])
    assert "copied into the database: 2; already there: 0" in result.output
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", "database")
    assert storage.read(letter.key) == PDF
    assert storage.pending(token) == b"email\nx@un.org\n"
    again = runner.invoke(args=["storage", "copy-to-database"])
    assert "copied into the database: 0; already there: 2" in again.output


def test_previews_never_confirmed_are_deleted_after_a_day(app, backend, runner, tmp_path):
    old, recent = storage.keep_pending(b"old\n"), storage.keep_pending(b"recent\n")
    stored = storage.save(PDF, "pdf", "letter.pdf")
    db.session.commit()
    day_ago = utcnow() - timedelta(hours=app.config["PENDING_PREVIEW_HOURS"], seconds=1)
    if backend == "database":
        db.session.get(StoredBlob, f"pending/{old}").created_at = day_ago
        db.session.get(StoredBlob, stored.key).created_at = day_ago
        db.session.commit()
    else:
        for path in (tmp_path / "storage" / "pending" / old, tmp_path / "storage" / stored.key):
            os.utime(path, (day_ago.timestamp(), day_ago.timestamp()))
    result = runner.invoke(args=["storage", "purge-pending"])
    assert "Expired previews deleted: 1." in result.output
    assert storage.pending(old) is None
    assert storage.pending(recent) == b"recent\n"
    assert storage.read(stored.key) == PDF  # stored files are never purged


def test_the_scheduler_purges_expired_previews_daily(app):
    from gfp_portal.core import jobs

    assert "storage.purge-pending" in jobs.PERIODIC
    assert "storage.purge-pending" in app.extensions["jobs"].schedules
