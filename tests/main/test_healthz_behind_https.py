"""A load balancer probes /healthz over plain HTTP while the site itself forces HTTPS."""
import pytest
from sqlalchemy.exc import OperationalError

from config import ProductionConfig
from gfp_portal.app import create_app
from gfp_portal.extensions import db


@pytest.fixture
def production_app(tmp_path):
    class ProbedConfig(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'prod.db'}"
        RATELIMIT_STORAGE_URI = "memory://"
        FORCE_HTTPS = True
        SERVER_NAME = "gfp.example.org"

    app = create_app(ProbedConfig)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_plain_http_probe_gets_200_and_the_health_report(production_app):
    # The probe calls the instance by its own address, not the site's name.
    response = production_app.test_client().get("/healthz", base_url="http://10.0.0.7:8000")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_a_plain_http_probe_sees_503_when_the_database_is_down(production_app, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = production_app.test_client().get("/healthz", base_url="http://10.0.0.7:8000")
    assert response.status_code == 503


@pytest.mark.parametrize("path", ["/", "/login", "/resources/"])
def test_every_other_page_still_moves_to_https(production_app, path):
    response = production_app.test_client().get(path, base_url="http://gfp.example.org")
    assert response.status_code in (301, 302)
    assert response.headers["Location"].startswith("https://gfp.example.org/")
