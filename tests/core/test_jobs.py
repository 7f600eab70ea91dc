"""The job engine: a job runs once its caller commits, records its result or its failure (with
nothing half-written) and its progress; periodic jobs run once per period, whoever fires them;
the queue in a SQLite file or in Redis carries jobs from the web process to a worker."""
import re
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from config import TestingConfig
from gfp_portal.app import create_app
from gfp_portal.core import engine as engine_module
from gfp_portal.core import jobs
from gfp_portal.core.db import added_unless_there, utcnow
from gfp_portal.core.engine import Schedule, engine, make_huey
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import Job, JobRun, JobState
from gfp_portal.core.settings import Setting
from gfp_portal.extensions import db
from tests.helpers import ends_within, hanging_redis, real_redis, run_together

CALLS = []


def _write_then(run, *, value, fail=None):
    """A job that writes a setting row, reports progress, then ends as told."""
    CALLS.append(value)
    db.session.add(Setting(key=f"test.{value}", value=value))
    db.session.flush()
    for done in range(1, 4):
        run.progress(done, 3)
    if fail == "domain":
        raise DomainError("test_refused", "refused")
    if fail == "crash":
        raise RuntimeError("boom")
    return {"value": value}


@pytest.fixture(autouse=True)
def test_jobs(monkeypatch):
    CALLS.clear()
    monkeypatch.setitem(jobs.JOBS, "test.write", _write_then)


def _settings():
    return db.session.scalar(select(func.count()).select_from(Setting).where(
        Setting.key.like("test.%")))


def test_a_job_runs_when_its_caller_commits_and_keeps_its_result(ctx):
    row = jobs.enqueue("test.write", {"value": "a"})
    assert CALLS == [] and row.state == JobState.queued
    db.session.commit()
    assert CALLS == ["a"]
    db.session.refresh(row)
    assert row.state == JobState.done and row.result == {"value": "a"}
    assert (row.done, row.total) == (3, 3) and row.finished_at is not None
    assert engine_module.engine().progress(row) == (3, 3)
    assert _settings() == 1


def test_a_job_whose_caller_rolls_back_never_runs(ctx):
    jobs.enqueue("test.write", {"value": "b"})
    db.session.rollback()
    db.session.commit()
    assert CALLS == [] and db.session.scalar(select(func.count(Job.id))) == 0


@pytest.mark.parametrize("fail, code", [("domain", "test_refused"), ("crash", "internal")])
def test_a_failed_job_leaves_nothing_written_and_says_why(ctx, fail, code):
    row = jobs.enqueue("test.write", {"value": "c", "fail": fail})
    db.session.commit()
    db.session.refresh(row)
    assert row.state == JobState.failed and row.error_code == code and row.error
    assert row.result is None and _settings() == 0


def test_a_job_is_run_once_even_if_the_queue_hands_it_out_twice(ctx):
    row = jobs.enqueue("test.write", {"value": "d"})
    db.session.commit()
    assert jobs.execute_job(row.id) is None
    assert CALLS == ["d"]


@pytest.fixture
def handed(monkeypatch):
    """The ids of the jobs handed to the queue, in order (the queue then runs them)."""
    ids = []
    dispatch = engine_module.JobEngine.dispatch

    def recording(self, job_id):
        ids.append(job_id)
        dispatch(self, job_id)
    monkeypatch.setattr(engine_module.JobEngine, "dispatch", recording)
    return ids


def _run_row(period):
    """A row "added unless there" in a savepoint: a periodic run of `period`."""
    return added_unless_there(JobRun(name="test.row", period=period), lambda: db.session.scalars(
        select(JobRun).filter_by(name="test.row", period=period)).first())


def test_a_job_queued_before_a_savepoint_that_rolls_back_still_runs_at_commit(ctx, handed):
    """A row added unless there meets the row another request recorded (a double click): its
    savepoint rolls back, the request goes on, and the job it queued before is handed out at
    the commit that saves it."""
    db.session.add(JobRun(name="test.row", period="2027-03-01T05:00"))
    db.session.commit()
    row = jobs.enqueue("test.write", {"value": "s"})
    assert _run_row("2027-03-01T05:00").id is not None
    db.session.commit()
    db.session.refresh(row)
    assert handed == [row.id] and CALLS == ["s"] and row.state == JobState.done


