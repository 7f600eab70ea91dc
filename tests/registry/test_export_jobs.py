"""A registry export above REGISTRY_EXPORT_INLINE_MAX people is prepared by a job: a click
shows what will happen, the confirmation starts the job, and its page offers the file to the
person who started it and to the Office only. A smaller export is sent at once."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.core import engine as engine_module
from gfp_portal.core import storage
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import exports, services
from tests.helpers import ends_within, login, queue_at, silent_redis

JOB_URL = re.compile(r"^/jobs/([0-9a-f]{32})$")


@pytest.fixture
def network(app, reference, monkeypatch, tmp_path):
    """A focal point in Kenya and one in Uganda; exports of more than one person are jobs."""
    monkeypatch.setitem(app.config, "REGISTRY_EXPORT_INLINE_MAX", 1)
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path))
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        for iso3, given in (("KEN", "Wanjiku"), ("UGA", "Okello")):
            unct = db.session.scalars(select(Unct).filter_by(iso3=iso3)).one()
            unct.members = [undp]
            person = services.create_person({
                "given_name": given, "family_name": "Test", "email": f"{given}@undp.org",
                "entity": undp}, actor=None)
            services.appoint(person, {"entity": undp, "unct": unct, "role": "focal_point",
                                      "start_date": date.today(),
                                      "end_date": date.today() + timedelta(days=400)},
                             actor=None)
        db.session.commit()


def _exports_kept(app):
    with app.app_context():
        return list(storage._store().keys_older_than("exports",
                                                     storage.utcnow() + timedelta(days=1)))


def _start(client, url):
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "2 people match these filters." in confirm.get_data(as_text=True)
    response = client.post(url, data={"confirmed": "1"})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = JOB_URL.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_a_small_export_is_sent_at_once(app, client, network, login_as):
    login_as("coordinator")
    response = client.get("/registry/export.csv?unct=KEN")
    assert response.status_code == 200 and "Wanjiku" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []


def test_a_large_export_is_prepared_by_a_job_and_downloaded_from_its_page(
        app, client, network, login_as):
    login_as("coordinator")
    # Showing what will happen starts nothing.
    client.get("/registry/export.xlsx")
    with app.app_context():
        assert db.session.scalars(select(Job)).all() == []
    job_id = _start(client, "/registry/export.csv")
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.done and job.result["people"] == 2
        assert (job.done, job.total) == (2, 2)
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The file lists 2 people" in page and f"/jobs/{job_id}/download" in page
    download = client.get(f"/jobs/{job_id}/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment; filename=gfp-registry-")
    csv = download.get_data(as_text=True)
    assert "Wanjiku" in csv and "Okello" in csv



def test_the_page_of_a_large_export_leads_back_to_the_registry_as_filtered(
        app, client, network, login_as):
    login_as("coordinator")
    job_id = _start(client, "/registry/export.csv?q=Test&entity=UNDP&region=africa"
                            "&expiring=500&sort=entity")
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    back = [link for link in re.findall(r'href="(/registry/[^"]*)"', page) if "?" in link]
    assert back
    listed = client.get(back[0].replace("&amp;", "&"))
    assert listed.request.args.to_dict() == {
        "q": "Test", "entity": "UNDP", "region": "africa", "status": "active",
        "expiring": "500", "sort": "entity"}
    assert "Wanjiku" in listed.get_data(as_text=True)


def test_an_export_asked_while_the_queue_does_not_answer_waits_on_its_page(
        app, client, network, login_as, monkeypatch):
    """The queue (Redis, or its SQLite file) not answering when the job is saved: the job is
    committed, so the person gets its page, which says it waits (the sweep hands it out
    later), not a server error."""
    login_as("coordinator")

    def unreachable(self, job_id):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
    monkeypatch.setattr(engine_module.JobEngine, "dispatch", unreachable)
    job_id = _start(client, "/registry/export.csv")
    with app.app_context():
        assert db.session.get(Job, job_id).state == JobState.queued
    assert "Waiting to start" in client.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_the_file_goes_to_who_started_it_and_to_the_office_only(
        app, client, network, create_user):
    create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN", "UGA"])
    create_user("other-rc@example.org", roles=["resident_coordinator"], uncts=["KEN", "UGA"])
    create_user("fp@example.org")
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "rc@example.org")
    job_id = _start(client, "/registry/export.csv")
    assert client.get(f"/jobs/{job_id}/download").status_code == 200
    for email, status in (("other-rc@example.org", 404), ("fp@example.org", 404),
                          ("coord@example.org", 200)):
        client.post("/logout")
        login(client, email)
        assert client.get(f"/jobs/{job_id}/download").status_code == status, email
    client.post("/logout")
    response = client.get(f"/jobs/{job_id}/download")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("started_as, now", [
    # A Resident Coordinator of Kenya and Uganda, the team of Uganda taken from their scope.
    ((["resident_coordinator"], ["KEN", "UGA"]), (["resident_coordinator"], ["KEN"])),
    # A Resident Coordinator who no longer is one.
    ((["resident_coordinator"], ["KEN", "UGA"]), (["focal_point"], [])),
    # A coordinator who left the Office: the file names the whole network.
    ((["coordinator"], []), (["focal_point"], [])),
])
def test_the_file_follows_its_starters_rights_as_they_are_now(
        app, client, network, create_user, started_as, now):
    starter_id = create_user("starter@example.org", roles=started_as[0], uncts=started_as[1])
    login(client, "starter@example.org")
    job_id = _start(client, "/registry/export.csv")
    assert client.get(f"/jobs/{job_id}/download").status_code == 200
    with app.app_context():
        admin = db.session.get(User, create_user("admin@example.org", roles=["admin"]))
        accounts.update_roles(db.session.get(User, starter_id), roles=now[0], uncts=[
            db.session.scalars(select(Unct).filter_by(iso3=iso3)).one() for iso3 in now[1]],
            actor=admin)
        db.session.commit()
    assert client.get(f"/jobs/{job_id}/download").status_code == 404
    assert client.get(f"/jobs/{job_id}").status_code == 404


def test_a_resident_coordinators_file_holds_their_teams_only(app, client, network, login_as,
                                                            monkeypatch):
    monkeypatch.setitem(app.config, "REGISTRY_EXPORT_INLINE_MAX", 0)
    login_as("resident_coordinator", uncts=["KEN"])
    confirm = client.get("/registry/export.csv")
    assert "1 person matches these filters." in confirm.get_data(as_text=True)
    job_id = JOB_URL.match(client.post("/registry/export.csv", data={"confirmed": "1"})
                           .headers["Location"]).group(1)
    csv = client.get(f"/jobs/{job_id}/download").get_data(as_text=True)
    assert "Wanjiku" in csv and "Okello" not in csv


def test_a_failed_export_keeps_no_file_and_says_so(app, client, network, login_as,
                                                   monkeypatch):
    login_as("coordinator")

    def broken(rows):
        raise RuntimeError("disk full")
    monkeypatch.setitem(exports.RENDERERS, "csv", broken)
    job_id = _start(client, "/registry/export.csv")
    with app.app_context():
        assert db.session.get(Job, job_id).state == JobState.failed
    assert _exports_kept(app) == []
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Nothing was saved" in page and "/download" not in page
    assert client.get(f"/jobs/{job_id}/download").status_code == 404


def test_a_file_no_longer_kept_is_explained(app, client, network, login_as):
    login_as("coordinator")
    job_id = _start(client, "/registry/export.csv")
    with app.app_context():
        assert storage.purge_exports(now=storage.utcnow() + timedelta(days=2)) == 1
    response = client.get(f"/jobs/{job_id}/download", follow_redirects=True)
    assert "This file is no longer kept" in response.get_data(as_text=True)


@pytest.mark.parametrize("how", ["refused", "hanging"])
def test_a_running_export_shows_its_page_while_the_queue_does_not_answer(
        app, client, network, create_user, monkeypatch, caplog, how):
    """Live progress is kept beside the queue: a Redis that is down or hangs leaves it out, and
    the page shows what the database holds of the job, not a server error. The warning, once
    for the request, names no one."""
    starter = create_user("rc@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        job = Job(kind="registry.export", state=JobState.running, done=1, total=2,
                  params={"criteria": {"scope_unct_ids": [kenya.id]}, "fmt": "csv"},
                  created_by_id=starter)
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    login(client, "rc@example.org")
    with silent_redis(how) as url:
        queue_at(app, monkeypatch, url)
        response = ends_within(30, client.get, f"/jobs/{job_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "In progress" in page and "1 of 2" in page
    warnings = [r for r in caplog.records if r.name == "gfp_portal.core.engine"]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    assert "rc@example.org" not in caplog.text
