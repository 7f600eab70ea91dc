"""The scheduled-work page: each periodic job with its schedule, its last run and its next one,
and the latest background jobs, for the Office."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.admin.queries import describe_schedule, scheduled_work
from gfp_portal.core import engine as engine_module
from gfp_portal.core import jobs
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.db import utcnow
from gfp_portal.core.engine import Schedule, engine
from gfp_portal.core.jobs import Job, JobRun, JobState
from gfp_portal.extensions import db
from tests.helpers import ends_within, queue_at, silent_redis

NOW = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)


def test_every_periodic_job_is_listed_with_its_next_run(app):
    with app.app_context():
        rows = {row.name: row for row in scheduled_work(engine().schedules, now=NOW,
                                                        attempts=3)}
    assert set(rows) == set(app.config["JOBS_SCHEDULE"])
    assert all(row.page is not None for row in rows.values()), "a periodic job has no title"
    assert rows["registry.send-alerts"].next_run == datetime(2027, 3, 2, 5, 0, tzinfo=UTC)
    assert rows["sessions.send-reminders"].next_run == datetime(2027, 3, 1, 8, 5, tzinfo=UTC)


@pytest.mark.parametrize(("cron", "words"), [
    ("0 5 * * *", "Every day at 05:00 (UTC)"),
    ("5 * * * *", "Every hour at 5 minutes past"),
    ("*/10 * * * *", "Every 10 minutes"),
    ("0 5 * * 1", None),
])
def test_schedules_read_as_words_where_they_are_plain(app, cron, words):
    with app.test_request_context():
        assert describe_schedule(cron) == words


def test_the_office_sees_the_last_runs_and_the_latest_jobs(client, app, login_as):
    user_id = login_as("coordinator")
    with app.app_context():
        db.session.add_all([
            JobRun(name="storage.purge-pending", period="2027-03-01T03:45", state=JobState.done,
                   started_at=NOW, finished_at=NOW, result={"previews": 3}),
            JobRun(name="coverage.remind", period="2027-03-01T05:15", state=JobState.failed,
                   started_at=NOW, finished_at=NOW, error="SMTP server unreachable"),
            Job(id="a" * 32, kind="sessions.register-group", params={}, state=JobState.running,
                done=40, total=650, created_by_id=user_id, created_at=NOW, started_at=NOW)])
        db.session.commit()
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "3 expired import previews deleted." in html
    assert "SMTP server unreachable" in html
    assert "Group registration" in html and f"/jobs/{'a' * 32}" in html
    assert "40 of 650" in html
    french = client.get("/admin/jobs", headers={"Accept-Language": "fr"})
    assert french.status_code == 200


@pytest.mark.parametrize("how", ["refused", "hanging"])
def test_the_latest_jobs_are_listed_while_the_queue_does_not_answer(client, app, login_as,
                                                                     monkeypatch, caplog, how):
    """A Redis that is down or hangs leaves the live progress out: the running jobs show what
    the database holds, and the queue is asked once for the whole page (a hanging one would
    hold the page for its timeout once per job), with one warning."""
    user_id = login_as("coordinator")
    with app.app_context():
        db.session.add_all([
            Job(id=letter * 32, kind="sessions.register-group", params={},
                state=JobState.running, done=done, total=650, created_by_id=user_id,
                created_at=NOW, started_at=NOW) for letter, done in (("a", 40), ("b", 80))])
        db.session.commit()
    with silent_redis(how) as url:
        queue_at(app, monkeypatch, url)
        response = ends_within(30, client.get, "/admin/jobs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "40 of 650" in html and "80 of 650" in html
    warnings = [r for r in caplog.records if r.name == "gfp_portal.core.engine"]
    assert [r.levelname for r in warnings] == ["WARNING"]


def test_a_crontab_line_reads_left_to_right_on_an_arabic_page(client, app, login_as,
                                                              monkeypatch):
    """A line that has no words is shown as it is, in its own left-to-right run: inside a
    right-to-left page "*/10 * * * *" read "* * * * 10/*"."""
    monkeypatch.setitem(app.extensions["jobs"].schedules, "registry.send-alerts",
                        Schedule("registry.send-alerts", "0 5 * * 1"))
    login_as("coordinator")
    html = client.get("/admin/jobs?lang=ar").get_data(as_text=True)
    assert '<code dir="ltr">0 5 * * 1</code>' in html
    assert "كل 10 دقائق" in html  # the sweep's "*/10 * * * *", in words


def test_only_the_office_sees_the_scheduled_work(client, login_as):
    assert client.get("/admin/jobs").status_code == 302  # to the sign-in page
    login_as("focal_point")
    assert client.get("/admin/jobs").status_code == 403


def test_the_page_says_what_stopped_a_run_or_a_job_in_the_readers_language(client, app,
                                                                           login_as):
    """An unexpected error reads as such, never as its technical text; a worker that stopped
    reads as its reason in the reader's language, for a periodic run as for a job."""
    login_as("coordinator")
    stale = "The worker doing this job stopped (it was restarted or failed) before the job ended."
    with app.app_context():
        db.session.add_all([
            JobRun(name="coverage.remind", period="2027-03-01T05:15", state=JobState.failed,
                   started_at=NOW, finished_at=NOW, error_code="internal",
                   error="RuntimeError: connection refused by 10.0.0.7"),
            JobRun(name="registry.send-alerts", period="2027-03-01T05:00",
                   state=JobState.failed, started_at=NOW, finished_at=NOW, error_code="stale",
                   error=stale),
            Job(id="b" * 32, kind="sessions.register-group", params={}, state=JobState.failed,
                error_code="stale", error=stale, created_at=NOW, started_at=NOW)])
        db.session.commit()
    html = client.get("/admin/jobs?lang=fr").get_data(as_text=True)
    assert "RuntimeError" not in html and "10.0.0.7" not in html
    assert "Une erreur inattendue a interrompu l’opération." in html
    assert html.count("Le processus chargé de cette opération s’est arrêté") == 2
    assert stale not in html


