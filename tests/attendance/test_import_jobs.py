"""A meeting report is applied by a job: the confirmation returns at once with the job's page,
the job records the attendance with the report's provenance, or writes nothing and says why."""
import io
import re

from sqlalchemy import func, select

from gfp_portal.attendance import imports
from gfp_portal.attendance.models import Attendance, AttendanceImport
from gfp_portal.core import storage
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.extensions import db
from tests.helpers import ATTENDANCE_FILES, login

JOB_URL = re.compile(r"^/jobs/([0-9a-f]{32})$")


def _preview(client, session_id):
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    html = client.post(f"/sessions/{session_id}/attendance/import",
                       data={"file": (io.BytesIO(data), "Attendance.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    return html.split('name="token" value="')[1].split('"')[0]


def _confirm(client, session_id, token):
    response = client.post(f"/sessions/{session_id}/attendance/import/confirm",
                           data={"token": token, "filename": "Attendance.csv"})
    assert response.status_code == 302
    match = JOB_URL.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_confirmation_opens_the_jobs_page_and_the_job_records_the_report(
        app, client, running):
    login(client, "coord@example.org")
    token = _preview(client, running["session"])
    job_id = _confirm(client, running["session"], token)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.done and job.kind == "attendance.import-report"
        assert job.result["marked"] == 1 and job.done == job.total and job.total >= 1
        attendance = db.session.scalars(select(Attendance)).one()
        assert attendance.status == "present" and attendance.import_id == job.result["import_id"]
        # The kept report is gone once the attendance is committed.
        assert storage.pending(token) is None
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "The report is imported: 1 attendance recorded." in page
    assert f"/sessions/{running['session']}/attendance" in page


def test_a_job_that_fails_writes_no_attendance_and_keeps_the_report(
        app, client, running, monkeypatch):
    login(client, "coord@example.org")
    token = _preview(client, running["session"])

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")
    # Fails after every line was marked: the marks go with it.
    monkeypatch.setattr(imports, "log_action", broken)
    job_id = _confirm(client, running["session"], token)
    with app.app_context():
        assert db.session.get(Job, job_id).state == JobState.failed
        assert _count(Attendance) == 0 and _count(AttendanceImport) == 0
        assert storage.pending(token) is not None
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Nothing was saved" in page


def test_a_report_confirmed_twice_is_recorded_once(app, client, running):
    login(client, "coord@example.org")
    data = (ATTENDANCE_FILES / "teams_attendance.tsv").read_bytes()
    first, second = _preview(client, running["session"]), _preview(client, running["session"])
    assert _confirm(client, running["session"], first)
    job_id = _confirm(client, running["session"], second)
    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.failed and job.error_code == "already_imported"
        assert _count(AttendanceImport) == 1 and _count(Attendance) == 1
        assert imports.checksum(data) == db.session.scalars(select(AttendanceImport)).one().sha256
    page = client.get(f"/jobs/{job_id}").get_data(as_text=True)
    # The day as the reader's language writes it ("December 5, 2026"), not 2026-12-05.
    assert re.search(r"already imported on [A-Z][a-z]+ \d{1,2}, \d{4}; nothing was changed",
                     page)


def test_an_expired_preview_starts_no_job(app, client, running):
    login(client, "coord@example.org")
    token = _preview(client, running["session"])
    with app.app_context():
        storage.drop_pending(token)
    response = client.post(f"/sessions/{running['session']}/attendance/import/confirm",
                           data={"token": token, "filename": "Attendance.csv"},
                           follow_redirects=True)
    assert "This preview has expired" in response.get_data(as_text=True)
    with app.app_context():
        assert _count(Job) == 0
