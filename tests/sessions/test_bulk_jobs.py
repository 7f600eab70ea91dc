"""Group registration and the notices of a changed or cancelled session run as jobs: the
request returns at once with the job's page, the job does the work in one transaction and
records what it did, or writes nothing and says why it stopped."""
import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Person
from gfp_portal.sessions import notices, registration, services
from gfp_portal.sessions.models import Registration, TrainingSession
from tests.helpers import login

START = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=30)
GROUP, SEATS = 12, 10
JOB_URL = re.compile(r"^/jobs/([0-9a-f]{32})$")


@pytest.fixture
def office(app, reference, create_user):
    """A coordinator, twelve alternates of UNDP and a published session with ten seats."""
    ids = {"coordinator": create_user("coord@example.org", roles=["coordinator"])}
    with app.app_context():
        coordinator = db.session.get(User, ids["coordinator"])
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        for n in range(GROUP):
            person = registry.create_person({
                "given_name": "Amina", "family_name": f"Person{n}",
                "email": f"p{n}@undp.org", "preferred_language": "en", "time_zone": "UTC",
                "entity": undp}, actor=coordinator)
            registry.appoint(person, {"role": "alternate", "entity": undp, "unct": None},
                             actor=coordinator)
        session = services.create_session({
            "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": START, "ends_at": START + timedelta(hours=2), "time_zone": "UTC",
            "join_url": "https://meet.example.org/parity", "capacity": SEATS,
            "audience": "both"}, actor=coordinator)
        services.publish_session(session, actor=coordinator)
        db.session.commit()
        ids["session"] = session.id
    return ids


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _job_id(response):
    assert response.status_code == 302
    match = JOB_URL.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_a_group_registration_returns_the_job_page_and_the_job_registers_everyone(
        app, client, office):
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{office['session']}/roster/group",
                           data={"role": "alternate", "confirmed": "1"})
    job_id = _job_id(response)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.done and job.created_by_id == office["coordinator"]
        assert job.result == {"session_id": office["session"], "matching": GROUP,
                              "registered": SEATS, "waitlisted": GROUP - SEATS,
                              "invitations": SEATS, "term_ends_before": 0}
        assert (job.done, job.total) == (GROUP, GROUP)
        assert _count(Registration) == GROUP
        assert _count(OutboxMessage, OutboxMessage.subject.like("Registered%")) == SEATS
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Group registration" in html and "Completed" in html
    assert "10 registered and 2 on the waiting list, out of 12 people matching." in html
    assert "10 invitations are queued for sending." in html
    assert f'href="/sessions/{office["session"]}/roster"' in html
    assert 'http-equiv="refresh"' not in html


def test_a_group_for_a_closed_session_or_of_nobody_starts_no_job(app, client, office):
    login(client, "coord@example.org")
    response = client.post(f"/sessions/{office['session']}/roster/group",
                           data={"role": "focal_point"}, follow_redirects=True)
    assert "Nobody matches these filters; no one was registered." in \
        response.get_data(as_text=True)
    client.post(f"/sessions/{office['session']}/cancel",
                data={"reason": "Speaker ill", "confirmed": "1"})
    response = client.post(f"/sessions/{office['session']}/roster/group",
                           data={"role": "alternate"}, follow_redirects=True)
    assert "This session is not open for registration." in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Job, Job.kind == "sessions.register-group") == 0
        assert _count(Registration) == 0


@pytest.mark.parametrize("failure, shown", [
    (RuntimeError("disk full"), "An unexpected error stopped the work."),
    (DomainError("started", "This session has already started."),
     "This session has already started."),
])
def test_a_failed_group_registration_writes_nothing_and_says_why(app, client, office,
                                                                  monkeypatch, failure, shown):
    real, calls = notices.send, []

    def invite_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 6:  # five people are registered and invited by then
            raise failure
        return real(*args, **kwargs)

    monkeypatch.setattr(notices, "send", invite_then_fail)
    login(client, "coord@example.org")
    job_id = _job_id(client.post(f"/sessions/{office['session']}/roster/group",
                                 data={"role": "alternate", "confirmed": "1"}))
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.failed and job.result is None
        assert _count(Registration) == 0 and _count(OutboxMessage) == 0
        assert _count(AuditEvent, AuditEvent.action.like("registration.%")) == 0
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Stopped with an error" in html and shown in html
    assert "Nothing was saved." in html and "disk full" not in html
    assert 'http-equiv="refresh"' not in html


