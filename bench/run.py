"""Build the benchmark database, then time every main page (p50/p95, queries per request) and
the bulk jobs. Run with `make bench`; `python -m bench.run --help` lists the options.

It measures, it never fails on a figure: the numbers are for people to read and compare."""
import argparse
import gc
import io
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, make_url, select, text

from bench import data
from bench.bulk import bench_bulk, run_job
from config import INSTANCE_DIR, TestingConfig
from gfp_portal.accounts.models import User
from gfp_portal.app import create_app
from gfp_portal.extensions import db


def make_config(url):
    class BenchConfig(TestingConfig):
        ENV_NAME = "bench"
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False
        STORAGE_PATH = str(INSTANCE_DIR / "bench-storage")
        # Jobs are queued as in production (the request returns at once); the bench runs them.
        JOBS_IMMEDIATE = False
        JOBS_URL = "sqlite:///" + str(INSTANCE_DIR / "bench-jobs.db")
    return BenchConfig


def ensure_database(url):
    """Create the PostgreSQL database of `url` when the server does not have it yet (a new
    machine has only its default databases), with the planner's cost of a random read that
    the deployment sets (README, "Production")."""
    target = make_url(url)
    if target.get_backend_name() != "postgresql":
        return
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            quoted = connection.dialect.identifier_preparer.quote(target.database)
            if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": target.database}) is None:
                connection.execute(text(f"CREATE DATABASE {quoted}"))
            connection.execute(text(f"ALTER DATABASE {quoted} SET random_page_cost = 1.1"))
    finally:
        engine.dispose()


