"""Uploaded files are checked by content and stored under a generated name."""
import io
import zipfile

import pytest
from werkzeug.datastructures import FileStorage

from gfp_portal.core import storage
from gfp_portal.core.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(data, name):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def test_a_pdf_is_stored_under_a_generated_name_with_its_checksum(ctx):
    stored = storage.store_upload(upload(PDF, "../../etc/Letter of RC.pdf"),
                                  kinds=("pdf", "docx"), max_bytes=1024)
    assert stored.filename == "Letter of RC.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size == len(PDF)
    assert "/" in stored.key and "Letter" not in stored.key
    assert storage.path_of(stored.key).read_bytes() == PDF
    storage.remove(stored.key)
    assert not storage.path_of(stored.key).exists()


def test_a_docx_is_recognised_by_content_and_gets_its_extension(ctx):
    stored = storage.store_upload(upload(docx_bytes(), "memo"), kinds=("pdf", "docx"),
                                  max_bytes=10_000)
    assert stored.filename == "memo.docx"
    assert stored.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize("data, name, code", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "report.pdf", "file_type"),  # an .exe renamed
    (b"plain text", "notes.pdf", "file_type"),
    (b"", "empty.pdf", "file_empty"),
    (PDF + b"x" * 2000, "big.pdf", "file_too_large"),
])
def test_bad_uploads_are_refused_and_nothing_is_written(app, ctx, monkeypatch, tmp_path, data,
                                                       name, code):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    with pytest.raises(DomainError) as refused:
        storage.store_upload(upload(data, name), kinds=("pdf", "docx"), max_bytes=1024,
                             field="letter")
    assert refused.value.code == code
    assert refused.value.field == "letter"
    assert list(tmp_path.iterdir()) == []


def test_a_key_from_outside_cannot_reach_other_files(ctx):
    for key in ("../config.py", "ab/../../x.pdf", "/etc/passwd", ""):
        with pytest.raises(ValueError):
            storage.path_of(key)


@pytest.mark.parametrize("name, kept", [
    ("résumé \u202egpj.exe.pdf", "résumé gpj.exe.pdf"),
    ("\u2067تقرير\u2069 \u200f2024\u200e\u061c.pdf", "تقرير 2024.pdf"),
    ("rapport\u202a\u202b\u202c\u202d\u2066\u2068.pdf", "rapport.pdf"),
    ("memo\x85\u2028line.pdf", "memoline.pdf"),
])
def test_an_upload_name_loses_its_direction_and_control_characters(ctx, name, kept):
    stored = storage.store_upload(upload(PDF, name), kinds=("pdf",), max_bytes=1024)
    assert stored.filename == kept
    storage.remove(stored.key)