def test_a_job_is_handed_out_at_the_commit_not_when_a_savepoint_is_released(ctx, handed):
    row = jobs.enqueue("test.write", {"value": "r"})
    _run_row("2027-03-01T06:00")
    assert handed == []  # the job's row is not committed yet: no worker could claim it
    db.session.commit()
    db.session.refresh(row)
    assert handed == [row.id] and CALLS == ["r"] and row.state == JobState.done


def test_a_job_of_a_transaction_rolled_back_after_a_savepoint_is_never_handed_out(ctx, handed):
    jobs.enqueue("test.write", {"value": "u"})
    _run_row("2027-03-01T07:00")
    db.session.rollback()
    db.session.commit()
    assert handed == [] and CALLS == [] and db.session.scalar(select(func.count(Job.id))) == 0


def test_a_queue_that_does_not_answer_at_commit_leaves_the_job_to_the_sweep(
        ctx, app, monkeypatch, caplog):
    """Redis (or the queue's SQLite file) not answering when a request commits: the commit
    stands, the jobs the queue took run, and the one it refused waits (its page says so)
    until the sweep hands it out again. The log names the job, not what it was asked to do
    (it may name a person)."""
    dispatch, refused = engine_module.JobEngine.dispatch, []

    def refusing_once(self, job_id):
        if not refused:
            refused.append(job_id)
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        dispatch(self, job_id)
    monkeypatch.setattr(engine_module.JobEngine, "dispatch", refusing_once)
    lost = jobs.enqueue("test.write", {"value": "amina.diallo@un.org"})
    taken = jobs.enqueue("test.write", {"value": "t"})
    db.session.commit()
    assert refused == [lost.id] and CALLS == ["t"]
    db.session.refresh(lost)
    db.session.refresh(taken)
    assert (lost.state, taken.state) == (JobState.queued, JobState.done)
    assert lost.id in caplog.text and "amina.diallo" not in caplog.text

    stale = timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    later = utcnow() + stale + timedelta(seconds=1)
    assert jobs.dispatch_waiting(engine().dispatch, now=later, waiting_after=stale) == 1
    db.session.refresh(lost)
    assert CALLS == ["t", "amina.diallo@un.org"] and lost.state == JobState.done


def test_an_unknown_job_kind_is_refused(ctx):
    with pytest.raises(ValueError):
        jobs.enqueue("test.nothing")


class Counted(list):
    """The runs of the periodic job "test.count"; `fail_first` makes its first run fail."""
    fail_first = False

    def __call__(self, run):
        self.append(run.now)
        time.sleep(0.2)  # long enough for a second firing to arrive meanwhile
        if len(self) == 1 and self.fail_first:
            raise RuntimeError("first run fails")
        return {"runs": len(self)}


@pytest.fixture
def counted(monkeypatch, app):
    """A periodic job "test.count", scheduled every minute, that counts its runs."""
    runs = Counted()
    monkeypatch.setitem(jobs.PERIODIC, "test.count", runs)
    monkeypatch.setitem(app.extensions["jobs"].schedules, "test.count",
                        Schedule("test.count", "* * * * *"))
    return runs


def test_a_period_runs_once_and_the_next_period_runs_again(ctx, counted):
    assert jobs.run_periodic("test.count", "2027-03-01T06:00").state == JobState.done
    assert jobs.run_periodic("test.count", "2027-03-01T06:00") is None
    assert jobs.run_periodic("test.count", "2027-03-02T06:00").state == JobState.done
    assert len(counted) == 2


def test_a_failed_period_runs_again_when_fired_again(ctx, counted):
    counted.fail_first = True
    failed = jobs.run_periodic("test.count", "2027-03-01T06:00")
    assert failed.state == JobState.failed and "first run fails" in failed.error
    assert jobs.run_periodic("test.count", "2027-03-01T06:00").state == JobState.done
    assert len(counted) == 2


