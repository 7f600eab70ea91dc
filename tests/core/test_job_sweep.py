"""A crashed worker does not leave its job "in progress" forever: while a worker runs a job it
says so beside the queue, and the periodic sweep marks as failed, with the reason, the running
jobs nobody has heard of for JOBS_STALE_SECONDS."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from gfp_portal.core import jobs
from gfp_portal.core.db import utcnow
from gfp_portal.core.engine import engine
from gfp_portal.core.jobs import Job, JobRun, JobState
from gfp_portal.extensions import db
from tests.helpers import login

HEARD = []


def _listen(run):
    """A job that records whether its worker's heartbeat is heard while it runs."""
    HEARD.append(engine().last_heartbeat(db.session.get(Job, run.job_id)))
    return {}


@pytest.fixture(autouse=True)
def listening_job(monkeypatch):
    HEARD.clear()
    monkeypatch.setitem(jobs.JOBS, "test.listen", _listen)


def _running(started_at, *, created_by_id=None):
    row = Job(kind="test.listen", params={}, state=JobState.running, started_at=started_at,
              created_at=started_at, created_by_id=created_by_id)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_worker_is_heard_while_it_runs_a_job_and_not_after(ctx):
    row = jobs.enqueue("test.listen")
    db.session.commit()
    assert HEARD and HEARD[0] is not None and HEARD[0] <= utcnow()
    assert engine().last_heartbeat(row) is None


def test_the_sweep_fails_the_jobs_whose_worker_went_silent_only(ctx, app):
    now = utcnow()
    stale = timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    crashed = _running(now - stale - timedelta(minutes=1))
    alive = _running(now - stale - timedelta(minutes=5))
    engine().huey.put(f"job-heartbeat:{alive}", (now - timedelta(seconds=5)).timestamp())
    recent = _running(now - timedelta(seconds=30))
    run = jobs.run_periodic("jobs.sweep-stale", "2027-03-01T06:00", now=now)
    assert run.state == JobState.done
    assert run.result == {"stopped": 1, "queued_again": 0, "run_again": 0}
    states = {job_id: db.session.get(Job, job_id) for job_id in (crashed, alive, recent)}
    assert states[crashed].state == JobState.failed and states[crashed].error_code == "stale"
    assert states[crashed].finished_at == now
    assert states[alive].state == states[recent].state == JobState.running
    # A job that ended in the meantime is left as it ended.
    assert jobs.sweep_stale(lambda job: None, now=now + stale * 2, stale_after=stale) == 2


def test_the_jobs_page_gives_the_reason_in_the_viewers_language(app, client, create_user):
    user_id = create_user("coord@example.org", roles=["coordinator"], locale="fr")
    with app.app_context():
        job_id = _running(utcnow() - timedelta(hours=2), created_by_id=user_id)
        jobs.sweep_stale(engine().last_heartbeat, now=utcnow(),
                         stale_after=timedelta(seconds=app.config["JOBS_STALE_SECONDS"]))
        db.session.commit()
    login(client, "coord@example.org")
    html = client.get(f"/jobs/{job_id}?lang=fr").get_data(as_text=True)
    assert re.search(r"Le processus .* s’est arrêté", html), html
    assert 'http-equiv="refresh"' not in html


def _waiting(created_at):
    """A job recorded as waiting whose place in the queue was lost: no worker ever got it."""
    row = Job(kind="test.listen", params={}, state=JobState.queued, created_at=created_at)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_the_sweep_queues_again_the_jobs_no_worker_started(ctx, app):
    now = utcnow()
    stale = timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    lost = _waiting(now - stale - timedelta(minutes=1))
    recent = _waiting(now - timedelta(seconds=30))
    run = jobs.run_periodic("jobs.sweep-stale", "2027-03-01T06:10", now=now)
    assert run.state == JobState.done
    assert run.result == {"stopped": 0, "queued_again": 1, "run_again": 0}
    db.session.expire_all()
    assert db.session.get(Job, lost).state == JobState.done and len(HEARD) == 1
    assert db.session.get(Job, recent).state == JobState.queued
    # Queued twice (its first place in the queue came back after all), it still runs once.
    assert jobs.execute_job(lost) is None and len(HEARD) == 1


def test_the_sweeps_page_says_how_many_jobs_it_queued_again(app, client, create_user):
    create_user("coord@example.org", roles=["coordinator"], locale="fr")
    with app.app_context():
        _waiting(utcnow() - timedelta(hours=2))
        jobs.run_periodic("jobs.sweep-stale", "2027-03-01T06:20")
    login(client, "coord@example.org")
    html = client.get("/admin/jobs?lang=fr").get_data(as_text=True)
    assert "1 opération qu’aucun processus n’avait commencée est remise en file d’attente." \
        in html, html


def _periodic_running(started_at, name="test.periodic"):
    row = JobRun(name=name, period=started_at.strftime("%Y-%m-%dT%H:%M"),
                 state=JobState.running, started_at=started_at)
    db.session.add(row)
    db.session.commit()
    return row.id


def test_a_periodic_run_is_heard_while_it_runs_and_not_after(ctx, monkeypatch):
    heard = []

    def listen(run):
        row = db.session.scalars(select(JobRun).filter_by(name="test.periodic")).one()
        heard.append(engine().last_run_heartbeat(row))
        return {}
    monkeypatch.setitem(jobs.PERIODIC, "test.periodic", listen)
    engine()._run_periodic("test.periodic", "2027-03-01T06:30")
    row = db.session.scalars(select(JobRun).filter_by(name="test.periodic")).one()
    assert row.state == JobState.done and heard and heard[0] is not None
    assert engine().last_run_heartbeat(row) is None


def test_the_sweep_fails_the_periodic_runs_whose_worker_went_silent_only(ctx, app):
    now = utcnow()
    stale = timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    crashed = _periodic_running(now - stale - timedelta(minutes=1), "coverage.remind")
    alive = _periodic_running(now - stale - timedelta(minutes=5), "registry.send-alerts")
    alive_row = db.session.get(JobRun, alive)
    engine().huey.put(f"periodic-heartbeat:{alive_row.name}:{alive_row.period}",
                      (now - timedelta(seconds=5)).timestamp())
    recent = _periodic_running(now - timedelta(seconds=30), "plans.remind")
    run = jobs.run_periodic("jobs.sweep-stale", "2027-03-01T06:40", now=now)
    assert run.result == {"stopped": 1, "queued_again": 0, "run_again": 0}
    rows = {run_id: db.session.get(JobRun, run_id) for run_id in (crashed, alive, recent)}
    assert rows[crashed].state == JobState.failed and rows[crashed].error_code == "stale"
    assert rows[crashed].finished_at == now
    assert rows[alive].state == rows[recent].state == JobState.running
