"""A session's reminders and notices from the side of the people registered: one reminder per
session, however often the daily run runs, and nothing to whoever left (withdrew, was removed)
or whose session is cancelled."""
from datetime import timedelta

from gfp_portal.accounts.models import User
from gfp_portal.attendance import evaluations, register
from gfp_portal.attendance import services as attendance
from gfp_portal.extensions import db
from gfp_portal.sessions import registration, services
from tests.helpers import NOW, outbox


def _mails(person, kind=None):
    return [m for m in outbox("session_notice") if m.recipient == person.email and
            (kind is None or m.subject.startswith(kind))]


def test_one_reminder_however_often_the_daily_run_runs(make_session, make_appointee):
    """Run twice the same day, once more an hour later (a scheduler restarted), and once
    after a run that crashed before it committed: one reminder."""
    session = make_session(starts_in=timedelta(hours=20))
    person = make_appointee()
    registration.register(session, person, actor=None, now=NOW)
    db.session.commit()
    services.send_reminders(now=NOW)
    db.session.rollback()  # the run crashed before its commit
    assert _mails(person, "Reminder") == []
    assert services.send_reminders(now=NOW) == 1
    db.session.commit()
    assert services.send_reminders(now=NOW) == 0
    assert services.send_reminders(now=NOW + timedelta(hours=1)) == 0
    assert len(_mails(person, "Reminder")) == 1


def test_whoever_withdrew_or_was_removed_gets_no_reminder(make_session, make_appointee,
                                                          coordinator):
    session = make_session(starts_in=timedelta(hours=20))
    withdrew, removed, stays = make_appointee(), make_appointee(), make_appointee()
    rows = {p.id: registration.register(session, p, actor=None, now=NOW)
            for p in (withdrew, removed, stays)}
    registration.cancel(rows[withdrew.id], actor=None, now=NOW)
    registration.cancel(rows[removed.id], actor=coordinator, by_coordinator=True, now=NOW,
                        reason="Registered twice")
    assert services.send_reminders(now=NOW) == 1
    assert _mails(withdrew, "Reminder") == [] and _mails(removed, "Reminder") == []
    assert len(_mails(stays, "Reminder")) == 1


def test_whoever_withdrew_hears_nothing_more_of_the_session(make_session, make_appointee,
                                                            coordinator):
    session = make_session(starts_in=timedelta(days=3))
    person, other = make_appointee(), make_appointee()
    row = registration.register(session, person, actor=None, now=NOW)
    registration.register(session, other, actor=None, now=NOW)
    registration.cancel(row, actor=None, now=NOW)
    before = len(_mails(person))
    services.update_session(session, {"starts_at": session.starts_at + timedelta(hours=1),
                                      "ends_at": session.ends_at + timedelta(hours=1)},
                            actor=coordinator, now=NOW)
    services.cancel_session(session, reason="The trainer is ill", actor=coordinator, now=NOW)
    assert len(_mails(person)) == before
    assert len(_mails(other)) == 3  # the invitation, the update, the cancellation


def test_a_cancelled_session_is_neither_reminded_nor_evaluated(app, make_session,
                                                               make_appointee, coordinator):
    session = make_session(starts_in=timedelta(hours=20))
    person = make_appointee()
    registration.register(session, person, actor=None, now=NOW)
    services.cancel_session(session, reason="The trainer is ill", actor=coordinator, now=NOW)
    assert services.send_reminders(now=NOW) == 0
    assert _mails(person, "Reminder") == []
    assert evaluations.send_reminders(now=session.ends_at + timedelta(days=1)) == 0


def test_someone_absent_is_not_asked_to_evaluate(app, make_session, make_appointee,
                                                 coordinator):
    """Registered and absent: no evaluation request (evaluations are for who attended)."""
    session = make_session(starts_in=timedelta(days=1))
    came, absent = make_appointee(), make_appointee()
    for person in (came, absent):
        db.session.add(User(email=person.email, person=person, is_active=True, locale="en",
                            password_hash="x"))
        registration.register(session, person, actor=None, now=NOW)
    db.session.flush()
    register.mark_all_present(session, actor=coordinator, now=session.ends_at)
    attendance.mark(registration.registration_of(session, absent), "absent",
                    actor=coordinator, reason="Did not come", now=session.ends_at)
    assert evaluations.send_reminders(now=session.ends_at + timedelta(days=1)) == 1
    assert [m.recipient for m in outbox("evaluation_reminder")] == [came.email]
