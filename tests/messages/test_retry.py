"""A sending that stopped part-way (the job failed, or its worker died): the message stays
recoverable, the Office sends it again once confirmed, and nobody ever gets it twice."""
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs import Job, JobState, enqueue, execute_job, sweep_stale
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.messages import notices, queries, services
from gfp_portal.messages.models import MessageRecipient, MessageStatus, NetworkMessage
from tests.helpers import login, refused

VALID = {"kind": "notice", "subject_en": "Annual meeting", "body_en": "Dear colleagues,",
         "status": "active"}
PEOPLE = 7


@pytest.fixture
def office(app, reference, create_user, make_network):
    make_network(PEOPLE, languages=("en", "fr", "ar"))
    user_id = create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        # Small batches, so the job has flushed some emails when it fails.
        update_settings({"messages.per_minute": 2}, actor=db.session.get(User, user_id))
        db.session.commit()
    return user_id


def _failing_after(monkeypatch, emails):
    """The job's emails fail after the first `emails` (as a broken template or database
    would)."""
    real = notices.network_message
    calls = []

    def network_message(*args, **kwargs):
        calls.append(1)
        if len(calls) > emails:
            raise RuntimeError("the mail server's templates are missing")
        return real(*args, **kwargs)
    monkeypatch.setattr(notices, "network_message", network_message)
    return calls


