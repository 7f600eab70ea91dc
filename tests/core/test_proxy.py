"""Forwarded headers are believed only from the proxies the settings name."""
import pytest

from gfp_portal.app import register_proxy


@pytest.fixture
def behind_proxies(app, monkeypatch):
    """Put the app behind `count` proxies at `addresses`, as create_app does; undone after."""
    def _configure(count=1, addresses=("127.0.0.1", "::1")):
        monkeypatch.setitem(app.config, "PROXY_COUNT", count)
        monkeypatch.setitem(app.config, "PROXY_ADDRESSES", addresses)
        monkeypatch.setitem(app.config, "LOGIN_ADDRESS_RATE_LIMIT", "3 per minute")
        monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
        register_proxy(app)
    return _configure


def _refused_sign_ins(client, peer, forwarded_for):
    return [client.post("/login", data={"email": f"guess{n}@example.org", "password": "wrong"},
                        environ_base={"REMOTE_ADDR": peer},
                        headers={"X-Forwarded-For": address}).status_code
            for n, address in enumerate(forwarded_for)]


def test_a_client_reaching_the_app_around_the_proxy_cannot_pick_its_address(
        client, behind_proxies):
    behind_proxies()
    rotating = [f"10.9.0.{n}" for n in range(1, 6)]
    assert _refused_sign_ins(client, "203.0.113.9", rotating) == [200] * 3 + [429] * 2


@pytest.mark.parametrize("peer, addresses", [
    ("127.0.0.1", ("127.0.0.1", "::1")),
    ("10.20.30.40", ("10.0.0.0/8",)),
])
def test_the_configured_proxy_passes_on_each_client_address(client, behind_proxies,
                                                            peer, addresses):
    behind_proxies(addresses=addresses)
    rotating = [f"198.51.100.{n}" for n in range(1, 6)]
    assert _refused_sign_ins(client, peer, rotating) == [200] * 5


def test_without_proxies_forwarded_headers_are_ignored(client, behind_proxies):
    behind_proxies(count=0)
    rotating = [f"10.9.0.{n}" for n in range(1, 6)]
    assert _refused_sign_ins(client, "127.0.0.1", rotating) == [200] * 3 + [429] * 2


def test_production_believes_no_forwarded_header_unless_told():
    from config import Config, ProductionConfig

    # Production has no default of its own: PROXY_COUNT comes from the environment or is 0.
    assert ProductionConfig.PROXY_COUNT == Config.PROXY_COUNT