@pytest.fixture
def purges(monkeypatch):
    """The times the periodic removal of import previews ran (each removes two)."""
    ran = []
    monkeypatch.setitem(jobs.PERIODIC, "storage.purge-pending",
                        lambda run: ran.append(run.now) or {"previews": 2})
    return ran


def test_the_office_runs_a_failed_run_again_for_its_period_once(client, app, login_as, purges):
    """A run that stopped with an error can be queued again from the page: a worker runs it
    for the same period, the audit trail says who asked, and a second press once it has run
    is refused with the reason and runs nothing."""
    login_as("coordinator")
    with app.app_context():
        db.session.add(JobRun(name="storage.purge-pending", period="2027-03-01T03:45",
                              state=JobState.failed, started_at=NOW, finished_at=NOW,
                              error_code="internal", error="OperationalError: server closed"))
        db.session.commit()
    page = client.get("/admin/jobs?lang=fr").get_data(as_text=True)
    assert "/admin/jobs/storage.purge-pending/run-again" in page and "Relancer" in page

    answer = client.post("/admin/jobs/storage.purge-pending/run-again?lang=fr",
                         follow_redirects=True).get_data(as_text=True)
    assert "Le traitement est de nouveau en file d’attente pour la même période" in answer
    assert "2 aperçus d’importation expirés supprimés." in answer
    assert len(purges) == 1
    with app.app_context():
        run = db.session.scalars(select(JobRun).filter_by(name="storage.purge-pending")).one()
        assert (run.period, run.state, run.error_code, run.error) == \
            ("2027-03-01T03:45", JobState.done, None, None)
        event = db.session.scalars(select(AuditEvent).filter_by(action="job.run_again")).one()
        assert (event.object_type, event.object_id) == ("job_runs", run.id)
        assert event.changes == {"state": ["failed", "queued"]}

    again = client.post("/admin/jobs/storage.purge-pending/run-again?lang=fr",
                        follow_redirects=True).get_data(as_text=True)
    assert "Seul un traitement dont la dernière exécution" in again
    assert len(purges) == 1
    assert client.post("/admin/jobs/no.such-job/run-again").status_code == 404


def test_a_run_queued_again_while_the_queue_does_not_answer_waits_for_the_sweep(
        client, app, login_as, purges, monkeypatch):
    """The queue not answering when "Run again" is saved: the Office is told it is queued, as
    it is (the sweep fires it once the queue answers), not shown a server error."""
    login_as("coordinator")
    with app.app_context():
        db.session.add(JobRun(name="storage.purge-pending", period="2027-03-01T03:45",
                              state=JobState.failed, started_at=NOW, finished_at=NOW,
                              error_code="internal", error="OperationalError: server closed"))
        db.session.commit()

    def unreachable(self, name, period):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    monkeypatch.setattr(engine_module.JobEngine, "fire_run", unreachable)
    answer = client.post("/admin/jobs/storage.purge-pending/run-again", follow_redirects=True)
    assert answer.status_code == 200
    assert "The work is queued to run again" in answer.get_data(as_text=True)
    assert purges == []
    with app.app_context():
        assert db.session.scalars(select(JobRun.state)).one() == JobState.queued


