"""Resource fixtures: a private storage folder per test, the categories, upload factories."""
import io

import pytest
from werkzeug.datastructures import FileStorage

from gfp_portal.extensions import db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200


@pytest.fixture(autouse=True)
def storage_dir(app, monkeypatch, tmp_path):
    folder = tmp_path / "storage"
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(folder))
    return folder


def stored_files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


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
