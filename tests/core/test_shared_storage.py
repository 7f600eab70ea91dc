"""Two instances of the portal that share only the database: each serves the files and confirms
the previews the other received, when uploads are kept in the database."""
import io

import pytest
from sqlalchemy import func, select

from gfp_portal.app import create_app
from gfp_portal.attendance.models import Attendance
from gfp_portal.core.jobs import Job, JobState, execute_job
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from tests.helpers import ATTENDANCE_FILES, PDF, csv_bytes, login, row


@pytest.fixture(scope="module")
def other_app():
    """A second instance, as on another machine: its own app, engine and storage folder."""
    other = create_app("testing")
    yield other
    with other.app_context():
        db.engine.dispose()


@pytest.fixture
def instances(app, other_app, monkeypatch, tmp_path):
    """(A, B): two instances with their own local folder, both set to the database storage."""
    for name, instance in (("a", app), ("b", other_app)):
        monkeypatch.setitem(instance.config, "STORAGE_PATH", str(tmp_path / name))
        monkeypatch.setitem(instance.config, "STORAGE_BACKEND", "database")
    return app, other_app


def test_with_local_folders_the_other_instance_does_not_have_the_file(
        instances, monkeypatch, create_resource):
    """The set-up holds: each instance has its own folder, so only shared storage can pass."""
    for instance in instances:
        monkeypatch.setitem(instance.config, "STORAGE_BACKEND", "local")
    create_resource("guide", {"en": "Guide"})
    with instances[1].test_client() as client:
        assert client.get("/resources/guide/download/en").status_code == 404
    with instances[0].test_client() as client:
        assert client.get("/resources/guide/download/en").status_code == 200


def token_in(html):
    return html.split('name="token" value="')[1].split('"')[0]


def test_a_library_file_uploaded_on_one_instance_downloads_from_the_other(
        instances, create_resource):
    _a, b = instances
    create_resource("guide", {"en": "Guide"})  # stored through instance A
    with b.test_client() as client:
        response = client.get("/resources/guide/download/en")
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF")


def test_a_nomination_letter_sent_to_one_instance_is_read_on_the_other(
        instances, kenya_nomination):
    _a, b = instances
    with b.test_client() as client:
        login(client, "coord@example.org")
        response = client.get(f"/nominations/{kenya_nomination['id']}/letter")
        assert response.status_code == 200
        assert response.data == PDF


def test_a_registry_import_uploaded_on_one_instance_is_checked_and_applied_on_the_other(
        instances, reference, create_user, monkeypatch):
    """The upload reaches instance A; B's worker reads it from the shared storage and checks
    it; the confirmation on B applies the plan the check kept."""
    a, b = instances
    create_user("coord@example.org", roles=["coordinator"])
    with a.app_context():  # A queues the check for some worker; none runs on A
        monkeypatch.setattr(a.extensions["jobs"], "dispatch", lambda job_id: None)
    with a.test_client() as client:
        login(client, "coord@example.org")
        response = client.post("/registry/import", content_type="multipart/form-data",
                               data={"file": (io.BytesIO(csv_bytes([row(1), row(2)])),
                                              "people.csv")})
        job_id = response.headers["Location"].rsplit("/", 1)[1]
    with b.app_context():
        assert db.session.get(Job, job_id).state == JobState.queued
        job = execute_job(job_id)  # B's worker
        assert job.state == JobState.done and job.result["ok"], job.error
    with b.test_client() as client:
        login(client, "coord@example.org")
        assert "Confirm the import" in client.get(f"/jobs/{job_id}").get_data(as_text=True)
        done = client.post("/registry/import/confirm", data={"job": job_id})
        assert done.status_code == 302
    with b.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)
                                 .where(Person.email.like("person%@undp.org"))) == 2


def test_an_attendance_report_previewed_on_one_instance_is_imported_on_the_other(
        instances, running):
    a, b = instances
    url = f"/sessions/{running['session']}/attendance/import"
    with a.test_client() as client:
        login(client, "coord@example.org")
        data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
        html = client.post(url, data={"file": (io.BytesIO(data), "Attendance.csv")},
                           content_type="multipart/form-data").get_data(as_text=True)
        token = token_in(html)
    with b.test_client() as client:
        login(client, "coord@example.org")
        client.post(url + "/confirm", data={"token": token, "filename": "Attendance.csv"})
    with b.app_context():
        attendance = db.session.scalars(select(Attendance)).one()
        assert attendance.minutes == 80 and attendance.source == "import"