def reset_database(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        db.engine.dispose()
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    upgrade()


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


@contextmanager
def timed(label, results):
    started = time.perf_counter()
    yield
    results.append((label, (time.perf_counter() - started) * 1000))


def signed_in(app, key):
    client = app.test_client()
    email = data.ACCOUNTS[key][0]
    response = client.post("/login", data={"email": email, "password": data.PASSWORD})
    assert response.status_code == 302, f"{email} could not sign in"
    return client


def pages(network, first_nomination):
    person = network.person_ids[len(network.person_ids) // 2]
    return [
        ("anonymous", "/"), ("anonymous", "/join"),
        ("coordinator", "/"),
        ("coordinator", "/registry/"),
        ("coordinator", "/registry/?q=kamau"),
        ("coordinator", "/registry/?status=any&sort=end_date&page=20"),
        ("coordinator", "/registry/?warning=y&expiring=90"),
        ("coordinator", f"/registry/people/{person}"),
        ("coordinator", "/coverage/"),
        ("coordinator", "/coverage/?view=gaps"),
        ("coordinator", "/coverage/KEN"),
        ("coordinator", "/nominations/"),
        ("coordinator", "/nominations/?state=pending&older_than=30"),
        ("coordinator", f"/nominations/{first_nomination}"),
        ("coordinator", "/admin/"),
        ("coordinator", "/admin/audit/"),
        ("coordinator", "/reference/uncts/"),
        ("coordinator", "/reference/entities/"),
        ("coordinator", "/sessions/"),
        ("coordinator", "/sessions/?when=past&page=2"),
        ("coordinator", f"/sessions/{network.session_ids[-1]}"),
        ("coordinator", f"/sessions/{network.session_ids[-1]}/roster"),
        ("coordinator", f"/sessions/{network.past_session_id}/attendance"),
        ("coordinator", "/sessions/attendance-figures"),
        ("coordinator", "/sessions/evaluations"),
        ("coordinator", "/resources/"),
        ("coordinator", "/resources/manage/"),
        ("coordinator", "/resources/gaps"),
        ("coordinator", "/search?q=fernandez"),
        ("coordinator", "/search?q=cote"),
        ("coordinator", "/dashboard"),
        ("coordinator", "/plans/"),
        ("coordinator", "/plans/?status=overdue&page=2"),
        ("coordinator", f"/plans/{network.plan_id}"),
        ("coordinator", "/parity/"),
        ("coordinator", "/parity/UNDP"),
        ("coordinator", "/entities/UNDP"),
        ("rc", "/"),
        ("rc", "/coverage/KEN"),
        ("rc", "/registry/"),
        ("rc", "/nominations/"),
        ("rc", "/search?q=kamau"),
        ("fp", "/"),
        ("fp", "/registry/"),
        ("fp", "/me"),
        ("fp", "/sessions/"),
        ("fp", "/search?q=parity"),
        ("fp", "/practices/"),
        ("fp", "/practices/?q=mentoring&language=fr"),
        ("coordinator", "/practices/?state=submitted"),
        ("fp", "/parity/"),
        ("anonymous", "/resources/"),
        ("fp", "/resources/?q=mentoring"),
        ("fp", f"/resources/{network.resource_slug}"),
    ]


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench_pages(app, network, requests):
    clients = {"anonymous": app.test_client()}
    for key in data.ACCOUNTS:
        clients[key] = signed_in(app, key)
    # As a gunicorn worker starts (gunicorn.conf.py, post_worker_init): what is loaded by now
    # is moved out of the garbage collector's reach before the first request.
    gc.collect()
    gc.freeze()
    first_nomination = min(network.nomination_ids)
    with app.app_context():
        counter = QueryCounter(db.engine)
    return [(role, url, *timed_gets(clients[role], counter, url, requests))
            for role, url in pages(network, first_nomination)]


def timed_gets(client, counter, url, requests, headers=None, status=200):
    """(p50 ms, p95 ms, most queries) of `requests` GETs of `url`, after two to warm up
    (templates compiled, caches filled)."""
    for _ in range(2):
        assert client.get(url, headers=headers).status_code == status, url
    times, queries = [], []
    for _ in range(requests):
        before = counter.count
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        queries.append(counter.count - before)
        assert response.status_code == status, f"{url}: {response.status_code}"
    return statistics.median(times), percentile(times, 0.95), max(queries)


def registry_export(app, client, url):
    """The file of the registry export at `url`: sent at once, or, above the inline limit,
    prepared by the job its confirmation starts (run here, as a worker would)."""
    from gfp_portal.core import jobs

    response = client.post(url, data={"confirmed": "1"})
    if response.status_code == 200:
        return response.get_data()
    assert response.status_code == 302, f"{url}: {response.status_code}"
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        assert jobs.execute_job(job_id).state == jobs.JobState.done
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200, f"{url}: {download.status_code}"
    return download.get_data()


def bench_jobs(app, network):
    from gfp_portal.accounts.models import Role
    from gfp_portal.accounts.services import active_users_with_role
    from gfp_portal.coverage.services import compute_coverage
    from gfp_portal.registry.alerts import send_term_alerts
    from gfp_portal.registry.imports.planning import plan_import
    from gfp_portal.registry.imports.reading import read_table

    results = []
    coordinator = signed_in(app, "coordinator")
    with timed("registry export, CSV (all people: request, job, download)", results):
        assert registry_export(app, coordinator, "/registry/export.csv?status=any")
    with timed("registry export, Excel (all people: request, job, download)", results):
        assert registry_export(app, coordinator, "/registry/export.xlsx?status=any")
    with timed("coverage export, CSV (132 UNCTs)", results):
        assert coordinator.get("/coverage/export.csv").status_code == 200
    with app.app_context():
        with timed("coverage computation, whole network", results):
            compute_coverage()
        csv = registry_export(app, coordinator, "/registry/export.csv?status=active")
        lines = csv.splitlines()
        sample = b"\n".join(lines[:651])
        rows = read_table("bench.csv", sample)
        actor = db.session.scalars(select(User).filter_by(
            email=data.ACCOUNTS["coordinator"][0])).one()
        with timed("registry import, dry run of 650 rows", results):
            plan_import(rows, actor=actor)
        db.session.rollback()
        with timed("term alerts, daily run", results):
            send_term_alerts(today=date.today(),
                             coordinators=active_users_with_role(Role.coordinator))
        db.session.rollback()
    results += bench_training(app, network)
    return results


def _import_file(app, coordinator):
    """The whole registry exported (6,500 rows on the 10x data), then edited as a coordinator
    would: every second person gets a new position title, every fourth row becomes a new
    person (as an alternate), every fourth appointment a new share of working time."""
    import csv

    from gfp_portal.registry import exports, queries

    # The file the registry export gives for everyone (made here at once: past 1,000 people the
    # page prepares it as a job).
    with app.test_request_context():
        text_, _people = exports.registry_file(queries.RegistryFilter(status="any"), "csv")
        db.session.rollback()
    rows = list(csv.DictReader(io.StringIO(text_.decode("utf-8-sig"))))
    for n, row in enumerate(rows):
        if n % 2 == 0:
            row["position_title"] = f"Senior {row['position_title']}"
        if n % 4 == 1 and row["role"]:
            row["email"] = f"newcomer{n}@bench.gfp"
            row["role"] = "alternate"
        elif n % 4 == 3 and row["role"]:
            row["time_share"] = "35" if row["time_share"] != "35" else "40"
    return exports.to_csv(rows), len(rows)


def _timed_post(client, url, **kwargs):
    started, cpu = time.perf_counter(), time.process_time()
    response = client.post(url, **kwargs)
    assert response.status_code == 302, response.status_code
    return (response.headers["Location"].rsplit("/", 1)[1],
            (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)


def bench_upload(app, url, data, filename, label):
    """An import as the coordinator runs it: the upload's request, the check job, the
    confirmation's request, the apply job (each job run here as a worker runs it). Returns
    the timings and the check's result."""
    coordinator = signed_in(app, "coordinator")
    preview_id, ms, cpu = _timed_post(coordinator, url, content_type="multipart/form-data",
                                      data={"file": (io.BytesIO(data), filename)})
    results = [(f"upload of {label}: the request", ms, cpu)]
    preview, ms, cpu = run_job(app, preview_id)
    results.append((f"  the check job (preview) of {label}", ms, cpu))
    assert preview.result["ok"], preview.result["errors"][:3]
    apply_id, ms, cpu = _timed_post(coordinator, f"{url}/confirm", data={"job": preview_id})
    results.append(("confirmation: the request", ms, cpu))
    _applied, ms, cpu = run_job(app, apply_id)
    results.append((f"  the apply job of {label}", ms, cpu))
    return results, preview.result


def bench_import(app):
    """The registry import of the whole network."""
    data, count = _import_file(app, signed_in(app, "coordinator"))
    results, checked = bench_upload(app, "/registry/import", data, "registry.csv",
                                    f"{count:,} rows")
    return results, {k: len(v) for k, v in checked.items() if isinstance(v, list)}


def parity_file(app):
    """A year's Dashboard file at full detail: 38 entities, 12 quarters (2022 to 2024), 22
    grades: about 10,000 rows, replacing quarters the benchmark's figures already hold."""
    from gfp_portal.core.tables import to_csv
    from gfp_portal.reference.models import Entity

    grades = ("USG", "ASG", "D-2", "D-1", "P-5", "P-4", "P-3", "P-2", "P-1", "NO-D", "NO-C",
              "NO-B", "NO-A", "FS-7", "FS-6", "FS-5", "FS-4", "G-7", "G-6", "G-5", "G-4", "G-3")
    with app.app_context():
        acronyms = [db.session.get(Entity, i).acronym for i in data.parity_entities()]
    rows = [["entity", "period", "grade", "station", "women", "men"]]
    rows += [[acronym, f"{year}-Q{quarter}", grade, "HQ", (n * 7) % 300, (n * 11) % 300]
             for n, (acronym, year, quarter, grade) in enumerate(
                 (a, y, q, g) for a in acronyms for y in (2022, 2023, 2024)
                 for q in (1, 2, 3, 4) for g in grades)]
    return to_csv(rows), len(rows) - 1


def bench_parity_import(app):
    """The parity figures import of a 10,000-row file."""
    data, count = parity_file(app)
    results, checked = bench_upload(app, "/parity/import", data, "parity.csv",
                                    f"{count:,} parity rows")
    return results, {k: checked[k] for k in ("periods", "replaced_periods", "entities")}


def bench_training(app, network):
    """Invitations to 650 people, and a change re-inviting them."""
    from gfp_portal.registry.models import Person
    from gfp_portal.sessions import registration, services
    from gfp_portal.sessions.models import TrainingSession

    results = []
    with app.test_request_context():
        actor = db.session.scalars(select(User).filter_by(
            email=data.ACCOUNTS["coordinator"][0])).one()
        people = db.session.scalars(select(Person).order_by(Person.id).limit(650)).all()
        session = services.create_session({
            "title_en": "Global Annual Meeting (bench)", "topic": "network_meeting",
            "format": "virtual", "starts_at": datetime.now(UTC) +
            timedelta(days=30), "ends_at": datetime.now(UTC) +
            timedelta(days=30, hours=3), "time_zone": "Europe/Zurich",
            "join_url": "https://meet.example.org/gam", "capacity": 700}, actor=actor)
        services.publish_session(session, actor=actor)
        with timed("register 650 people, invitations queued", results):
            registration.register_group(session, people, actor=actor)
        with timed("material change: new invitation to 650 people", results):
            services.update_session(session, {"starts_at": session.starts_at +
                                              timedelta(hours=1), "ends_at":
                                              session.ends_at + timedelta(hours=1)},
                                    actor=actor)
        db.session.rollback()
        assert db.session.get(TrainingSession, network.session_ids[0]) is not None
    return results


def feed_token(app):
    """A new calendar-feed token of the busy account, and how many sessions its feed holds."""
    from gfp_portal.accounts.services import regenerate_calendar_token
    from gfp_portal.sessions.feed import feed_sessions

    with app.app_context():
        busy = db.session.scalars(select(User).filter_by(email=data.ACCOUNTS["busy"][0])).one()
        token = regenerate_calendar_token(busy)
        db.session.commit()
        return token, len(feed_sessions(busy.person_id))


def bench_feed(app, requests):
    """The busy account's feed as a calendar client fetches it: in full, then polled with the
    validator it holds (answered 304). Rows as bench_pages gives them."""
    token, size = feed_token(app)
    client, url = app.test_client(), f"/calendar/{token}.ics"
    with app.app_context():
        counter = QueryCounter(db.engine)
    polled = {"If-None-Match": client.get(url).headers["ETag"]}
    label = f"feed of {size} sessions"
    return [("anonymous", label, *timed_gets(client, counter, url, requests)),
            ("anonymous", label + ", polled (304)",
             *timed_gets(client, counter, url, requests, polled, 304))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{INSTANCE_DIR / 'bench.db'}",
                        help="where to build the benchmark database (it is emptied first)")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--people", type=int, default=6500)
    parser.add_argument("--real-size", action="store_true",
                        help="build the network at its real size (650 people, 100 sessions: a "
                             "tenth of every count) to compare growth with the default")
    parser.add_argument("--only-import", action="store_true",
                        help="time only the registry import of the whole network")
    parser.add_argument("--skip-pages", action="store_true",
                        help="time the bulk work and the import, not every page")
    args = parser.parse_args(argv)

    (INSTANCE_DIR / "bench-jobs.db").unlink(missing_ok=True)
    ensure_database(args.database_url)
    app = create_app(make_config(args.database_url))
    out = io.StringIO()
    with app.app_context():
        reset_database(app)
        started = time.perf_counter()
        network = data.generate(**(data.REAL_SIZE if args.real_size else
                                   {"people": args.people}))
        data.analyze()
        built = time.perf_counter() - started
        backend = db.engine.url.get_backend_name()
    print(f"Benchmark network: {network.people:,} people, {network.appointments:,} "
          f"appointments, {network.nominations:,} nominations, {network.sessions:,} sessions, "
          f"{network.registrations:,} registrations, {network.marks:,} attendance marks, "
          f"{network.resources:,} library resources (built in {built:.1f} s on {backend}).",
          file=out)

    if not args.only_import:
        if not args.skip_pages:
            report_pages_and_jobs(app, network, args, out)
        print(f"\n{'bulk work (acceptance figures of the job engine)':<58} {'figure':>10}",
              file=out)
        for figure in bench_bulk(app, signed_in(app, "coordinator"),
                                 data.ACCOUNTS["coordinator"][0]):
            print(figure.line(), file=out)
    report_import("registry import (upload → check job → confirm → apply job)",
                  *bench_import(app), out)
    report_import("parity figures import (upload → check job → confirm → apply)",
                  *bench_parity_import(app), out)
    sys.stdout.write(out.getvalue())


def report_import(title, imported, summary, out):
    print(f"\n{title:<58} {'wall ms':>8} {'CPU ms':>8}", file=out)
    for label, ms, cpu in imported:
        print(f"{label:<58} {ms:>8.0f} {cpu:>8.0f}", file=out)
    print("  the file: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in
                                     summary.items() if v), file=out)


def report_pages_and_jobs(app, network, args, out):
    print(f"\n{'page':<58} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}", file=out)
    for role, url, p50, p95, queries in (bench_pages(app, network, args.requests)
                                         + bench_feed(app, args.requests)):
        print(f"{role + ' ' + url:<58} {p50:>8.1f} {p95:>8.1f} {queries:>8}", file=out)
    print(f"\n{'job':<58} {'ms':>8}", file=out)
    for label, ms in bench_jobs(app, network):
        print(f"{label:<58} {ms:>8.0f}", file=out)


if __name__ == "__main__":
    main()
