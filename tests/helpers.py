"""Plain helpers the test packages share: signing in, reading pages, expecting a refusal,
looking up reference rows, sample files, copying a database's rows into a later test,
sending requests at the same moment, a Redis that hangs or refuses, a job queue in one."""
import html
import io
import re
import socket
import sys
import threading
from collections import namedtuple
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

import pytest
from flask import has_app_context
from sqlalchemy import exists, literal, select, union_all
from werkzeug.datastructures import FileStorage, MultiDict

from gfp_portal.core.engine import make_huey
from gfp_portal.core.errors import DomainError
from gfp_portal.core.file_stores import StoredBlob
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import exports
from gfp_portal.registry import services as registry_services

PASSWORD = "correct horse battery"

# The moment the session and attendance factories take as "now".
NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200

# Sample attendance sheets (CSV and XLSX files as people send them).
ATTENDANCE_FILES = Path(__file__).parent / "attendance" / "fixtures"


def tables_with_rows(connection, tables=None):
    """The tables (of `tables`, else of every model but the data version, which only grows)
    that hold rows, asked in one statement, in the order their foreign keys allow inserting."""
    tables = [t for t in tables or db.metadata.sorted_tables if t.name != "data_version"]
    held = set(connection.scalars(union_all(*(
        select(literal(table.name)).where(exists().select_from(table)) for table in tables))))
    return [table for table in tables if table.name in held]


def copy_rows(tables=None):
    """The rows of `tables` (else of every table), to put back with `paste_rows` into a later
    test's empty database: cheaper than making them again through the services."""
    connection = db.session.connection()
    return [(table, [dict(row) for row in connection.execute(
        select(table).order_by(*table.primary_key.columns)).mappings()])
        for table in tables_with_rows(connection, tables)]


def paste_rows(copied):
    """Put copied rows back, in place of what their tables hold (the shipped topics)."""
    for table in reversed(tables_with_rows(db.session.connection(), [t for t, _ in copied])):
        db.session.execute(table.delete())
    for table, rows in copied:
        db.session.execute(table.insert(), rows)
    db.session.commit()


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password})


def csrf_token_from(html):
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or \
        re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def refused(code, call, *args, **kwargs):
    """Call `call` expecting a DomainError with `code`; returns the error."""
    with pytest.raises(DomainError) as error:
        call(*args, **kwargs)
    assert error.value.code == code
    return error.value


def refused_rollback(code, call, *args, **kwargs):
    """As `refused`, then roll back what the refused call left in the session."""
    error = refused(code, call, *args, **kwargs)
    db.session.rollback()
    return error


def entity(acronym):
    return db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()


def unct(iso3):
    return db.session.scalars(select(Unct).filter_by(iso3=iso3)).one()


def appoint_undp_alternate(user, *, actor=None):
    """Appoint the person of the account `user` an alternate of UNDP at headquarters (there
    may be many); returns the appointment."""
    return registry_services.appoint(user.person, {"role": "alternate", "entity": entity("UNDP"),
                                                   "unct": None}, actor=actor)


def outbox(template=None):
    """The queued emails, oldest first; only those of `template` when given."""
    stmt = select(OutboxMessage).order_by(OutboxMessage.id)
    if template:
        stmt = stmt.where(OutboxMessage.template == template)
    return db.session.scalars(stmt).all()


def link_token(message, path):
    """The token of the link to `path` in `message` (without the language it opens in)."""
    return message.body_text.split(path)[1].split()[0].split("?")[0]


def pdf_upload(name="letter.pdf", data=PDF):
    return FileStorage(stream=io.BytesIO(data), filename=name)


def stored_files(kept):
    """The keys of every stored file, in the folder or in the database (as this transaction
    sees it when a test holds an application context)."""
    if kept.backend == "local":
        return sorted(p.relative_to(kept.folder).as_posix() for p in kept.folder.rglob("*")
                      if p.is_file()) if kept.folder.exists() else []
    context = nullcontext() if has_app_context() else kept.app.app_context()
    with context:
        return sorted(db.session.scalars(select(StoredBlob.key)))


