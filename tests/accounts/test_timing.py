"""Whether an address has an account must not show in the work a sign-in or a reset request does."""
import argon2
import pytest
from flask import template_rendered
from sqlalchemy import select

from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from tests.helpers import login


@pytest.fixture
def argon2_work(monkeypatch):
    """Each Argon2 computation as (operation, outcome, (time, memory, parallelism))."""
    work = []

    def spy_on(name):
        original = getattr(argon2.PasswordHasher, name)

        def spy(self, *args, **kwargs):
            try:
                result = original(self, *args, **kwargs)
            except argon2.exceptions.VerificationError as error:
                outcome = type(error).__name__
                raise
            else:
                outcome = "ok"
            finally:
                encoded = args[0] if name == "verify" else None
                params = argon2.extract_parameters(encoded) if encoded else None
                work.append((name, outcome, params and (
                    params.time_cost, params.memory_cost, params.parallelism)))
            return result
        monkeypatch.setattr(argon2.PasswordHasher, name, spy)

    spy_on("hash")
    spy_on("verify")
    return work


@pytest.mark.parametrize("email", ["fp@example.org", "nobody@example.org",
                                   "invited@example.org", "gone@example.org"])
def test_a_refused_sign_in_computes_one_password_hash_whoever_is_named(
        client, create_user, app, argon2_work, email):
    create_user("fp@example.org")
    create_user("invited@example.org", active=False)
    create_user("gone@example.org", password="the right password")
    with app.app_context():
        from gfp_portal.accounts.services import find_user_by_email

        find_user_by_email("gone@example.org").is_active = False
        db.session.commit()
    argon2_work.clear()
    assert login(client, email, "wrong password").status_code == 200
    config = app.config
    # One real Argon2 computation (a mismatch, not a malformed hash) at the configured cost.
    assert argon2_work == [("verify", "VerifyMismatchError", (
        config["PASSWORD_HASH_TIME_COST"], config["PASSWORD_HASH_MEMORY_COST"],
        config["PASSWORD_HASH_PARALLELISM"]))]


def _work_before_the_answer(client, count_queries, app, email):
    """Queries run and templates rendered until the reset request has been answered."""
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        with count_queries() as queries:
            response = client.post("/password/reset", data={"email": email})
    finally:
        template_rendered.disconnect(record, app)
    assert response.status_code == 302
    return response, queries.count, rendered


def test_a_reset_request_does_the_same_work_before_answering_whoever_is_named(
        client, create_user, app, count_queries):
    create_user("fp@example.org")
    known, known_queries, known_templates = _work_before_the_answer(
        client, count_queries, app, "fp@example.org")
    unknown, unknown_queries, unknown_templates = _work_before_the_answer(
        client, count_queries, app, "nobody@example.org")
    assert (known_queries, known_templates) == (unknown_queries, unknown_templates)
    assert known.headers["Location"] == unknown.headers["Location"]
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
    # Once the answer has gone, the link is written for the known address only.
    known.close()
    unknown.close()
    with app.app_context():
        assert [m.recipient for m in db.session.scalars(select(OutboxMessage))] == \
            ["fp@example.org"]


def test_a_failure_after_the_answer_is_logged_and_leaves_nothing_half_written(
        client, create_user, app, monkeypatch, caplog):
    from gfp_portal.accounts import services

    create_user("fp@example.org")
    real = services.request_password_reset

    def fails_after_writing(email, **kwargs):
        real(email, **kwargs)
        raise RuntimeError("mail template missing")

    monkeypatch.setattr(services, "request_password_reset", fails_after_writing)
    response = client.post("/password/reset", data={"email": "fp@example.org"})
    assert response.status_code == 302
    response.close()
    assert "Work after the response failed" in caplog.text
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage)).all() == []
