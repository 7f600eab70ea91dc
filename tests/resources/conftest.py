"""Resource fixtures: private storage per test (a folder, then the database), the categories,
upload factories."""
import io
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import has_app_context
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.core.file_stores import StoredBlob
from gfp_portal.extensions import db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


@dataclass
class Kept:
    app: object
    folder: Path
    backend: str


@pytest.fixture(autouse=True, params=["local", "database"])
def storage_dir(request, app, monkeypatch, tmp_path):
    """Every library test runs with files on a private local folder, then in the database."""
    folder = tmp_path / "storage"
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(folder))
    monkeypatch.setitem(app.config, "STORAGE_BACKEND", request.param)
    return Kept(app, folder, request.param)


def stored_files(kept):
    """The keys of every stored file, in the folder or in the database (as this transaction
    sees it when a test holds an application context)."""
    if kept.backend == "local":
        return sorted(p.relative_to(kept.folder).as_posix() for p in kept.folder.rglob("*")
                      if p.is_file()) if kept.folder.exists() else []
    context = nullcontext() if has_app_context() else kept.app.app_context()
    with context:
        return sorted(db.session.scalars(select(StoredBlob.key)))


@pytest.fixture
def upload():
    def _upload(data=PDF, name="guidelines.pdf"):
        return FileStorage(stream=io.BytesIO(data), filename=name)
    return _upload


@pytest.fixture
def create_resource(app):
    """Create a resource with versions {language: title} (each a small PDF); returns its id."""
    from gfp_portal.resources import services
    from gfp_portal.resources.models import ResourceCategory

    def _create(slug="guide", versions=None, *, visibility="public", published=True,
                category="guidelines", tags=(), summaries=None):
        versions = {"en": "Guide"} if versions is None else versions
        with app.app_context():
            services.ensure_default_categories()
            cat = db.session.scalars(db.select(ResourceCategory).filter_by(code=category)).one()
            resource = services.create_resource(
                {"slug": slug, "category": cat, "visibility": visibility, "is_published": False,
                 "tags": list(tags)}, actor=None)
            for language, title in versions.items():
                services.add_version(resource, {
                    "language": language, "title": title,
                    "summary": (summaries or {}).get(language, f"About {title}")},
                    FileStorage(stream=io.BytesIO(PDF), filename=f"{slug}-{language}.pdf"),
                    actor=None)
            if published:
                services.set_published(resource, True, actor=None)
            db.session.commit()
            return resource.id
    return _create