def csv_bytes(rows):
    """A registry import file (CSV) of `rows`, each a dict of some of the columns."""
    return exports.to_csv([{c: r.get(c, "") for c in exports.COLUMNS} for r in rows])


def row(n, **extra):
    """Row `n` of a registry import: a UNDP person with a name and an address of its own."""
    return {"given_name": f"Given{n}", "family_name": f"Family{n}",
            "email": f"person{n}@undp.org", "entity": "UNDP", **extra}


def run_together(target, arguments):
    """One thread per tuple of `arguments`, started together; returns when all are done."""
    threads = [threading.Thread(target=target, args=args) for args in arguments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def meet_first(monkeypatch, module, name, *, caller=None, parties=2, timeout=10, barrier=None):
    """Make `module.name`, the first time each thread calls it (only from the function named
    `caller`, when given), wait once it has run until `parties` threads have called it: every
    request has read what it checks before any of them writes. Where a lock taken before the
    call keeps the others from reaching it, the first goes on after `timeout` seconds (shorter
    than SQLite's 5 s wait for its write lock when the others wait for that). Requests that
    check through different functions meet at one `barrier` (a threading.Barrier) given to
    the meet_first of each."""
    barrier = barrier or threading.Barrier(parties)
    original = getattr(module, name)
    seen = threading.local()

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        if caller is not None and sys._getframe(1).f_code.co_name != caller:
            return result
        if not getattr(seen, "done", False):
            seen.done = True
            with suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=timeout)
        return result
    monkeypatch.setattr(module, name, wrapped)


def signed_in(app, email):
    """A test client of its own, signed in as `email`."""
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


Answer = namedtuple("Answer", "status location page")


def at_once(requests):
    """Send the requests (client, method, url, data) together, one thread each; returns, in
    their order, an Answer (status, location, page) for each, or "500 …" for a request whose
    view raised (the test config lets through what a user gets as a 500)."""
    answers = [None] * len(requests)

    def send(index, client, method, url, data):
        try:
            response = getattr(client, method)(url, data=data)
        except Exception as error:  # noqa: BLE001 — what the user gets as a 500
            answers[index] = f"500 {type(error).__name__}: {str(error)[:200]}"
            return
        answers[index] = Answer(response.status_code, response.headers.get("Location"),
                                response.get_data(as_text=True))
    run_together(send, [(index, *request) for index, request in enumerate(requests)])
    return answers


