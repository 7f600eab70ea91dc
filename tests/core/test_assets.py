"""Static files in production: fingerprinted names cached for a year, compressed ahead of
time; HTML compressed on the fly; a first anonymous visit stays under 100 KB."""
import re

import pytest

from gfp_portal.app import create_app
from gfp_portal.core.assets import build_static
from gfp_portal.extensions import db

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')
FINGERPRINTED = re.compile(r"\.[0-9a-f]{12}\.\w+$")
BOTH = {"Accept-Encoding": "gzip, br"}


@pytest.fixture(scope="module")
def built(tmp_path_factory, app):
    target = tmp_path_factory.mktemp("static-build")
    with app.app_context():
        build_static(app, target)
    return target


@pytest.fixture
def served_app(built, tmp_path):
    from config import TestingConfig

    class BuiltConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'assets.db'}"
        STATIC_BUILD_PATH = str(built)
        SERVE_BUILT_STATIC = True

    app = create_app(BuiltConfig)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_the_build_writes_fingerprinted_and_compressed_copies(built):
    css = sorted(p.name for p in (built / "css").iterdir() if p.name.startswith("portal."))
    hashed = next(n for n in css if FINGERPRINTED.search(n))
    assert {hashed + ".gz", hashed + ".br", "portal.css"} <= set(css)
    assert (built / "vendor" / "bootstrap" / "css").is_dir()
    assert (built / "manifest.json").is_file()


def test_pages_link_the_fingerprinted_names(served_app):
    html = served_app.test_client().get("/login").get_data(as_text=True)
    links = ASSET.findall(html)
    assert any("/static/vendor/bootstrap/css/bootstrap.min." in link for link in links)
    assert links and all(FINGERPRINTED.search(link) for link in links), links


def test_a_fingerprinted_file_is_cached_for_a_year_and_sent_compressed(served_app):
    client = served_app.test_client()
    link = next(link for link in ASSET.findall(client.get("/login").get_data(as_text=True))
                if "bootstrap.min." in link and link.endswith(".css"))
    with client.get(link, headers=BOTH) as response:
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == "br"
        cache = {part.strip() for part in response.headers["Cache-Control"].split(",")}
        assert {"public", "max-age=31536000", "immutable"} <= cache
    with client.get(link, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"


def test_a_first_anonymous_visit_is_under_100_kb(served_app):
    client = served_app.test_client()
    page = client.get("/login", headers=BOTH)
    assert page.headers["Content-Encoding"] in ("br", "gzip")
    html = client.get("/login").get_data(as_text=True)
    sizes = [len(page.data)]
    for link in set(ASSET.findall(html)):
        with client.get(link, headers=BOTH) as response:
            assert response.status_code == 200
            sizes.append(len(response.data))
    assert sum(sizes) <= 100 * 1024, sizes


def test_html_is_compressed_when_the_browser_accepts_it(client):
    response = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]


def test_without_a_build_the_plain_files_are_served(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'href="/static/css/portal.css"' in html
    with client.get("/static/css/portal.css") as response:
        assert response.status_code == 200


def test_the_build_command_writes_into_the_configured_folder(app, runner, tmp_path,
                                                             monkeypatch):
    monkeypatch.setitem(app.config, "STATIC_BUILD_PATH", str(tmp_path / "out"))
    result = runner.invoke(args=["assets", "build"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "manifest.json").is_file()