def test_a_run_queued_again_while_the_queue_does_not_answer_waits_for_the_sweep(
        ctx, app, counted, monkeypatch, caplog):
    db.session.add(JobRun(name="test.count", period="2027-03-01T06:00", state=JobState.failed,
                          error_code="internal"))
    db.session.commit()

    def unreachable(self, name, period):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    with monkeypatch.context() as down:
        down.setattr(engine_module.JobEngine, "fire_run", unreachable)
        run = jobs.queue_run_again("test.count", actor=None, now=utcnow())
        db.session.commit()
    assert counted == [] and "test.count" in caplog.text and "2027-03-01T06:00" in caplog.text
    db.session.refresh(run)
    assert run.state == JobState.queued

    stale = timedelta(seconds=app.config["JOBS_STALE_SECONDS"])
    later = utcnow() + stale + timedelta(seconds=1)
    assert jobs.fire_waiting_runs(engine().fire_run, now=later, waiting_after=stale) == 1
    db.session.refresh(run)
    assert len(counted) == 1 and run.state == JobState.done


def test_two_schedulers_firing_the_same_minute_run_the_job_once(app, counted):
    minute = datetime(2027, 3, 1, 6, 1, 40, tzinfo=UTC)  # no other job then
    barrier, errors = threading.Barrier(2), []

    def scheduler():
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                assert "test.count" in app.extensions["jobs"].fire(minute)
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(repr(error))

    run_together(scheduler, [(), ()])
    assert errors == []
    assert len(counted) == 1
    with app.app_context():
        row, = db.session.scalars(select(JobRun)).all()
        assert (row.name, row.period, row.state) == ("test.count", "2027-03-01T06:01",
                                                     JobState.done)


def test_the_schedule_fires_each_job_at_its_time(app):
    engine = app.extensions["jobs"]
    assert set(engine.schedules) == set(jobs.PERIODIC) and len(jobs.PERIODIC) == 12
    hourly = engine.schedules["sessions.send-reminders"]
    assert hourly.next_run(datetime(2027, 3, 1, 6, 5, 0, tzinfo=UTC)) == \
        datetime(2027, 3, 1, 7, 5, tzinfo=UTC)
    daily = engine.schedules["registry.send-alerts"]
    assert daily.next_run(datetime(2027, 3, 1, 6, 0, tzinfo=UTC)) == \
        datetime(2027, 3, 2, 5, 0, tzinfo=UTC)
    assert not any(s.matches(datetime(2027, 3, 1, 6, 1, tzinfo=UTC))
                   for s in engine.schedules.values())


@pytest.mark.parametrize("change, message", [
    ({"sessions.send-reminders": "every hour"}, "not a crontab line"),
    ({"sessions.send-reminders": "61 * * * *"}, "not a crontab line"),
    ({"sessions.send-reminders": None}, "no schedule for: sessions.send-reminders"),
    ({"sessions.typo": "0 * * * *"}, "names no periodic job: sessions.typo"),
])
def test_a_wrong_schedule_stops_the_start(change, message):
    schedule = dict(TestingConfig.JOBS_SCHEDULE)
    for name, cron in change.items():
        if cron is None:
            del schedule[name]
        else:
            schedule[name] = cron
    config = type("Config", (TestingConfig,), {"JOBS_SCHEDULE": schedule})
    with pytest.raises(RuntimeError, match=message):
        create_app(config)


def test_the_queue_is_chosen_by_its_url(tmp_path):
    base = {"JOBS_IMMEDIATE": False, "REDIS_TIMEOUT_SECONDS": 3}
    sqlite = make_huey({**base, "JOBS_URL": f"sqlite:///{tmp_path}/q/jobs.db"})
    assert type(sqlite).__name__ == "SqliteHuey" and (tmp_path / "q" / "jobs.db").exists()
    redis = make_huey({**base, "JOBS_URL": "redis://127.0.0.1:6379/5"})
    assert type(redis).__name__ == "RedisHuey"
    with pytest.raises(RuntimeError, match="JOBS_URL"):
        make_huey({**base, "JOBS_URL": "amqp://somewhere"})


