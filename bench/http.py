"""Throughput under load beside the bare-Flask ceiling, measured in one run (`make bench-http`).

Builds the ten-times network on PostgreSQL (or keeps it with --reuse), serves the portal and a
bare Flask "hello" app under the same gunicorn settings (2 sync workers), drives each main page
with wrk (-t2 -c16, 15 s by default) and prints requests per second, p50/p95 and the share of
the ceiling; then the bytes of a first and of a repeat visit. Needs wrk (Debian: apt-get install
wrk). It measures, it never fails on a figure."""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from bench import data
from bench.run import ensure_database, make_config, reset_database

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"


def prepare(url, *, reuse):
    """Build (unless reused) the network; return what the pages need: a session the focal
    point is registered for, and a fresh calendar-feed address of the busy account (registered
    for data.BUSY_SESSIONS sessions)."""
    from gfp_portal.accounts.models import User
    from gfp_portal.accounts.services import regenerate_calendar_token
    from gfp_portal.app import create_app
    from gfp_portal.extensions import db
    from gfp_portal.sessions.models import Registration, TrainingSession

    ensure_database(url)
    app = create_app(make_config(url))
    with app.app_context():
        if not reuse:
            reset_database(app)
            data.generate()
            data.analyze()
        fp = db.session.scalars(select(User).filter_by(email=data.ACCOUNTS["fp"][0])).one()
        session_id = db.session.scalar(
            select(TrainingSession.id).join(Registration)
            .where(Registration.person_id == fp.person_id,
                   TrainingSession.starts_at > datetime.now(UTC))
            .order_by(TrainingSession.starts_at.desc()).limit(1)) or db.session.scalar(
            select(TrainingSession.id).limit(1))
        busy = db.session.scalars(select(User).filter_by(
            email=data.ACCOUNTS["busy"][0])).one()
        token = regenerate_calendar_token(busy)
        db.session.commit()
    return session_id, token


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def served(module, url, ready_path):
    """`module` under gunicorn with the portal's gunicorn.conf.py: 2 workers, 1 thread each
    (sync), no access log, and workers not replaced during the run. (Production replaces a
    worker after about 2,000 requests, hours apart at the network's pace; at saturation both
    workers would reach it within seconds of each other in every run, and the seconds they
    take to start again would show as timeouts and tails that no page causes.) Yields its
    base address."""
    port = free_port()
    env = dict(os.environ, BENCH_DATABASE_URL=url, GUNICORN_WORKERS="2", GUNICORN_THREADS="1",
               GUNICORN_MAX_REQUESTS="0", LOG_FORMAT="text")
    log = open(ROOT / "instance" / f"bench-{module.split('.')[1].split(':')[0]}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and modules
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", module],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + ready_path, timeout=10)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        else:
            raise SystemExit(f"{module} did not start: see {log.name}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def sign_in(base, email):
    """The session cookie of `email`, signed in through the form like a person."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    opener.open(base + "/login", data=urlencode({
        "csrf_token": token, "email": email, "password": data.PASSWORD}).encode())
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def load(url, headers, args):
    """One wrk run against `url`; what the report script printed."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "-s", str(ROOT / "bench" / "wrk_report.lua")]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(command + [url], capture_output=True, text=True,  # noqa: S603
                            check=True).stdout
    result = json.loads(output.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def check(url, headers, status=200):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    try:
        response = urllib.request.urlopen(request)  # noqa: S310
        got, etag = response.status, response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        got, etag = error.code, error.headers.get("ETag")
    if got != status:
        raise SystemExit(f"{url} answered {got}, not {status}")
    return etag


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            self.found.append(attrs.get("href"))
        elif tag in ("script", "img") and attrs.get("src"):
            self.found.append(attrs["src"])


def visit_bytes(base, path):
    """Bytes over the wire (bodies as sent, compressed when the server compresses, plus the
    header lines) of a first visit to `path` with its assets, and of a repeat visit, which
    fetches again only what may not be kept (no `immutable` or `max-age`)."""
    def fetch(url):
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip, br"})  # noqa: S310
        with urllib.request.urlopen(request) as response:  # noqa: S310
            body = response.read()
            head = sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items()) + 17
            return body, head + len(body), response.headers.get("Cache-Control") or ""
    _, first, _ = fetch(base + path)
    repeat = first
    parser = _Assets()
    parser.feed(urllib.request.urlopen(base + path).read().decode())  # noqa: S310
    for asset in dict.fromkeys(parser.found):
        if not asset or asset.startswith(("http:", "https:", "data:")):
            continue
        _, size, cache = fetch(base + asset)
        first += size
        if "immutable" not in cache and "max-age" not in cache:
            repeat += size
    return first, repeat


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_URL,
                        help="PostgreSQL database to build the network in (it is emptied)")
    parser.add_argument("--reuse", action="store_true", help="keep the network already built")
    parser.add_argument("--duration", type=int, default=15, help="seconds per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    session_id, token = prepare(args.database_url, reuse=args.reuse)
    rows = []
    with ExitStack() as stack:
        hello = stack.enter_context(served("bench.hello:app", args.database_url, "/"))
        ceiling = load(hello + "/", {}, args)
        portal = stack.enter_context(served("bench.http_app:app", args.database_url,
                                            "/healthz"))
        cookies = {role: sign_in(portal, email) for role, (email, *_) in data.ACCOUNTS.items()}
        feed = f"/calendar/{token}.ics"
        pages = [("focal point", "session page", f"/sessions/{session_id}"),
                 ("focal point", "sessions", "/sessions/"),
                 ("coordinator", "registry", "/registry/"),
                 ("coordinator", "coverage matrix", "/coverage/"),
                 ("coordinator", "coverage of one UNCT", "/coverage/KEN"),
                 (None, f"personal feed ({data.BUSY_SESSIONS} sessions)", feed),
                 (None, "home, signed out", "/"),
                 ("focal point", "home", "/"),
                 ("coordinator", "home", "/"),
                 ("rc", "home (its UNCT's coverage)", "/coverage/KEN")]
        for role, label, path in pages:
            headers = {"Cookie": cookies["fp" if role == "focal point" else role]} if role \
                else {}
            check(portal + path, headers)
            rows.append((f"{role or 'anyone'}: {label}", load(portal + path, headers, args)))
        etag = check(portal + feed, {})
        check(portal + feed, {"If-None-Match": etag}, status=304)
        rows.append((f"anyone: personal feed ({data.BUSY_SESSIONS} sessions), polled (304)",
                     load(portal + feed, {"If-None-Match": etag}, args)))
        first, repeat = visit_bytes(portal, "/login")

    print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s; gunicorn 2 sync "
          f"workers; {args.database_url.split('@')[-1]}")
    print(f"\n{'what':<52} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ceiling':>8} {'errors':>7}")
    print(f"{'bare Flask hello (the ceiling)':<52} {ceiling['rps']:>8.0f} "
          f"{ceiling['p50_us'] / 1000:>8.1f} {ceiling['p95_us'] / 1000:>8.1f} {'100 %':>8} "
          f"{ceiling['errors']:>7}")
    for label, result in rows:
        share = 100 * result["rps"] / ceiling["rps"]
        print(f"{label:<52} {result['rps']:>8.0f} {result['p50_us'] / 1000:>8.1f} "
              f"{result['p95_us'] / 1000:>8.1f} {share:>6.1f} % {result['errors']:>7}")
    print(f"\nSign-in page, first visit with its assets: {first / 1024:.1f} KB over the wire; "
          f"repeat visit: {repeat / 1024:.1f} KB")


if __name__ == "__main__":
    main()
