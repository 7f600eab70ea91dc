"""Resource fixtures: private storage per test (a folder, then the database), the categories,
an upload factory (`create_resource` is in tests/factories.py)."""
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage

from tests.helpers import PDF


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


@pytest.fixture
def upload():
    def _upload(data=PDF, name="guidelines.pdf"):
        return FileStorage(stream=io.BytesIO(data), filename=name)
    return _upload
