"""Failed sign-ins are limited per account and per address together, across all workers."""
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import pytest

from tests.helpers import PASSWORD, hanging_redis, outbox, real_redis


def _login(client, email, password, address="192.0.2.10"):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_a_colleague_behind_the_same_address_signs_in_after_someone_elses_failures(
        client, app, create_user):
    create_user("fp@example.org")
    create_user("colleague@example.org")
    for _ in range(5):
        assert _login(client, "fp@example.org", "wrong password").status_code == 200
    assert _login(client, "fp@example.org", "wrong password").status_code == 429
    assert _login(app.test_client(), "colleague@example.org", PASSWORD).status_code == 302


def test_guessing_one_account_from_many_addresses_is_stopped(client, create_user):
    create_user("fp@example.org")
    statuses = [_login(client, " FP@example.org", "wrong password", f"198.51.100.{n}").status_code
                for n in range(1, 8)]
    assert statuses == [200] * 5 + [429] * 2
    # The account waits, from any address, even with its right password.
    assert _login(client, "fp@example.org", PASSWORD, "203.0.113.1").status_code == 429


def test_failures_on_many_accounts_from_one_address_are_limited_more_loosely(
        client, app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "5 per minute")
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_RATE_LIMIT", "8 per minute")
    statuses = [_login(client, f"guess{n}@example.org", "wrong password").status_code
                for n in range(9)]
    assert statuses == [200] * 8 + [429]
    # Another address is not held back by this one.
    assert _login(client, "other@example.org", "wrong password",
                  "192.0.2.99").status_code == 200


def test_attempts_held_back_do_not_use_up_the_address_limit(client, app, create_user):
    create_user("fp@example.org")
    create_user("colleague@example.org")
    statuses = [_login(client, "fp@example.org", "wrong password").status_code
                for _ in range(25)]
    assert statuses == [200] * 5 + [429] * 20
    assert _login(app.test_client(), "colleague@example.org", PASSWORD).status_code == 302


def _refused_sign_ins(storage_uri, email, tries):
    """A worker process of its own counting in `storage_uri`: the status of each attempt."""
    from config import TestingConfig
    from gfp_portal.app import create_app

    class SharedStore(TestingConfig):
        RATELIMIT_STORAGE_URI = storage_uri

    client = create_app(SharedStore).test_client()
    return [client.post("/login", data={"email": email, "password": "wrong password"}
                        ).status_code for _ in range(tries)]


def _in_a_new_process(*args):
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as worker:
        return worker.submit(_refused_sign_ins, *args).result(timeout=120)


@pytest.fixture
def redis_url(app):
    """The real Redis the suite counts in, emptied of the portal's counters around the test."""
    url, connection = real_redis(app, "TEST_REDIS_URL", "the rate limits are tested against it.")

    def clear():
        for key in connection.scan_iter(f"*{app.config['RATELIMIT_KEY_PREFIX']}*"):
            connection.delete(key)
    clear()
    yield url
    clear()
    connection.close()


def test_workers_counting_in_redis_share_one_limit(redis_url):
    first = _in_a_new_process(redis_url, "fp@example.org", 5)
    second = _in_a_new_process(redis_url, "FP@example.org", 5)
    assert first == [200] * 5
    # Another worker sees the same failures: the account waits there too.
    assert second == [429] * 5



def _sign_ins_with_the_store_down(email):
    """A worker of its own whose shared store is unreachable: its right sign-in, then guesses."""
    from config import TestingConfig
    from gfp_portal.app import create_app

    class StoreDown(TestingConfig):
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"  # nothing listens there

    app = create_app(StoreDown)
    signed_in = _login(app.test_client(), email, PASSWORD).status_code
    guesser = app.test_client()
    guesses = [_login(guesser, email, "wrong password").status_code for _ in range(6)]
    return signed_in, guesses


def test_sign_in_goes_on_when_the_shared_store_is_unreachable(create_user):
    """Redis down must not lock the network out: the limits fall back to each worker's memory."""
    create_user("fp@example.org")
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as worker:
        signed_in, guesses = worker.submit(_sign_ins_with_the_store_down,
                                           "fp@example.org").result(timeout=120)
    assert signed_in == 302
    assert guesses == [200] * 5 + [429]


def _sign_ins_with_the_store_hanging(url, email):
    """A worker of its own whose shared store takes connections and never answers: the
    timeouts its store's client was given, its right sign-in, then guesses."""
    from config import TestingConfig
    from gfp_portal.app import create_app
    from gfp_portal.extensions import limiter

    class StoreHangs(TestingConfig):
        RATELIMIT_STORAGE_URI = url
        REDIS_TIMEOUT_SECONDS = 0.5

    app = create_app(StoreHangs)
    connection = limiter.storage.storage.connection_pool.make_connection()
    given = connection.socket_connect_timeout, connection.socket_timeout
    signed_in = _login(app.test_client(), email, PASSWORD).status_code
    guesser = app.test_client()
    guesses = [_login(guesser, email, "wrong password").status_code for _ in range(6)]
    return given, signed_in, guesses


def test_sign_in_goes_on_when_the_shared_store_hangs(create_user):
    """A Redis that never answers stops each call after REDIS_TIMEOUT_SECONDS, and the limits
    fall back to each worker's memory as they do when it refuses the connection."""
    create_user("fp@example.org")
    spawn = multiprocessing.get_context("spawn")
    # The server closes first: a worker still waiting on it then ends, and the pool with it.
    with ProcessPoolExecutor(max_workers=1, mp_context=spawn) as worker, \
            hanging_redis() as url:
        given, signed_in, guesses = worker.submit(_sign_ins_with_the_store_hanging, url,
                                                  "fp@example.org").result(timeout=60)
    assert given == (0.5, 0.5)
    assert signed_in == 302
    assert guesses == [200] * 5 + [429]


def _ask_reset(client, email, address):
    answer = client.post("/password/reset", data={"email": email},
                         environ_base={"REMOTE_ADDR": address})
    answer.close()  # the link is queued once the answer has gone
    return answer.status_code


def test_one_address_is_not_flooded_with_reset_links_from_many_addresses(client, app,
                                                                         create_user):
    """Reset requests are limited per address asked for, whatever the client's address and
    the case of the email, and alike whether or not an account uses it: the answer tells
    nothing of the account."""
    create_user("fp@example.org")
    asked = [_ask_reset(client, "FP@example.org " if n % 2 else "fp@example.org",
                        f"198.51.100.{n}") for n in range(1, 9)]
    assert asked == [302] * 5 + [429] * 3
    with app.app_context():
        assert len(outbox("reset_password")) == 5
    nobody = [_ask_reset(client, "nobody@example.org", f"203.0.113.{n}") for n in range(1, 9)]
    assert nobody == asked
    # Another address is not held back by them.
    assert _ask_reset(client, "other@example.org", "198.51.100.1") == 302