@contextmanager
def hanging_redis():
    """The redis:// URL of a server on this machine that takes every connection and never
    answers, as a Redis that hangs does; on leaving, it closes them all."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)
    taken, closing = [], threading.Event()

    def take():
        while not closing.is_set():
            with suppress(TimeoutError):
                taken.append(listener.accept()[0])
    taker = threading.Thread(target=take, daemon=True)
    taker.start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    finally:
        closing.set()
        taker.join()
        for connection in [*taken, listener]:
            connection.close()


# A redis:// URL where nothing listens: a Redis that is down refuses every connection.
REFUSING_REDIS = "redis://127.0.0.1:1/0"


@contextmanager
def silent_redis(how):
    """The redis:// URL of a Redis that does not answer: one that refuses the connection
    (`how` = "refused") or one that takes it and never answers ("hanging")."""
    with hanging_redis() if how == "hanging" else nullcontext(REFUSING_REDIS) as url:
        yield url


def queue_at(app, monkeypatch, url, timeout=0.5):
    """Have the app's job engine keep its queue (and the live progress beside it) at `url`, a
    Redis that gives up on a call after `timeout` seconds, for the rest of the test."""
    monkeypatch.setattr(app.extensions["jobs"], "huey", make_huey(
        {"JOBS_IMMEDIATE": False, "JOBS_URL": url, "REDIS_TIMEOUT_SECONDS": timeout}))


def ends_within(seconds, call, *args):
    """`call(*args)` run in a thread of its own that must end within `seconds`: what it returns,
    or the exception it raised, raised again here. A call that would wait forever fails the
    test instead of stopping the suite."""
    outcome = {}

    def run():
        try:
            outcome["returned"] = call(*args)
        except Exception as error:  # noqa: BLE001 — raised again in the test's thread
            outcome["raised"] = error
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout=seconds)
    assert not thread.is_alive(), f"{call.__name__} was still waiting after {seconds} seconds"
    if "raised" in outcome:
        raise outcome["raised"]
    return outcome["returned"]


def real_redis(app, setting, purpose):
    """A connection to the real Redis named by the setting `setting`; when it does not answer
    the test fails under CI (which runs it) and is skipped elsewhere."""
    import redis

    url = app.config[setting]
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.ConnectionError:
        message = f"Redis does not answer at {url} ({setting})."
        if app.config["TEST_REDIS_REQUIRED"]:
            pytest.fail(f"{message} CI must run it: {purpose}")
        pytest.skip(message)
    return url, connection


def switch_to(client, page, code, **headers):
    """Follow the language switch of `page` to `code` as a browser would: a link, or the
    switch's form sent by the button of that language."""
    link = re.search(r'<a class="dropdown-item[^"]*"\s+href="([^"]+)" lang="' + code + '"',
                     page)
    if link:
        return client.get(html.unescape(link.group(1)), headers=headers,
                          follow_redirects=True)
    form = re.search(r'<form[^>]*data-language-switch[^>]*>(.*?)</form>', page, re.S)
    assert form, "no language switch"
    button = re.search(r'<button[^>]*form="language-switch"[^>]*formaction="([^"]+)"[^>]*lang="'
                       + code + '"', page)
    assert button, f"no {code} button in the language switch"
    fields = [(html.unescape(n), html.unescape(v)) for n, v in re.findall(
        r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form.group(1))]
    return client.post(html.unescape(button.group(1)), data=MultiDict(fields), headers=headers,
                       follow_redirects=True)


def breadcrumb_links(html):
    """The addresses of a page's breadcrumb, unescaped."""
    trail = html.split('<ol class="breadcrumb">', 1)[1].split("</ol>", 1)[0]
    return [unescape(link) for link in re.findall(r'href="([^"]*)"', trail)]


def page_links(html):
    """Every address a page links to, unescaped."""
    return [unescape(link) for link in re.findall(r'href="([^"]*)"', html)]


def opened_from(client, listing, item_path):
    """The page of the first item of the list at `listing` whose link starts with
    `item_path` and goes on with an id, opened by that link."""
    html = client.get(listing).get_data(as_text=True)
    link = next(unescape(link) for link in re.findall(r'href="([^"]*)"', html)
                if re.match(re.escape(item_path) + r"\d+(\?|$)", unescape(link)))
    return client.get(link).get_data(as_text=True)


def sent_from(client, html, action, **entries):
    """The page shown once the form of `html` posting to an address ending with `action` (by
    its path) is sent to that address as the page fills it, with `entries` typed in it: its
    confirmation confirmed, as a browser sends it, when one is asked; redirects followed."""
    from tests.markup import form_to

    address = next(unescape(link) for link in re.findall(r'<form[^>]*action="([^"]*)"', html)
                   if unescape(link).split("?")[0].endswith(action))
    data = form_to(html, action)
    for name, value in entries.items():
        data[name] = value
    answer = client.post(address, data=data)
    page = answer.get_data(as_text=True)
    if answer.status_code == 200 and "data-confirmation" in page:
        form = re.search(r'<form[^>]*action="([^"]*)"[^>]*data-confirmation>(.*?)</form>',
                         page, re.S)
        address = unescape(form.group(1))
        data = MultiDict([(unescape(name), unescape(value)) for name, value in re.findall(
            r'<input type="hidden" name="([^"]*)" value="([^"]*)"', form.group(2))])
        data["confirmed"] = "1"
        answer = client.post(address, data=data)
    assert answer.status_code == 302, answer.status_code
    return client.get(answer.headers["Location"]).get_data(as_text=True)