@pytest.fixture
def queued_app():
    """Apps whose jobs go through the queue at `url`, as a web or a worker process's would;
    their database connections are closed after the test."""
    made = []

    def _make(url, **settings):
        made.append(create_app(type("Config", (TestingConfig,), {"JOBS_IMMEDIATE": False,
                                                                  "JOBS_URL": url, **settings})))
        return made[-1]
    yield _make
    for each in made:
        with each.app_context():
            db.engine.dispose()


def _through_the_queue(web, worker):
    """A job queued by the web app is run by the worker app, as in two processes."""
    with web.app_context():
        row = jobs.enqueue("test.write", {"value": "q"})
        db.session.commit()
        job_id = row.id
        assert CALLS == []
        web.extensions["jobs"].report_progress(job_id, 1, 3)
        db.session.execute(db.update(Job).where(Job.id == job_id)
                           .values(state=JobState.running))
        assert web.extensions["jobs"].progress(db.session.get(Job, job_id)) == (1, 3)
        db.session.execute(db.update(Job).where(Job.id == job_id).values(state=JobState.queued))
        db.session.commit()
    huey = worker.extensions["jobs"].huey
    task = huey.dequeue()
    assert task is not None and huey.dequeue() is None
    huey.execute(task)
    assert CALLS == ["q"]
    with worker.app_context():
        assert db.session.get(Job, job_id).state == JobState.done
    assert huey.get(f"job-progress:{job_id}", peek=True) is None


def test_a_job_goes_through_a_sqlite_queue_to_a_worker(app, tmp_path, queued_app):
    url = f"sqlite:///{tmp_path}/jobs.db"
    _through_the_queue(queued_app(url), queued_app(url))


@pytest.fixture
def jobs_redis(app):
    url, connection = real_redis(app, "TEST_JOBS_REDIS_URL",
                                 "the job queue is tested against it.")
    connection.flushdb()
    yield url
    connection.flushdb()
    connection.close()


def test_a_job_goes_through_redis_to_a_worker_on_another_machine(jobs_redis, queued_app):
    _through_the_queue(queued_app(jobs_redis), queued_app(jobs_redis))


def test_a_job_saved_while_redis_does_not_answer_waits_for_the_sweep(queued_app):
    web = queued_app("redis://127.0.0.1:1/0")  # nothing listens there
    with web.app_context():
        row = jobs.enqueue("test.write", {"value": "w"})
        db.session.commit()
        assert db.session.get(Job, row.id).state == JobState.queued and CALLS == []


def test_the_redis_queue_waits_for_an_answer_no_longer_than_its_setting():
    huey = make_huey({"JOBS_IMMEDIATE": False, "JOBS_URL": "redis://127.0.0.1:6379/5",
                      "REDIS_TIMEOUT_SECONDS": 2.5})
    connection = huey.storage.pool.make_connection()
    assert (connection.socket_connect_timeout, connection.socket_timeout) == (2.5, 2.5)
    # An idle worker's wait for a job ends before its read would be taken for a hang.
    short = make_huey({"JOBS_IMMEDIATE": False, "JOBS_URL": "redis://127.0.0.1:6379/5",
                       "REDIS_TIMEOUT_SECONDS": 0.5})
    assert (huey.storage.read_timeout, short.storage.read_timeout) == (1, 0.25)


def test_a_redis_queue_that_hangs_fails_instead_of_waiting_forever():
    """A Redis that takes the connection and never answers (or a network that drops what is
    sent) stops the call after REDIS_TIMEOUT_SECONDS, as a refused connection does at once."""
    import redis

    with hanging_redis() as url:
        huey = make_huey({"JOBS_IMMEDIATE": False, "JOBS_URL": url,
                          "REDIS_TIMEOUT_SECONDS": 0.5})
        with pytest.raises(redis.TimeoutError):
            ends_within(30, huey.storage.enqueue, b"job")


def test_a_job_saved_while_redis_hangs_waits_for_the_sweep(queued_app, caplog):
    with hanging_redis() as url:
        web = queued_app(url, REDIS_TIMEOUT_SECONDS=0.5)

        def save():
            with web.app_context():
                row = jobs.enqueue("test.write", {"value": "w"})
                db.session.commit()
                return db.session.get(Job, row.id).state
        assert ends_within(30, save) == JobState.queued
    assert CALLS == [] and "could not be queued" in caplog.text


