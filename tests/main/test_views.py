"""Home pages and the health check."""
import pytest
from sqlalchemy.exc import OperationalError

from gfp_portal.extensions import db


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] != "ok"


def test_anonymous_home_is_public(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="/login"' in response.data


@pytest.mark.parametrize("roles, marker", [
    (("coordinator",), b"dashboard-counts"),
    (("admin",), b"dashboard-counts"),
    (("focal_point",), b"/me"),
])
def test_home_per_role(client, login_as, roles, marker):
    login_as(*roles)
    response = client.get("/")
    assert response.status_code == 200
    assert marker in response.data


def test_rc_with_one_unct_gets_a_home_linking_to_its_coverage(client, reference, login_as):
    login_as("resident_coordinator", uncts=["KEN"])
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "UN Country Team in Kenya" in html and "Uganda" not in html
    assert 'href="/coverage/KEN"' in html


def test_rc_with_several_uncts_gets_a_list(client, reference, login_as):
    login_as("resident_coordinator", uncts=["KEN", "UGA"])
    html = client.get("/").get_data(as_text=True)
    assert "Kenya" in html and "Uganda" in html and "Burundi" not in html


def test_coordinator_dashboard_shows_real_counts(client, reference, login_as):
    login_as("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert 'data-count="127"' in html  # entities
    assert 'data-count="132"' in html  # UN Country Teams