def _job(app, state, *, by, done=0, total=None, session_id=1, **values):
    with app.app_context():
        job = Job(kind="sessions.register-group", state=state, done=done, total=total,
                  params={"session_id": session_id, "person_ids": []}, created_by_id=by,
                  **values)
        db.session.add(job)
        db.session.commit()
        return job.id


def test_a_running_job_shows_its_progress_and_refreshes_itself(app, client, office):
    job_id = _job(app, JobState.running, by=office["coordinator"], done=120, total=650,
                  session_id=office["session"])
    login(client, "coord@example.org")
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="2">' in html
    assert re.search(r'<progress[^>]* value="120" max="650"', html)
    assert "In progress" in html and "120 of 650" in html
    assert "<script>" not in html and "style=" not in html
    waiting = _job(app, JobState.queued, by=office["coordinator"],
                   session_id=office["session"])
    html = client.get(f"/jobs/{waiting}").get_data(as_text=True)
    assert "Waiting to start" in html and '<meta http-equiv="refresh" content="2">' in html
    assert re.search(r"<progress[^>]*>", html) and ' value="' not in \
        re.search(r"<progress[^>]*>", html).group(0)


@pytest.mark.parametrize("viewer, status", [
    ("anonymous", 302), ("starter", 404), ("other focal point", 404),
    ("resident coordinator", 404), ("coordinator", 200), ("admin", 200)])
def test_only_the_office_sees_a_group_registration(app, client, office, create_user, viewer,
                                                   status):
    """Only the Office registers a group: who started one and holds no role of the Office
    any more (a focal point now) no longer sees it."""
    starter = create_user("starter@example.org", roles=["focal_point"])
    job_id = _job(app, JobState.done, by=starter, done=1, total=1,
                  session_id=office["session"],
                  result={"session_id": office["session"], "matching": 1, "registered": 1,
                          "waitlisted": 0, "invitations": 1})
    accounts = {"starter": "starter@example.org",
                "other focal point": ("other@example.org", ["focal_point"], ()),
                "resident coordinator": ("rc@example.org", ["resident_coordinator"], ["KEN"]),
                "coordinator": "coord@example.org", "admin": ("admin@example.org", ["admin"], ())}
    account = accounts.get(viewer)
    if isinstance(account, tuple):
        create_user(account[0], roles=account[1], uncts=account[2])
        account = account[0]
    if account:
        login(client, account)
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == status
    if viewer == "anonymous":
        assert "/login?next=" in response.headers["Location"]
    if status == 200:
        assert "1 registered and 0 on the waiting list, out of 1 person matching." in \
            response.get_data(as_text=True)
    login(client, "coord@example.org")
    assert client.get("/jobs/" + "0" * 32).status_code == 404


def _register_all(app, office):
    with app.app_context():
        coordinator = db.session.get(User, office["coordinator"])
        session = db.session.get(TrainingSession, office["session"])
        people = db.session.scalars(select(registry.Person).order_by(registry.Person.id)).all()
        registration.register_group(session, people[:SEATS], actor=coordinator)
        db.session.commit()


def _sequences(subject):
    sequences = []
    for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.subject.like(subject))):
        data = base64.b64decode(message.parts[0]["data"]).decode()
        sequences.append(int(re.search(r"SEQUENCE:(\d+)", data).group(1)))
    return sequences