def test_the_scheduler_fires_the_current_minute_and_stops(app, counted):
    stopping = threading.Event()
    threading.Timer(0.5, stopping.set).start()
    started = time.monotonic()
    engine_module.run_scheduler(app, stopping)
    assert time.monotonic() - started < 5
    assert len(counted) == 1


class _Waits:
    """The scheduler's threading.Event, without the waiting: each wait returns at once, and the
    flag is set after `rounds` waits (one per reading of the clock)."""

    def __init__(self, rounds):
        self.rounds, self.waited = rounds, []

    def is_set(self):
        return self.rounds <= 0

    def wait(self, seconds):
        self.waited.append(seconds)
        self.rounds -= 1
        return self.is_set()


def _schedule_through(app, monkeypatch, clock, refusals=()):
    """Run the scheduler loop once per time in `clock`; the queue refuses the firings whose
    number (from 1) is in `refusals`. Returns the minutes queued ("HH:MM") and the waits."""
    times = iter(clock)
    monkeypatch.setattr(engine_module, "utcnow", lambda: next(times))
    fired, calls = [], []

    def fire(minute):
        calls.append(minute)
        if len(calls) in refusals:
            raise ConnectionError("the queue did not answer")
        fired.append(minute.strftime("%H:%M"))
        return []
    monkeypatch.setattr(app.extensions["jobs"], "fire", fire)
    stopping = _Waits(len(clock))
    engine_module.run_scheduler(app, stopping)
    return fired, stopping.waited


def _at(hour, minute, second=0, microsecond=500000):
    return datetime(2027, 3, 1, hour, minute, second, microsecond, tzinfo=UTC)


def test_a_minute_the_queue_refused_is_fired_again_soon(app, monkeypatch, caplog):
    fired, waited = _schedule_through(app, monkeypatch, [_at(5, 0), _at(5, 0, 10), _at(5, 1)],
                                      refusals={1})
    assert fired == ["05:00", "05:01"]
    assert waited[0] < 30  # tried again within the minute, not at the next one
    assert "could not queue" in caplog.text and "2027-03-01T05:00" in caplog.text


def test_minutes_the_queue_refused_for_long_are_all_fired_once_it_answers(app, monkeypatch):
    clock = [_at(4, 59), _at(5, 0), _at(5, 1), _at(5, 2)]
    fired, _ = _schedule_through(app, monkeypatch, clock, refusals={2, 3})
    assert fired == ["04:59", "05:00", "05:01", "05:02"]


def test_the_minutes_the_scheduler_slept_through_are_fired_in_order(app, monkeypatch, caplog):
    caplog.set_level("INFO", logger=engine_module.__name__)
    fired, _ = _schedule_through(app, monkeypatch, [_at(4, 59), _at(5, 2, 3)])
    assert fired == ["04:59", "05:00", "05:01", "05:02"]
    assert "caught up the minutes from 2027-03-01T05:00 to 2027-03-01T05:01" in caplog.text


def test_after_a_long_stall_only_the_last_hour_is_caught_up_and_the_rest_is_logged(
        app, monkeypatch, caplog):
    fired, _ = _schedule_through(app, monkeypatch, [_at(2, 10), _at(5, 30)])
    assert fired[0] == "02:10" and fired[1] == "04:31" and fired[-1] == "05:30"
    assert len(fired) == 1 + 60
    assert "2027-03-01T02:11" in caplog.text and "2027-03-01T04:30" in caplog.text


def test_a_started_scheduler_fires_the_current_minute_only(app, monkeypatch):
    fired, _ = _schedule_through(app, monkeypatch, [_at(5, 0, 59), _at(5, 0, 59, 900000)])
    assert fired == ["05:00"]


def test_a_clock_set_back_fires_its_minutes_again(app, monkeypatch):
    fired, _ = _schedule_through(app, monkeypatch, [_at(5, 3), _at(5, 1), _at(5, 2)])
    assert fired == ["05:03", "05:01", "05:02"]


