"""The production stack over HTTP: nginx → two gunicorn instances → PostgreSQL, Redis, two job
workers and two schedulers, as deploy/ and Procfile.prod describe them."""
import email
import gzip
import json
import re
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from tests.helpers import PDF, csrf_token_from
from tests.stack.http import fetch
from tests.stack.seed import PASSWORD, REMINDED

pytestmark = pytest.mark.stack

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def sign_in(browser, email):
    token = csrf_token_from(browser.get("/login").text)
    answer = browser.post("/login", {"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status == 302, answer.text
    return browser


def test_a_probe_over_plain_http_is_answered_not_redirected(stack):
    for url in (stack.http, *stack.instances):
        answer = fetch(url + "/healthz")
        assert answer.status == 200, url
        assert json.loads(answer.body) == {"status": "ok", "database": "ok"}


def test_every_other_plain_http_request_moves_to_https(stack):
    answer = fetch(stack.http + "/login")
    assert answer.status == 301 and answer.headers["Location"].startswith("https://")


def test_a_first_visit_is_under_100_kb_and_a_second_fetches_only_the_page(stack):
    both = {"Accept-Encoding": "gzip, br"}
    page = fetch(stack.https + "/login", headers=both)
    assert page.status == 200 and page.headers["Content-Encoding"] in ("gzip", "br")
    links = set(ASSET.findall(fetch(stack.https + "/login").text))
    assert links
    sizes = [len(page.body)]
    for link in links:
        asset = fetch(stack.https + link, headers=both)
        assert asset.status == 200, link
        assert "max-age=31536000" in asset.headers["Cache-Control"], link
        assert "immutable" in asset.headers["Cache-Control"], link
        sizes.append(len(asset.body))
    assert sum(sizes) <= 100 * 1024, sizes
    css = next(link for link in links if "bootstrap" in link and link.endswith(".css"))
    assert fetch(stack.https + css, headers={"Accept-Encoding": "gzip"}).headers[
        "Content-Encoding"] == "gzip"


def test_a_person_signed_in_once_is_signed_in_on_both_instances(stack):
    browser = sign_in(stack.browser(), "coordinator@stack.test")
    for instance in stack.instances:
        # Straight to each gunicorn, as nginx would pass it on.
        answer = browser.get("/admin/", base=instance,
                             headers={"X-Forwarded-Proto": "https",
                                      "X-Forwarded-For": "203.0.113.9"})
        assert answer.status == 200, instance


def test_a_focal_point_registers_and_the_mail_worker_sends_the_invitation(stack):
    browser = sign_in(stack.browser(), "fp@stack.test")
    path = f"/sessions/{stack.session_id}"
    token = csrf_token_from(browser.get(path).text)
    answer = browser.post(path + "/register", {"csrf_token": token})
    assert answer.status == 302, answer.text
    deadline = time.monotonic() + 30
    while not delivered("fp@stack.test", stack):
        assert time.monotonic() < deadline, "no invitation delivered within 30 s"
        time.sleep(0.5)
    message = delivered("fp@stack.test", stack)[0]
    invite = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    assert b"METHOD:REQUEST" in invite.get_payload(decode=True)


def through_nginx(instance):
    """The headers of a request as nginx passes it on to one instance."""
    return {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9",
            "Referer": instance.replace("http://", "https://") + "/"}


def test_a_file_uploaded_on_one_instance_is_downloaded_from_the_other(stack):
    browser = sign_in(stack.browser(), "coordinator@stack.test")
    first, second = stack.instances
    path = "/resources/stack-guide/versions/new"
    token = csrf_token_from(browser.get(path, base=first, headers=through_nginx(first)).text)
    answer = browser.post(path, {"csrf_token": token, "language": "en", "title": "Guide"},
                          files={"file": ("guide.pdf", PDF, "application/pdf")},
                          base=first, headers=through_nginx(first))
    assert answer.status == 302, answer.text
    download = browser.get("/resources/stack-guide/download/en", base=second,
                           headers=through_nginx(second))
    assert download.status == 200 and download.body == PDF


def test_a_change_committed_on_one_instance_is_counted_at_once_by_the_other(stack):
    """Each instance keeps the counters of the Office's home until a change is committed
    (core.data_version): a person added through one is counted by the other on its next
    view."""
    browser = sign_in(stack.browser(), "coordinator@stack.test")
    first, second = stack.instances

    def people(instance):
        home = browser.get("/", base=instance, headers=through_nginx(instance))
        assert home.status == 200, home.text
        return int(re.search(r'dashboard-counts.*?data-count="(\d+)"', home.text, re.S)[1])

    before = people(first)
    assert people(first) == people(second) == before  # kept by each
    path = "/registry/people/new"
    token = csrf_token_from(browser.get(path, base=second, headers=through_nginx(second)).text)
    answer = browser.post(path, {"csrf_token": token, "given_name": "Nadia", "family_name":
                                 "Counted", "email": "nadia.counted@undp.org",
                                 "entity": "UNDP", "duty_station": 0, "preferred_language": "en",
                                 "time_zone": "UTC"}, base=second, headers=through_nginx(second))
    assert answer.status == 302, answer.text
    assert people(first) == before + 1


def test_the_request_id_goes_from_nginx_through_the_answer_to_the_logs(stack):
    rid = "3f1c9e2a-stack-test-0001"
    answer = fetch(stack.https + "/login", headers={"X-Request-ID": rid})
    assert answer.headers["X-Request-ID"] == rid
    generated = fetch(stack.https + "/login").headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)  # nginx's own $request_id
    time.sleep(0.5)
    lines = [json.loads(line) for name in ("web-a", "web-b")
             for line in stack.log(name).splitlines() if line.startswith("{")]
    assert any(line["request_id"] == rid and line["logger"] == "gunicorn.access"
               for line in lines)


def test_html_answers_are_compressed_by_the_portal(stack):
    answer = fetch(stack.https + "/login", headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert b"csrf_token" in gzip.decompress(answer.body)


def delivered(recipient, stack):
    messages = (email.message_from_bytes(path.read_bytes())
                for path in stack.mail_dir.glob("*.eml"))
    return [message for message in messages if message["To"] == recipient]


def test_two_schedulers_and_two_workers_send_each_reminder_once(stack):
    """Both schedulers fire the reminder job every minute; each minute's run happens once,
    and each person registered for the session starting soon gets one reminder."""
    engine = create_engine(stack.database_url)
    query = text("SELECT period FROM job_runs WHERE name = 'sessions.send-reminders'")
    deadline = time.monotonic() + 150
    with engine.connect() as connection:
        while len(periods := connection.execute(query).scalars().all()) < 2:
            assert time.monotonic() < deadline, "the schedulers did not fire twice in 150 s"
            time.sleep(1)
    engine.dispose()
    assert len(periods) == len(set(periods))
    deadline = time.monotonic() + 30
    while True:
        reminders = Counter(message["To"] for message in (
            email.message_from_bytes(path.read_bytes())
            for path in stack.mail_dir.glob("*.eml"))
            if message["Subject"].startswith("Reminder:"))
        if len(reminders) == REMINDED or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert reminders == {f"attendee{n}@stack.test": 1 for n in range(REMINDED)}
    for name in ("scheduler-a", "scheduler-b"):
        assert "sessions.send-reminders" in stack.log(name), name
