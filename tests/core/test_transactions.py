"""A request's transaction ends with COMMIT when it only read (so that PostgreSQL keeps the
connection's prepared statements), and with ROLLBACK whenever it changed anything unsaved."""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, update

from gfp_portal.accounts.models import User
from gfp_portal.core import transactions
from gfp_portal.extensions import db


@pytest.fixture
def endings(app):
    """Context manager recording how the transactions ended while it is open."""
    @contextmanager
    def _record():
        ended = []
        with app.app_context():
            engine = db.engine

        def on_commit(connection):
            ended.append("commit")

        def on_rollback(connection):
            ended.append("rollback")
        event.listen(engine, "commit", on_commit)
        event.listen(engine, "rollback", on_rollback)
        try:
            yield ended
        finally:
            event.remove(engine, "commit", on_commit)
            event.remove(engine, "rollback", on_rollback)
    return _record


@pytest.mark.parametrize("url", ["/sessions/", "/me", "/"])
def test_a_page_that_only_reads_commits_instead_of_rolling_back(client, login_as, reference,
                                                                  endings, url):
    login_as("focal_point")
    with endings() as ended:
        assert client.get(url).status_code == 200
    assert ended == ["commit"]


def _change_locale(user, how):
    if how == "unflushed":
        user.locale = "fr"
    elif how == "flushed":
        user.locale = "fr"
        db.session.flush()
    else:
        db.session.execute(update(User).where(User.id == user.id).values(locale="fr"))


@pytest.mark.parametrize("how", ["unflushed", "flushed", "statement"])
def test_a_change_left_unsaved_is_rolled_back(app, create_user, endings, how):
    user_id = create_user("fp@example.org")
    with endings() as ended, app.test_request_context("/"):
        _change_locale(db.session.get(User, user_id), how)
        transactions.end_request_transaction()
        db.session.remove()
    assert "commit" not in ended
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"


def test_a_request_that_failed_is_not_committed(app, create_user, endings):
    user_id = create_user("fp@example.org")
    with endings() as ended, app.test_request_context("/"):
        db.session.get(User, user_id)
        transactions.end_request_transaction(RuntimeError("the view failed"))
        db.session.remove()
    assert ended == ["rollback"]


def test_a_request_that_never_read_opens_no_transaction(app, endings):
    with endings() as ended, app.test_request_context("/"):
        transactions.end_request_transaction()
        assert not db.session().in_transaction()
    assert ended == []


@pytest.mark.parametrize("how", ["flushed", "statement"])
def test_a_write_outside_a_transaction_is_refused_before_it_is_sent(app, create_user, how):
    """A view marked as only reading runs outside a transaction, where a write would be saved
    at once and alone: it is refused instead, and nothing changes."""
    user_id = create_user("fp@example.org")
    with app.test_request_context("/"):
        transactions.read_outside_transaction()
        user = db.session.get(User, user_id)
        with pytest.raises(RuntimeError, match="only reads"):
            _change_locale(user, how)
        db.session.remove()
    with app.app_context():
        assert db.session.get(User, user_id).locale == "en"