def test_a_minute_slept_through_runs_its_periodic_job(app, monkeypatch):
    monkeypatch.setitem(jobs.PERIODIC, "test.count", lambda run: {})
    monkeypatch.setitem(app.extensions["jobs"].schedules, "test.count",
                        Schedule("test.count", "* * * * *"))
    times = iter([datetime(2027, 3, 1, 6, 1, 40, tzinfo=UTC),  # no other job then
                  datetime(2027, 3, 1, 6, 3, 1, tzinfo=UTC)])
    monkeypatch.setattr(engine_module, "utcnow", lambda: next(times))
    engine_module.run_scheduler(app, _Waits(2))
    with app.app_context():
        periods = db.session.scalars(select(JobRun.period).where(JobRun.name == "test.count")
                                     .order_by(JobRun.period)).all()
    assert periods == ["2027-03-01T06:01", "2027-03-01T06:02", "2027-03-01T06:03"]


def test_the_worker_delivers_the_outbox(app, tmp_path, monkeypatch):
    from gfp_portal.core.outbox import MailStatus, OutboxMessage, queue_email

    monkeypatch.setitem(app.config, "MAIL_FILE_DIR", str(tmp_path))
    with app.test_request_context():
        queue_email("someone@example.org", "coverage_reminder", subject="Hello",
                    context={"user": None, "teams": [], "gaps": 0, "links": {}})
        db.session.commit()
    stopping = threading.Event()
    thread = engine_module.start_thread(engine_module.run_mail_delivery, app, stopping, 0.1)
    deadline = time.monotonic() + 10
    with app.app_context():
        while time.monotonic() < deadline and db.session.scalar(
                select(OutboxMessage.status)) != MailStatus.sent:
            db.session.rollback()
            time.sleep(0.1)
        assert db.session.scalar(select(OutboxMessage.status)) == MailStatus.sent
    stopping.set()
    thread.join(timeout=10)
    assert not thread.is_alive() and len(list(tmp_path.glob("*.eml"))) == 1


def test_the_schedule_command_lists_every_periodic_job(runner, ctx):
    db.session.add(JobRun(name="coverage.remind", period="2027-03-01T05:15",
                          state=JobState.done))
    db.session.commit()
    result = runner.invoke(args=["jobs", "schedule"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    for name in jobs.PERIODIC:
        line, = [row for row in lines if row.startswith(name + " ")]
        upcoming = re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", line).group()
        assert datetime.strptime(upcoming, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) > \
            datetime.now(UTC)
    assert "2027-03-01 05:15" in next(row for row in lines if row.startswith("coverage.remind"))


def test_a_long_job_publishes_its_progress_every_few_items_and_at_the_end():
    reports = []
    run = jobs.Run(now=datetime(2027, 3, 1, tzinfo=UTC), job_id="j",
                   report=lambda job_id, done, total: reports.append((done, total)),
                   clock=lambda: 0.0)  # no time passes between the items
    for done in range(61):
        run.progress(done, 60)
    assert reports == [(0, 60), (60, 60)]
    assert run.last == (60, 60)


def test_a_job_publishes_its_progress_at_most_twice_a_second():
    reports, elapsed = [], [0.0]
    run = jobs.Run(now=datetime(2027, 3, 1, tzinfo=UTC), job_id="j",
                   report=lambda job_id, done, total: reports.append((done, total)),
                   clock=lambda: elapsed[0])
    for done in range(1, 201):
        elapsed[0] = done / 100  # an item every 10 ms
        run.progress(done, 200)
    assert reports == [(1, 200), (75, 200), (125, 200), (175, 200), (200, 200)]


def _refuse(run):
    raise DomainError("started", _l("This session has already started."))


def test_a_rule_that_stops_a_job_is_told_in_the_language_of_whoever_asked(app, monkeypatch):
    monkeypatch.setitem(jobs.JOBS, "test.refuse", _refuse)
    with app.test_request_context("/?lang=fr"):  # the request that asks for the work
        row = jobs.enqueue("test.refuse", {})
        db.session.info.pop("jobs.dispatch")  # run below by a worker, not by this request
        db.session.commit()
        job_id = row.id
    with app.app_context():  # a worker: no request, no reader
        row = jobs.execute_job(job_id)
        assert row.error_code == "started"
        assert jobs.shown_error(row) == "Cette séance a déjà commencé."