def test_a_run_queued_again_and_lost_by_the_queue_is_queued_again_by_the_sweep(app, ctx,
                                                                                purges):
    now = utcnow()
    stale = timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    db.session.add_all([
        JobRun(name="storage.purge-pending", period="2027-03-01T03:45",
               state=JobState.queued, started_at=now - stale - timedelta(seconds=1)),
        JobRun(name="storage.purge-pending", period="2027-03-02T03:45",
               state=JobState.queued, started_at=now - timedelta(seconds=5))])
    db.session.commit()
    sweep = jobs.run_periodic("jobs.sweep-stale", "2027-03-02T06:00", now=now)
    assert sweep.result == {"stopped": 0, "queued_again": 1, "run_again": 0}
    assert len(purges) == 1
    states = dict(db.session.execute(select(JobRun.period, JobRun.state).filter_by(
        name="storage.purge-pending")).all())
    assert states == {"2027-03-01T03:45": JobState.done, "2027-03-02T03:45": JobState.queued}


@pytest.mark.parametrize("role", [None, "focal_point"])
def test_only_the_office_runs_work_again(client, app, login_as, purges, role):
    with app.app_context():
        db.session.add(JobRun(name="storage.purge-pending", period="2027-03-01T03:45",
                              state=JobState.failed, started_at=NOW, finished_at=NOW))
        db.session.commit()
    if role:
        login_as(role)
    answer = client.post("/admin/jobs/storage.purge-pending/run-again")
    assert answer.status_code == 403  # signed out: the page that offers the entries back
    assert purges == []
    with app.app_context():
        assert db.session.scalars(select(JobRun.state)).one() == JobState.failed


def _failed(name, period, *, at, code="internal", attempts=1):
    return JobRun(name=name, period=period, state=JobState.failed, started_at=at,
                  finished_at=at, error_code=code, error="OperationalError: server closed",
                  attempts=attempts)


def test_the_sweep_runs_again_the_last_run_an_unexpected_error_stopped(app, ctx, purges):
    """The next sweep runs again, for its period, a job's last run stopped by an unexpected
    error or a worker's failure, up to JOBS_RUN_ATTEMPTS in all: not a run a rule refused
    (it would be refused again), nor one a later period has replaced, nor one out of
    attempts; those wait for the Office's "Run again"."""
    now = utcnow()
    earlier = now - timedelta(hours=1)
    tries = app.config["JOBS_RUN_ATTEMPTS"]
    db.session.add_all([
        _failed("storage.purge-pending", "2027-03-01T03:45", at=earlier),
        _failed("coverage.remind", "2027-03-01T06:00", at=earlier, code="no_sender"),
        _failed("plans.remind", "2027-02-28T06:00", at=earlier, code="stale"),
        JobRun(name="plans.remind", period="2027-03-01T06:00", state=JobState.done,
               started_at=now, finished_at=now),
        _failed("registry.send-alerts", "2027-03-01T06:00", at=earlier, attempts=tries)])
    db.session.commit()
    sweep = jobs.run_periodic("jobs.sweep-stale", "2027-03-01T07:00", now=now)
    assert sweep.result == {"stopped": 0, "queued_again": 0, "run_again": 1}
    assert len(purges) == 1
    rows = {(run.name, run.period): run for run in db.session.scalars(select(JobRun))}
    purge = rows["storage.purge-pending", "2027-03-01T03:45"]
    assert (purge.state, purge.attempts, purge.error_code) == (JobState.done, 2, None)
    for key in (("coverage.remind", "2027-03-01T06:00"), ("plans.remind", "2027-02-28T06:00"),
                ("registry.send-alerts", "2027-03-01T06:00")):
        assert rows[key].state == JobState.failed, key
    # A second sweep finds nothing more to run again.
    again = jobs.run_periodic("jobs.sweep-stale", "2027-03-01T07:10", now=now)
    assert again.result["run_again"] == 0 and len(purges) == 1


def test_the_page_says_when_a_failed_run_runs_again_and_after_how_many_attempts(
        client, app, login_as, monkeypatch):
    monkeypatch.setitem(app.extensions["jobs"].schedules, "jobs.sweep-stale",
                        Schedule("jobs.sweep-stale", "*/10 * * * *"))
    login_as("coordinator")
    now = utcnow()
    tries = app.config["JOBS_RUN_ATTEMPTS"]
    with app.app_context():
        db.session.add_all([
            _failed("storage.purge-pending", "2027-03-01T03:45", at=now),
            _failed("registry.send-alerts", "2027-03-01T06:00", at=now, attempts=tries)])
        db.session.commit()
    page = client.get("/admin/jobs?lang=fr").get_data(as_text=True)
    assert "Relance automatique prévue le " in page
    assert f"après {tries} tentatives" in page
    assert page.count("Relancer") == 2