@contextmanager
def _no_workers(app):
    """Jobs committed meanwhile are recorded but no worker gets them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app.extensions["jobs"], "dispatch", lambda job_id: None)
        yield


def _draft(app, coordinator_id):
    with app.app_context():
        message = services.save_draft(None, {**VALID, "audience": {}},
                                      actor=db.session.get(User, coordinator_id))
        db.session.commit()
        return message.id


def _count(app, model, *where):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _emails_per_person(app):
    """{recipient address: how many emails the outbox holds for them}."""
    with app.app_context():
        return dict(db.session.execute(select(OutboxMessage.recipient, func.count())
                                       .group_by(OutboxMessage.recipient)).all())


def _failed_sending(app, client, office, monkeypatch):
    """A message confirmed by the Office whose job failed after 3 of its 7 emails."""
    message_id = _draft(app, office)
    login(client, "coord@example.org")
    calls = _failing_after(monkeypatch, 3)
    response = client.post(f"/messages/{message_id}/send", data={"expected": str(PEOPLE)})
    assert response.headers["Location"].startswith("/jobs/")
    assert len(calls) == 4
    monkeypatch.undo()
    return message_id


def test_a_job_failing_part_way_leaves_the_message_recoverable(app, client, office,
                                                               monkeypatch):
    message_id = _failed_sending(app, client, office, monkeypatch)
    with app.app_context():
        message = db.session.get(NetworkMessage, message_id)
        job = db.session.get(Job, message.job_id)
        assert job.state == JobState.failed and "templates are missing" in job.error
        assert message.status == MessageStatus.sending
    # Nothing half-written: no email queued, nobody recorded as a recipient.
    assert _count(app, OutboxMessage) == 0 and _count(app, MessageRecipient) == 0
    html = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert "data-sending-failed" in html and "nobody has received it" in html
    assert f'action="/messages/{message_id}/retry"' in html and "Send again" in html
    html = client.get(f"/messages/{message_id}?lang=fr").get_data(as_text=True)
    assert "Renvoyer" in html and "personne ne l’a encore reçu" in html
    # The archive says so too, where it would say "Sending" for ever.
    html = client.get("/messages/?lang=es").get_data(as_text=True)
    assert "data-stopped" in html and "El envío se interrumpió antes de terminar" in html


def test_send_again_after_confirmation_delivers_exactly_once_to_everyone(app, client, office,
                                                                         monkeypatch):
    message_id = _failed_sending(app, client, office, monkeypatch)
    url = f"/messages/{message_id}/retry"
    # The first POST only restates what will happen.
    response = client.post(url, data={"expected": str(PEOPLE)})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and f"{PEOPLE} people" in html
    assert 'name="confirmed" value="1"' in html
    assert _count(app, OutboxMessage) == 0
    response = client.post(url, data={"expected": str(PEOPLE), "confirmed": "1"})
    assert response.headers["Location"].startswith("/jobs/")
    with app.app_context():
        message = db.session.get(NetworkMessage, message_id)
        assert message.status == MessageStatus.sent and message.recipient_count == PEOPLE
        assert db.session.get(Job, message.job_id).state == JobState.done
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "message.retry")).one()
        assert event.object_id == message_id and event.changes["recipients"] == [0, PEOPLE]
    counts = _emails_per_person(app)
    assert len(counts) == PEOPLE and set(counts.values()) == {1}
    assert _count(app, MessageRecipient) == PEOPLE
    # Sent: the page no longer offers to send it again, and a retry is refused.
    html = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert "data-sending-failed" not in html and url not in html
    assert "data-stopped" not in client.get("/messages/").get_data(as_text=True)
    response = client.post(f"{url}?lang=es", data={"expected": str(PEOPLE), "confirmed": "1"},
                           follow_redirects=True)
    assert "Este mensaje ya se ha enviado." in response.get_data(as_text=True)
    assert set(_emails_per_person(app).values()) == {1}


def test_a_worker_that_died_leaves_the_message_recoverable(app, client, office):
    """The worker stopped while the job ran: the sweep marks the job failed (nothing of it
    committed), and the message can be sent again."""
    message_id = _draft(app, office)
    with app.app_context():
        with _no_workers(app):
            message = db.session.get(NetworkMessage, message_id)
            job = services.send_message(message, actor=db.session.get(User, office))
            job.state, job.started_at = JobState.running, utcnow() - timedelta(hours=2)
            db.session.commit()
        assert sweep_stale(lambda row: None, now=utcnow(), stale_after=timedelta(minutes=30))
        db.session.commit()
    login(client, "coord@example.org")
    html = client.get(f"/messages/{message_id}?lang=ar").get_data(as_text=True)
    assert "data-sending-failed" in html and "إعادة الإرسال" in html
    client.post(f"/messages/{message_id}/retry",
                data={"expected": str(PEOPLE), "confirmed": "1"})
    assert set(_emails_per_person(app).values()) == {1} and _count(app, OutboxMessage) == PEOPLE


def test_a_retry_after_a_partial_commit_sends_only_the_missing_ones(app, office):
    """Should some emails of a sending ever have been committed, sending it again writes only
    those of the people without one."""
    message_id = _draft(app, office)
    with app.app_context(), app.test_request_context():
        with _no_workers(app):
            actor = db.session.get(User, office)
            message = db.session.get(NetworkMessage, message_id)
            job = services.send_message(message, actor=actor)
            job.state = JobState.failed
            # Three emails of the first attempt made it to the database.
            services.deliver_message(message, now=utcnow())
            first = db.session.scalars(select(MessageRecipient.person_id)
                                       .order_by(MessageRecipient.person_id)).all()[:3]
            for row in db.session.scalars(select(MessageRecipient).where(
                    MessageRecipient.person_id.not_in(first))).all():
                db.session.delete(db.session.get(OutboxMessage, row.outbox_message_id))
                db.session.delete(row)
            message.status, message.recipient_count = MessageStatus.sending, PEOPLE
            db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
        assert queries.pending_count(message) == PEOPLE - 3
        assert services.check_retry(message) == PEOPLE - 3
        services.retry_message(message, actor=actor, expected=PEOPLE - 3)
        db.session.commit()
        message = db.session.get(NetworkMessage, message_id)
        assert db.session.get(Job, message.job_id).result["queued"] == PEOPLE - 3
        assert message.status == MessageStatus.sent and message.recipient_count == PEOPLE
    counts = _emails_per_person(app)
    assert len(counts) == PEOPLE and set(counts.values()) == {1}


def test_the_job_run_twice_sends_nobody_twice(app, office):
    """A second run of the sending job for a message whose emails are all queued (a worker
    taken for dead that finished after all) queues nothing more."""
    message_id = _draft(app, office)
    with app.app_context(), app.test_request_context():
        actor = db.session.get(User, office)
        services.send_message(db.session.get(NetworkMessage, message_id), actor=actor)
        db.session.commit()
        message = db.session.get(NetworkMessage, message_id)
        assert message.status == MessageStatus.sent
        message.status = MessageStatus.sending
        with _no_workers(app):
            job = enqueue("messages.send", {"message_id": message_id}, actor=actor)
            db.session.commit()
        job = execute_job(job.id)
        assert job.state == JobState.done and job.result["queued"] == 0
        assert db.session.get(NetworkMessage, message_id).recipient_count == PEOPLE
    assert set(_emails_per_person(app).values()) == {1} and _count(app, OutboxMessage) == PEOPLE


def test_only_the_office_sends_again(app, client, office, monkeypatch, create_user):
    message_id = _failed_sending(app, client, office, monkeypatch)
    client.post("/logout")
    create_user("fp@example.org", roles=["focal_point"])
    login(client, "fp@example.org")
    html = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert "data-sending-failed" not in html and "/retry" not in html
    assert "data-stopped" not in client.get("/messages/").get_data(as_text=True)
    for data in ({"expected": str(PEOPLE)}, {"expected": str(PEOPLE), "confirmed": "1"}):
        assert client.post(f"/messages/{message_id}/retry", data=data).status_code == 403
    assert _count(app, OutboxMessage) == 0 and _count(app, Job) == 1


@pytest.mark.parametrize(("state", "language", "text"), [
    (JobState.running, "fr", "Ce message est en cours d’envoi"),
    (JobState.queued, "ar", "هذه الرسالة قيد الإرسال"),
    (JobState.running, "en", "This message is being sent"),
])
def test_a_message_still_being_sent_is_not_sent_again(app, client, office, state, language,
                                                      text):
    message_id = _draft(app, office)
    with app.app_context(), _no_workers(app):
        job = services.send_message(db.session.get(NetworkMessage, message_id),
                                    actor=db.session.get(User, office))
        job.state = state
        db.session.commit()
    login(client, "coord@example.org")
    html = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert "data-sending-failed" not in html and "/retry" not in html
    assert "data-stopped" not in client.get("/messages/").get_data(as_text=True)
    for data in ({"expected": str(PEOPLE)}, {"expected": str(PEOPLE), "confirmed": "1"}):
        response = client.post(f"/messages/{message_id}/retry?lang={language}", data=data,
                               follow_redirects=True)
        assert text in response.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 0 and _count(app, Job) == 1


def test_bad_input_to_send_again_changes_nothing(app, client, office, monkeypatch):
    message_id = _failed_sending(app, client, office, monkeypatch)
    url = f"/messages/{message_id}/retry"
    # No count, or the count of a page shown before the audience changed.
    for data in ({"confirmed": "1"}, {"expected": "abc", "confirmed": "1"},
                 {"expected": str(PEOPLE + 1), "confirmed": "1"}):
        response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code == 200 and "data-sending-failed" in \
            response.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 0 and _count(app, Job) == 1
    draft_id = _draft(app, office)
    assert client.post(f"/messages/{draft_id}/retry",
                       data={"expected": str(PEOPLE), "confirmed": "1"}).status_code == 404
    assert client.post("/messages/999999/retry", data={"expected": "1"}).status_code == 404


def test_a_message_sent_again_twice_at_once_is_sent_once(app, client, office, monkeypatch):
    """Two coordinators confirm "Send again" at once: the first replaces the stopped job,
    the second is refused and starts nothing."""
    message_id = _failed_sending(app, client, office, monkeypatch)
    with app.app_context(), app.test_request_context(), _no_workers(app):
        message = db.session.get(NetworkMessage, message_id)
        stopped_job = message.job_id
        # This request has read the message; another one sends it again first.
        assert services.check_retry(message) == PEOPLE
        with app.app_context():
            other = db.session.get(NetworkMessage, message_id)
            services.retry_message(other, actor=db.session.get(User, office))
            db.session.commit()
        assert message.job_id == stopped_job  # as this request read it
        refused("still_sending", services.retry_message, message,
                actor=db.session.get(User, office))
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(Job)) == 2
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "message.retry")) == 1
