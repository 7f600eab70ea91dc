"""Each privacy test keeps its files apart: anonymising removes every pending preview and
prepared export, and counts on finding only its own."""
import pytest


@pytest.fixture(autouse=True)
def _own_storage(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))
