"""Browser smoke tests: a live development server on a fresh demo database, driven by Chromium.

Run with `make test-browser` (`pytest -m browser`). Chromium is Debian's, at /usr/bin/chromium
(`apt-get install chromium`); Playwright's own browser downloads are never used.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "test-artifacts"
CHROMIUM = Path(os.environ.get("GFP_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "demo-password"
SERVER_START_TIMEOUT = 30  # seconds
COMMAND_TIMEOUT = 600  # seconds, for `db upgrade` and `demo seed`
DEFAULT_TIMEOUT_MS = 15_000


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _flask(*args):
    return [sys.executable, "-m", "flask", "--app", "wsgi", *args]


def _run(args, env, log):
    result = subprocess.run(args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE,  # noqa: S603
                            stderr=subprocess.STDOUT, text=True, timeout=COMMAND_TIMEOUT,
                            check=False)
    log.write_text(result.stdout)
    if result.returncode != 0:
        pytest.fail(f"`{' '.join(args[1:])}` failed (exit {result.returncode}):\n"
                    f"{result.stdout[-4000:]}", pytrace=False)


def _healthy(url):
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as response:  # noqa: S310
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(autouse=True)
def _clean_state():
    """Overrides the unit tests' autouse fixture: these tests never touch the test database
    (nor its `app`); the live server has its own."""
    yield


@pytest.fixture(scope="session")
def live_workdir(tmp_path_factory):
    """The live server's folder: its database (portal.db), mail and storage."""
    return tmp_path_factory.mktemp("live-server")


def live_outbox(workdir, template, recipient):
    """Bodies of the emails the live server queued (the tests read links from them)."""
    import sqlite3

    with sqlite3.connect(workdir / "portal.db") as connection:
        return [row[0] for row in connection.execute(
            "SELECT body_text FROM outbox_messages WHERE template = ? AND recipient = ? "
            "ORDER BY id", (template, recipient))]


@pytest.fixture(scope="session")
def live_server(live_workdir):
    """Base URL of a development server on a freshly migrated and seeded SQLite database, with
    a job worker beside it (as `make run` starts one), so pages that start a job see it done."""
    workdir = live_workdir
    env = dict(os.environ)
    env.pop("TEST_DATABASE_URL", None)
    env.update({
        "DATABASE_URL": f"sqlite:///{workdir / 'portal.db'}",
        "GFP_CONFIG": "development",
        "MAIL_FILE_DIR": str(workdir / "mail"),
        "STORAGE_PATH": str(workdir / "storage"),
        "JOBS_URL": f"sqlite:///{workdir / 'jobs.db'}",
        "PYTHONUNBUFFERED": "1",
    })
    _run(_flask("db", "upgrade"), env, workdir / "db-upgrade.log")
    _run(_flask("demo", "seed"), env, workdir / "demo-seed.log")

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with open(log_path, "w") as log, open(workdir / "worker.log", "w") as worker_log:
        server = subprocess.Popen(  # noqa: S603
            _flask("run", "--host", "127.0.0.1", "--port", str(port)),
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        worker = subprocess.Popen(  # noqa: S603
            # The worker writes the emails' links: to this server.
            _flask("jobs", "worker"), cwd=REPO_ROOT, env=env | {"SERVER_NAME": url[7:]},
            stdout=worker_log,
            stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _healthy(url):
            if server.poll() is not None:
                pytest.fail(f"the server exited with {server.returncode}:\n"
                            f"{log_path.read_text()[-4000:]}", pytrace=False)
            if time.monotonic() > deadline:
                pytest.fail(f"{url}/healthz did not answer 200 within "
                            f"{SERVER_START_TIMEOUT} s:\n{log_path.read_text()[-4000:]}",
                            pytrace=False)
            time.sleep(0.25)
        yield url
    finally:
        for process in (server, worker):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Debian's Chromium, headless; a missing browser fails the run rather than skipping it."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        found = shutil.which("chromium")
        hint = f" (there is one at {found}: set GFP_CHROMIUM to use it)" if found else ""
        pytest.fail(f"Chromium is missing at {CHROMIUM}{hint}. The browser tests need it: "
                    "apt-get install chromium (.ci/run does).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium, live_server):
    """Factory of pages, each in its own fresh context (no shared cookies)."""
    contexts = []

    def _new_page(*, width=1280, height=800, locale="en-GB"):
        context = chromium.new_context(base_url=live_server, locale=locale,
                                       viewport={"width": width, "height": height})
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def artifacts_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def sign_in(page, email, password=DEMO_PASSWORD, *, lang=None):
    """Sign in through the form on /login and wait until the signed-in page has loaded.

    The sign-in redirects to the home page of the account's role.
    """
    from playwright.sync_api import expect

    page.goto("/login" + (f"?lang={lang}" if lang else ""))
    form = page.locator("main form").filter(has=page.locator("input[name=email]"))
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("input[type=submit], button[type=submit]").first.click()
    page.wait_for_url(lambda url: urlsplit(url).path.rstrip("/") != "/login")
    expect(page.locator("nav form[action$='/logout'] button[type=submit]")).to_be_visible()