def test_the_notices_of_a_change_and_of_a_cancellation_to_many_run_as_jobs(
        app, client, office, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_NOTICES_INLINE_MAX", 5)
    _register_all(app, office)
    login(client, "coord@example.org")
    url = f"/sessions/{office['session']}"
    later = START + timedelta(hours=1)
    job_id = _job_id(client.post(url + "/edit", data={
        "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "virtual",
        "time_zone": "UTC", "starts_at": later.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (later + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "languages": ["en"], "join_url": "https://meet.example.org/parity",
        "capacity": str(SEATS), "audience": "both", "series": "0"}))
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.kind == "sessions.notify-change" and job.state == JobState.done
        assert job.result == {"session_id": office["session"], "kind": "updated",
                              "notified": SEATS, "guests": 0, "sequence": 1}
        assert _sequences("Updated%") == [1] * SEATS
        assert db.session.get(TrainingSession, office["session"]).starts_at == later
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The updated invitation is queued for 10 registered people." in html
    job_id = _job_id(client.post(url + "/cancel", data={"reason": "Speaker ill",
                                                         "confirmed": "1"}))
    with app.app_context():
        assert db.session.get(Job, job_id).result["notified"] == SEATS
        assert _sequences("Cancelled%") == [2] * SEATS
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The cancellation is queued for 10 registered people." in html
    assert f'href="{url}"' in html


def test_an_update_whose_session_was_cancelled_meanwhile_sends_nothing(app, office):
    _register_all(app, office)
    from gfp_portal.sessions.jobs import notify_change

    with app.test_request_context():
        session = db.session.get(TrainingSession, office["session"])
        session.status = "cancelled"
        db.session.flush()
        run = type("Run", (), {"now": START, "progress": lambda *a: None})()
        assert notify_change(run, session_id=session.id, kind="updated")["notified"] == 0
        assert _count(OutboxMessage, OutboxMessage.subject.like("Updated%")) == 0
        db.session.rollback()


def test_registering_a_group_is_confirmed_first_with_the_counts(app, client, office):
    login(client, "coord@example.org")
    url = f"/sessions/{office['session']}/roster/group"
    response = client.post(url, data={"role": "alternate"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "12 people match; 10 seats left: 10 will be registered, 2 waitlisted." in html
    assert "10 invitations will be emailed." in html
    assert 'name="confirmed" value="1"' in html and 'name="role" value="alternate"' in html
    with app.app_context():
        assert _count(Job) == 0 and _count(Registration) == 0
    _job_id(client.post(url, data={"role": "alternate", "confirmed": "1"}))
    with app.app_context():
        assert _count(Registration) == GROUP


def test_one_seat_left_is_counted_in_the_singular(app, client, office):
    with app.app_context():
        db.session.get(TrainingSession, office["session"]).capacity = 1
        db.session.commit()
    login(client, "coord@example.org")
    html = client.post(f"/sessions/{office['session']}/roster/group?lang=en",
                       data={"role": "alternate"}).get_data(as_text=True)
    assert "12 people match; 1 seat left: 1 will be registered, 11 waitlisted." in html


def _leaving_before_the_session(app, *emails):
    """The end of term of the people with `emails` entered ahead: they leave UNDP in ten days,
    before the session (in thirty)."""
    with app.app_context():
        for person in db.session.scalars(select(Person).where(Person.email.in_(emails))):
            registry.end_appointment(person.appointments[0], reason="left_entity",
                                     ended_on=datetime.now(UTC).date() + timedelta(days=10),
                                     actor=None)
        db.session.commit()


def test_a_group_leaves_out_whoever_leaves_before_the_session(app, client, office):
    """Two of the twelve alternates match the group, but their last day comes before the
    session, which refuses them when they register themselves: the job registers the ten
    others and says how many it left out, and why."""
    _leaving_before_the_session(app, "p0@undp.org", "p5@undp.org")
    login(client, "coord@example.org")
    job_id = _job_id(client.post(f"/sessions/{office['session']}/roster/group",
                                 data={"role": "alternate", "confirmed": "1"}))
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.result == {"session_id": office["session"], "matching": GROUP,
                              "registered": SEATS, "waitlisted": 0, "invitations": SEATS,
                              "term_ends_before": 2}
        assert _count(Registration, Registration.person_id.in_(select(Person.id).where(
            Person.email.in_(("p0@undp.org", "p5@undp.org"))))) == 0
    html = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "10 registered and 0 on the waiting list, out of 12 people matching." in html
    assert "2 people are left out: their terms end before the session." in html


def test_the_confirmation_of_a_group_counts_whoever_it_leaves_out(app, client, office):
    _leaving_before_the_session(app, "p3@undp.org")
    login(client, "coord@example.org")
    html = client.post(f"/sessions/{office['session']}/roster/group",
                       data={"role": "alternate"}).get_data(as_text=True)
    assert "12 people match; 10 seats left: 10 will be registered, 1 waitlisted." in html
    assert "1 person is left out: their term ends before the session." in html


def test_cancelling_a_session_needs_a_reason_and_a_confirmation(app, client, office):
    with app.app_context():
        session = db.session.get(TrainingSession, office["session"])
        people = db.session.scalars(select(Person).limit(3)).all()
        for person in people:
            registration.register(session, person, actor=None, by_coordinator=True)
        db.session.commit()
    login(client, "coord@example.org")
    url = f"/sessions/{office['session']}/cancel"
    html = client.post(url, data={"reason": "Speaker ill"}).get_data(as_text=True)
    assert "3 registered people will be told and emailed the cancellation." in html
    html = client.post(url, data={"reason": "  ", "confirmed": "1"}).get_data(as_text=True)
    assert "Give the reason for the cancellation." in html
    with app.app_context():
        assert db.session.get(TrainingSession, office["session"]).status == "published"
        assert _count(OutboxMessage, OutboxMessage.subject.like("Cancelled%")) == 0
    client.post(url, data={"reason": "Speaker ill", "confirmed": "1"})
    with app.app_context():
        assert db.session.get(TrainingSession, office["session"]).status == "cancelled"


@pytest.mark.parametrize("confirmed", [{}, {"confirmed": "1"}])
def test_a_reason_too_long_comes_back_on_the_confirmation_with_its_error(app, client, office,
                                                                         confirmed):
    """The reason's box says how long it may be; one sent longer all the same is the field's
    error on the confirmation page, the text kept, not a page that the request was not
    understood."""
    login(client, "coord@example.org")
    page = client.get(f"/sessions/{office['session']}").get_data(as_text=True)
    assert re.search(r'<textarea[^>]*name="reason"[^>]*maxlength="2000"', page)
    reason = "The speaker fell ill; the session moves to the autumn programme. " * 40
    response = client.post(f"/sessions/{office['session']}/cancel?lang=en",
                           data={"reason": reason, **confirmed})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Please confirm: this will happen" in html
    assert f">{reason}</textarea>" in html
    assert "Field cannot be longer than 2000 characters." in html
    with app.app_context():
        assert db.session.get(TrainingSession, office["session"]).status == "published"


def test_a_group_is_placed_as_one_registration_after_another_would_be(app, office):
    """Who already holds a place keeps it, a cancelled registration comes back, the seats go
    in the group's order, then the waiting list; someone named twice is placed once."""
    with app.app_context():
        session = db.session.get(TrainingSession, office["session"])
        coordinator = db.session.get(User, office["coordinator"])
        people = db.session.scalars(select(Person).where(Person.email.like("p%@undp.org"))
                                    .order_by(Person.id)).all()
        session.capacity = 3
        holder, leaver, *others = people[:5]
        registration.register(session, holder, actor=coordinator, by_coordinator=True,
                              notify=False)
        left = registration.register(session, leaver, actor=coordinator, by_coordinator=True,
                                     notify=False)
        registration.cancel(left, actor=coordinator, by_coordinator=True)
        counts = registration.register_group(
            session, [holder, leaver, others[0], others[1], others[0], others[2]],
            actor=coordinator)
        status = {row.person_id: row.status for row in db.session.scalars(
            select(Registration).where(Registration.session_id == session.id))}
        assert status == {holder.id: "registered", leaver.id: "registered",
                          others[0].id: "registered", others[1].id: "waitlisted",
                          others[2].id: "waitlisted"}
        assert counts["invitations"] == 2 and counts["registered"] == 4 and \
            counts["waitlisted"] == 2
        # One audit entry per place taken, as one registration after another would write.
        assert _count(AuditEvent, AuditEvent.action == "registration.create") == 6
        assert [row.waitlisted_at is not None for row in db.session.scalars(
            select(Registration).where(Registration.status == "waitlisted"))] == [True, True]


def _subjects_to(email):
    return sorted(db.session.scalars(select(OutboxMessage.subject).where(
        OutboxMessage.recipient == email)))


def _change_later(app, office, data):
    """Change the session; the job telling everyone is left queued: returns its id."""
    with app.test_request_context():
        session = db.session.get(TrainingSession, office["session"])
        job = services.update_session(session, data, actor=db.session.get(
            User, office["coordinator"]))[2]
        db.session.info.pop("jobs.dispatch")  # run below, when the test says
        db.session.commit()
        return job.id


def _run(app, job_id):
    from gfp_portal.core.jobs import execute_job

    with app.test_request_context():
        execute_job(job_id)
        return db.session.get(Job, job_id).result


def test_the_notices_of_a_change_skip_whoever_already_holds_its_invitation(
        app, office, monkeypatch):
    """Between a change and the job that tells everyone, a freed seat goes to the first person
    waiting with the changed invitation; two changes in a row queue two jobs. Nobody gets the
    same invitation twice."""
    monkeypatch.setitem(app.config, "SESSION_NOTICES_INLINE_MAX", 5)

    def change(data):
        return _change_later(app, office, data)

    def run(job_id):
        return _run(app, job_id)

    with app.test_request_context():
        coordinator = db.session.get(User, office["coordinator"])
        session = db.session.get(TrainingSession, office["session"])
        people = db.session.scalars(select(registry.Person).order_by(registry.Person.id)).all()
        registration.register_group(session, people, actor=coordinator)
        db.session.commit()
    later = START + timedelta(hours=1)
    first = change({"starts_at": later, "ends_at": later + timedelta(hours=2)})
    with app.test_request_context():
        leaving = db.session.scalars(select(Registration).where(
            Registration.person.has(email="p0@undp.org"))).one()
        registration.cancel(leaving, actor=db.session.get(User, office["coordinator"]),
                            by_coordinator=True)
        db.session.commit()
    assert run(first)["notified"] == SEATS - 1
    with app.app_context():
        assert _subjects_to("p9@undp.org") == ["A seat is free for you: Parity dashboard"]
        assert _subjects_to("p1@undp.org") == ["Registered: Parity dashboard",
                                               "Updated: Parity dashboard"]
    second = change({"title_fr": "Tableau de bord de la parité"})
    third = change({"title_es": "Panel de paridad"})
    assert run(second)["notified"] == SEATS
    assert run(third)["notified"] == 0
    with app.app_context():
        assert sorted(_sequences("Updated%")) == [1] * (SEATS - 1) + [3] * SEATS


def _calendar_to(email):
    """(subject, SEQUENCE) of each calendar email sent to `email`, in order."""
    return [(message.subject, int(re.search(r"SEQUENCE:(\d+)", base64.b64decode(
        message.parts[0]["data"]).decode()).group(1)))
        for message in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == email).order_by(OutboxMessage.id)) if message.parts]


def test_a_sequence_raised_above_a_cancellation_sends_no_other_notice(
        app, office, monkeypatch):
    """A place given again after its cancellation raises the session's SEQUENCE, so that its
    invitation outranks the CANCEL. The jobs of changes queued before it still tell each
    person once: the one queued before the raise sends the latest invitation, and one whose
    change everyone already holds sends nothing, not the raised number to everyone."""
    monkeypatch.setitem(app.config, "SESSION_NOTICES_INLINE_MAX", 5)
    _register_all(app, office)

    def again(email):
        with app.test_request_context():
            row = db.session.scalars(select(Registration).where(
                Registration.person.has(email=email))).one()
            registration.cancel(row, actor=None)
            registration.register(row.session, row.person, actor=None)
            db.session.commit()

    first = _change_later(app, office, {"title_fr": "Tableau de bord de la parité"})
    again("p0@undp.org")
    assert _run(app, first)["notified"] == SEATS - 1
    second = _change_later(app, office, {"title_es": "Panel de paridad"})
    third = _change_later(app, office, {"title_fr": "Le tableau de bord de la parité"})
    assert _run(app, second)["notified"] == SEATS
    again("p0@undp.org")
    assert _run(app, third)["notified"] == 0
    with app.app_context():
        assert _calendar_to("p0@undp.org") == [
            ("Registered: Parity dashboard", 0),
            ("Registration cancelled: Parity dashboard", 1),
            ("Registered: Parity dashboard", 2),
            ("Updated: Parity dashboard", 4),
            ("Registration cancelled: Parity dashboard", 4),
            ("Registered: Parity dashboard", 5)]
        others = db.session.scalars(select(Person.email).join(Registration).where(
            Person.email != "p0@undp.org")).all()
        assert len(others) == SEATS - 1
        for email in others:
            assert _calendar_to(email) == [
                ("Registered: Parity dashboard", 0), ("Updated: Parity dashboard", 2),
                ("Updated: Parity dashboard", 4)]
        assert db.session.get(TrainingSession, office["session"]).ical_sequence == 5

def test_a_group_notes_its_invitations_as_its_registrations_are_written(
        app, office, count_queries):
    """The seats the group is invited to are noted as the rows are written: not one UPDATE of
    each registration after it (a third of the job's time at 600 people)."""
    with app.test_request_context():
        session = db.session.get(TrainingSession, office["session"])
        coordinator = db.session.get(User, office["coordinator"])
        people = db.session.scalars(select(registry.Person).order_by(registry.Person.id)).all()
        with count_queries() as counted:
            registration.register_group(session, people, actor=coordinator)
            db.session.flush()
        written = [s.split()[:3] for s in counted.statements
                   if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
        assert ["UPDATE", "registrations", "SET"] not in written
        sequences = list(db.session.scalars(select(Registration.invited_sequence)))
        assert sequences.count(0) == SEATS and sequences.count(None) == len(people) - SEATS
        db.session.rollback()


def test_the_notices_of_a_change_note_their_invitations_in_one_statement(
        app, office, count_queries):
    _register_all(app, office)
    with app.test_request_context():
        session = db.session.get(TrainingSession, office["session"])
        session.ical_sequence += 1
        db.session.flush()
        with count_queries() as counted:
            assert services.send_notices(session, "updated", now=datetime.now(UTC)) == (SEATS, 0)
            db.session.flush()
        updates = [s for s in counted.statements
                   if s.lstrip().upper().startswith("UPDATE REGISTRATIONS")]
        assert len(updates) == 1
        assert set(db.session.scalars(select(Registration.invited_sequence).where(
            Registration.status == "registered"))) == {1}
        assert services.send_notices(session, "updated", now=datetime.now(UTC)) == (0, 0)
        db.session.rollback()


def test_whoever_leaves_a_cancelled_session_before_its_job_is_still_told_once(
        app, office, monkeypatch):
    """A cancellation told by a job: a person removed before the job runs is sent the
    cancellation then (the job, which reads who is registered, no longer finds them); one
    removed after it is sent nothing more. Everyone gets exactly one CANCEL."""
    from gfp_portal.core.jobs import execute_job

    monkeypatch.setitem(app.config, "SESSION_NOTICES_INLINE_MAX", 5)
    _register_all(app, office)

    def remove(email):
        with app.test_request_context():
            row = db.session.scalars(select(Registration).where(
                Registration.person.has(email=email))).one()
            assert registration.removal_preview(row)["emailed"] == (email == "p0@undp.org")
            registration.cancel(row, actor=db.session.get(User, office["coordinator"]),
                                by_coordinator=True)
            db.session.commit()

    with app.test_request_context():
        session = db.session.get(TrainingSession, office["session"])
        job = services.cancel_session(session, reason="Speaker ill", actor=db.session.get(
            User, office["coordinator"]))[1]
        db.session.info.pop("jobs.dispatch")  # run below, after the first removal
        db.session.commit()
        job_id = job.id
    remove("p0@undp.org")
    with app.test_request_context():
        execute_job(job_id)
        assert db.session.get(Job, job_id).result["notified"] == SEATS - 1
    remove("p1@undp.org")
    with app.app_context():
        for email in ("p0@undp.org", "p1@undp.org", "p2@undp.org"):
            assert _subjects_to(email) == ["Cancelled: Parity dashboard",
                                           "Registered: Parity dashboard"], email
        assert _sequences("Cancelled%") == [1] * SEATS
