"""The production stack, started for real: nginx (the site of deploy/) in front of two
gunicorn instances, PostgreSQL, Redis, two job workers (which also deliver the outbox) and two
schedulers. Runs when STACK_DATABASE_URL names
a PostgreSQL database it may empty (`make test-stack`); skipped otherwise."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from tests.stack.http import Browser

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE = ROOT / "deploy" / "nginx" / "gfp-portal.conf"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def substitute(site, replacements):
    for old, new in replacements.items():
        assert old in site, f"the nginx site no longer has {old!r}"
        site = site.replace(old, new)
    return site


def nginx_conf(work, ports):
    site = substitute(SITE.read_text(), {
        "listen 80;": f"listen 127.0.0.1:{ports['http']};", "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{ports['https']} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "server 127.0.0.1:8000": f"server 127.0.0.1:{ports['a']}",
        "server 127.0.0.1:8001": f"server 127.0.0.1:{ports['b']}",
        "root /srv/gfp-portal/build;": f"root {work / 'build'};",
        "/etc/ssl/certs/gfp-portal.crt": str(work / "site.crt"),
        "/etc/ssl/private/gfp-portal.key": str(work / "site.key"),
        "/var/log/nginx/": f"{work / 'logs'}/"})
    (work / "site.conf").write_text(site)
    temp = "\n".join(f"    {kind}_temp_path {work / kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (work / "nginx.conf").write_text(
        f"daemon off;\npid {work / 'nginx.pid'};\nerror_log {work / 'logs' / 'error.log'};\n"
        f"events {{}}\nhttp {{\n    include /etc/nginx/mime.types;\n{temp}\n"
        f"    include {work / 'site.conf'};\n}}\n")


def wait_for(url, seconds=40):
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 — local
                if answer.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{url} did not answer 200 within {seconds} s")
        time.sleep(0.3)


class Stack:
    def __init__(self, work, ports, env):
        self.work, self.ports, self.env = work, ports, env
        self.processes = []
        self.https = f"https://localhost:{ports['https']}"
        self.http = f"http://localhost:{ports['http']}"
        self.instances = [f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}"]
        self.mail_dir = Path(env["MAIL_FILE_DIR"])

    def run(self, *args):
        result = subprocess.run(args, cwd=ROOT, env=self.env, capture_output=True,  # noqa: S603
                                text=True, timeout=300, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def start(self, name, *args, **env):
        log = open(self.work / "logs" / f"{name}.log", "w")  # noqa: SIM115 — kept open
        self.processes.append((subprocess.Popen(  # noqa: S603
            args, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT),
            log))

    def log(self, name):
        return (self.work / "logs" / f"{name}.log").read_text()

    def browser(self):
        return Browser(self.https)

    def stop(self):
        for process, _ in self.processes:
            process.terminate()
        for process, log in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def settings(work, ports, database_url):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("TEST_", "FLASK_", "GUNICORN_"))}
    env.update(GFP_CONFIG="production", SECRET_KEY="stack-secret-key-" + "x" * 40,
               DATABASE_URL=database_url, SERVER_NAME=f"localhost:{ports['https']}",
               RATELIMIT_STORAGE_URI=os.environ.get("STACK_REDIS_URL",
                                                    "redis://127.0.0.1:6379/14"),
               JOBS_URL=os.environ.get("STACK_JOBS_URL", "redis://127.0.0.1:6379/13"),
               # Every minute, so that the test sees both schedulers fire the same period.
               SCHEDULE_SESSIONS_SEND_REMINDERS="* * * * *",
               PROXY_COUNT="1", PROXY_ADDRESSES="127.0.0.1", MAIL_TRANSPORT="file",
               MAIL_FILE_DIR=str(work / "mail"), STORAGE_BACKEND="database",
               STATIC_BUILD_PATH=str(work / "build" / "static"), LOG_FORMAT="json",
               GUNICORN_WORKERS="2", GUNICORN_THREADS="4", GUNICORN_TIMEOUT="30")
    return env


def empty_database(database_url):
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def stack():
    database_url = os.environ.get("STACK_DATABASE_URL")
    if not database_url:
        pytest.skip("STACK_DATABASE_URL is not set (make test-stack)")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    # nginx's workers run as another user, who must be able to read the static files.
    work = Path(tempfile.mkdtemp(prefix="gfp-stack-"))
    work.chmod(0o755)
    (work / "logs").mkdir()
    ports = {name: free_port() for name in ("http", "https", "a", "b")}
    stack = Stack(work, ports, settings(work, ports, database_url))
    try:
        empty_database(database_url)
        subprocess.run(  # noqa: S603 — a self-signed certificate for the test's nginx
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",  # noqa: S607
             "-days", "1", "-subj", "/CN=localhost", "-keyout", str(work / "site.key"),
             "-out", str(work / "site.crt")], capture_output=True, check=True)
        nginx_conf(work, ports)
        flask = [str(BIN / "flask"), "--app", "wsgi"]
        stack.run(*flask, "db", "upgrade")
        stack.run(*flask, "reference", "load")
        stack.run(*flask, "assets", "build")
        seeded = stack.run(str(BIN / "python"), "-m", "tests.stack.seed")
        stack.session_id = int(seeded.split()[-1])
        stack.database_url = database_url
        for name in ("a", "b"):
            # Each instance has a folder of its own: only the database is shared.
            stack.start(f"web-{name}", str(BIN / "gunicorn"), "-c", "gunicorn.conf.py",
                        "wsgi:app", GUNICORN_BIND=f"127.0.0.1:{ports[name]}",
                        STORAGE_PATH=str(work / f"storage-{name}"))
        redis.Redis.from_url(stack.env["JOBS_URL"]).flushdb()  # no queue left from a last run
        for name in ("a", "b"):
            stack.start(f"worker-{name}", *flask, "jobs", "worker")
            stack.start(f"scheduler-{name}", *flask, "jobs", "scheduler")
        stack.start("nginx", nginx, "-p", str(work), "-e", str(work / "logs" / "error.log"),
                    "-c", str(work / "nginx.conf"))
        for url in (*stack.instances, stack.http):
            wait_for(url + "/healthz")
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)
