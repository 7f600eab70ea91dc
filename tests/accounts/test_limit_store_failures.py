"""The shared store the rate limits count in (Redis) going away in the middle of a request: the
request is still served, and the limits go on counting in the worker's memory."""
import pytest

from gfp_portal.accounts import services
from gfp_portal.extensions import limiter


class _Store:
    """The limits' store, failing as its server does once it has gone away."""

    def __init__(self, store, monkeypatch):
        self.gone = False
        error = store.base_exceptions
        for name in ("get", "incr", "get_expiry", "check", "clear"):
            monkeypatch.setattr(store, name, self._unless_gone(getattr(store, name), error))

    def _unless_gone(self, call, error):
        def answer(*args, **kwargs):
            if self.gone:
                raise error("the rate-limit store went away")
            return call(*args, **kwargs)
        return answer


@pytest.fixture
def store(app, monkeypatch):
    # A 500 is answered as in production, not raised into the test.
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    # The limiter stays on its memory until the store is back; the next test starts with the
    # store alive and the memory empty.
    monkeypatch.setattr(limiter, "_storage_dead", False)
    yield _Store(limiter.storage, monkeypatch)
    limiter.limiter.storage.reset()


def _login(client):
    """A refused password."""
    return client.post("/login", data={"email": "fp@example.org", "password": "wrong password"})


def test_a_sign_in_is_answered_when_the_store_goes_away_while_it_is_checked(
        client, create_user, store, monkeypatch, caplog):
    create_user("fp@example.org")
    authenticate = services.authenticate

    def store_goes_away(*args, **kwargs):
        store.gone = True
        return authenticate(*args, **kwargs)
    monkeypatch.setattr(services, "authenticate", store_goes_away)

    assert _login(client).status_code == 200
    # The refused passwords that follow are counted in memory: guessing is still held back.
    assert [_login(client).status_code for _ in range(6)] == [200] * 5 + [429]
    assert any(record.levelname == "WARNING" and "falling back to in-memory" in record.message
               for record in caplog.records if record.name == "flask-limiter")


def test_the_wait_is_shown_when_the_store_goes_away_after_a_limit_held_a_request_back(
        client, create_user, store, monkeypatch):
    create_user("fp@example.org")
    assert [_login(client).status_code for _ in range(5)] == [200] * 5
    # Redis answers the check, then is gone when the page asks how long the wait is.
    store_get_expiry = limiter.storage.get_expiry

    def gone_on_expiry(*args, **kwargs):
        store.gone = True
        return store_get_expiry(*args, **kwargs)
    monkeypatch.setattr(limiter.storage, "get_expiry", gone_on_expiry)

    response = _login(client)
    assert response.status_code == 429
    assert b"please wait" in response.data
