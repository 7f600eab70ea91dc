"""The registry import as two jobs: the check (preview) reads the upload from the shared
storage and keeps its plan; the confirmation applies exactly that plan, all or nothing, through
the registry's services, and is refused when the preview expired or the registry changed."""
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import set_roles
from gfp_portal.core import storage
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.extensions import db
from gfp_portal.registry import services
from gfp_portal.registry.imports import applying, planning, reading
from gfp_portal.registry.models import Appointment, Person
from tests.helpers import csv_bytes, entity, login, row

JOB_URL = re.compile(r"^/jobs/([0-9a-f]{32})$")
FP = {"role": "focal_point", "appointment_entity": "UNDP", "scope": "HQ",
      "start_date": "2026-01-01", "time_share": "25"}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def job_id_of(response):
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    match = JOB_URL.match(response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def post_import(client, data, name="people.csv"):
    return client.post("/registry/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm(client, job_id, **kwargs):
    return client.post("/registry/import/confirm", data={"job": job_id}, **kwargs)


@pytest.fixture
def coordinator_client(client, reference, login_as):
    login_as("coordinator")
    return client


def test_the_check_then_the_confirmation_run_as_jobs(app, coordinator_client):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, csv_bytes([row(1, **FP), row(2)])))
    with app.app_context():
        preview = db.session.get(Job, preview_id)
        assert preview.kind == "registry.import-preview" and preview.state == JobState.done
        assert (preview.done, preview.total) == (2, 2)
        assert preview.result["ok"] and len(preview.result["created_people"]) == 2
        # The upload was read once and dropped; the plan is what is kept.
        assert storage.pending(preview.params["upload"]) is None
        assert storage.pending(preview.result["plan"]) is not None
        assert count(Person, Person.email.like("person%@undp.org")) == 0
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "Check of people.csv" in html and "The file has 2 rows and no error." in html
    assert f'name="job" value="{preview_id}"' in html and "Confirm the import" in html

    apply_id = job_id_of(confirm(client, preview_id))
    with app.app_context():
        applied = db.session.get(Job, apply_id)
        assert applied.kind == "registry.import-apply" and applied.state == JobState.done
        assert (applied.done, applied.total) == (2, 2)
        assert count(Person, Person.email.like("person%@undp.org")) == 2
        # The services' own audit: the same events as the forms leave.
        actions = sorted(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.object_type.in_(("people", "appointments")))))
        assert actions == ["appointment.import", "person.create", "person.create"]
        assert storage.pending(preview.result["plan"]) is None
    html = client.get(f"/jobs/{apply_id}").get_data(as_text=True)
    assert "Import done: 2 people created, 1 appointment created, 0 records updated." in html

    again = confirm(client, preview_id, follow_redirects=True).get_data(as_text=True)
    assert "This import has already been applied or has expired." in again
    with app.app_context():
        assert count(Job, Job.kind == "registry.import-apply") == 1


def test_a_coordinator_who_left_the_office_no_longer_opens_an_import_they_checked(
        app, client, reference, create_user):
    """The check lists the people of the file and offers to confirm it: once the account
    holds no role of the Office any more, its page is gone for them too."""
    user_id = create_user("former@example.org", roles=["coordinator"])
    login(client, "former@example.org")
    preview_id = job_id_of(post_import(client, csv_bytes([row(1, **FP)])))
    assert client.get(f"/jobs/{preview_id}").status_code == 200
    with app.app_context():
        set_roles(db.session.get(User, user_id), ["focal_point"], [])
        db.session.commit()
    assert client.get(f"/jobs/{preview_id}").status_code == 404


def test_every_bad_row_is_reported_and_nothing_can_be_confirmed(app, coordinator_client):
    client = coordinator_client
    data = csv_bytes([row(1), row(2, entity="NOPE"), row(3, email="not-an-email"),
                      row(4, role="alternate", appointment_entity="UNDP",
                          start_date="2026-13-45")])
    preview_id = job_id_of(post_import(client, data))
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "3 errors: nothing will be imported until the file is corrected." in html
    for line, text in ((3, "No entity has the acronym “NOPE”."),
                       (4, "“not-an-email” is not a valid email address."),
                       (5, "“2026-13-45” is not a date (YYYY-MM-DD).")):
        assert f'data-label="Line">{line}</td>' in html and text in html
    assert "Confirm the import" not in html
    with app.app_context():
        preview = db.session.get(Job, preview_id)
        assert "plan" not in preview.result and (preview.done, preview.total) == (4, 4)
        assert count(Person, Person.email.like("person%@undp.org")) == 0
    refused = confirm(client, preview_id, follow_redirects=True).get_data(as_text=True)
    assert "There is no checked file to import." in refused
    with app.app_context():
        assert count(Job, Job.kind == "registry.import-apply") == 0


def test_an_unreadable_file_is_reported_on_the_check_page(app, coordinator_client):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, b"name,mail\nA,a@b.org\n"))
    html = client.get(f"/jobs/{preview_id}").get_data(as_text=True)
    assert "Columns missing from the first line: given_name, family_name, email." in html
    assert "Confirm the import" not in html
    refused = post_import(client, b"%PDF-1.7", name="people.pdf")
    assert refused.status_code == 200
    assert "Upload a .csv or .xlsx file." in refused.get_data(as_text=True)
    with app.app_context():
        assert count(Job) == 1


def test_an_expired_preview_is_refused(app, coordinator_client):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, csv_bytes([row(1)])))
    with app.app_context():
        preview = db.session.get(Job, preview_id)
        preview.finished_at -= timedelta(hours=app.config["PENDING_PREVIEW_HOURS"] + 1)
        db.session.commit()
    html = confirm(client, preview_id, follow_redirects=True).get_data(as_text=True)
    assert "This import has already been applied or has expired. Upload the file again." in html
    with app.app_context():
        assert count(Job, Job.kind == "registry.import-apply") == 0
        assert count(Person, Person.email == "person1@undp.org") == 0


def test_a_purged_preview_is_refused(app, coordinator_client):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, csv_bytes([row(1)])))
    with app.app_context():
        storage.drop_pending(db.session.get(Job, preview_id).result["plan"])
    html = confirm(client, preview_id, follow_redirects=True).get_data(as_text=True)
    assert "This import has already been applied or has expired." in html
    with app.app_context():
        assert count(Person, Person.email == "person1@undp.org") == 0


def test_a_preview_of_a_registry_that_changed_since_is_refused(app, coordinator_client):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, csv_bytes([row(1, **FP)])))
    with app.app_context():  # meanwhile, someone else becomes the focal point there
        someone = services.create_person({"given_name": "Ana", "family_name": "Ruiz",
                                          "email": "ana@undp.org"}, actor=None)
        services.appoint(someone, {"role": "focal_point", "entity": entity("UNDP"),
                                   "unct": None}, actor=None)
        db.session.commit()
    html = confirm(client, preview_id, follow_redirects=True).get_data(as_text=True)
    assert "The registry has changed since this file was checked; nothing was imported." in html
    with app.app_context():
        assert count(Job, Job.kind == "registry.import-apply") == 0
        assert count(Person, Person.email == "person1@undp.org") == 0


def test_a_registry_changed_before_the_apply_job_runs_fails_it_and_writes_nothing(
        app, coordinator_client, monkeypatch):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, csv_bytes([row(1, **FP)])))
    real = applying.apply_plan

    def change_then_apply(*args, **kwargs):  # a change lands between confirming and running
        services.create_person({"given_name": "Ana", "family_name": "Ruiz",
                                "email": "ana@undp.org"}, actor=None)
        return real(*args, **kwargs)

    monkeypatch.setattr(applying, "apply_plan", change_then_apply)
    apply_id = job_id_of(confirm(client, preview_id))
    with app.app_context():
        job = db.session.get(Job, apply_id)
        assert job.state == JobState.failed and job.error_code == "registry_changed"
        assert count(Person, Person.email.in_(("person1@undp.org", "ana@undp.org"))) == 0
    html = client.get(f"/jobs/{apply_id}").get_data(as_text=True)
    assert "Stopped with an error" in html and "The registry has changed" in html


def test_a_failure_while_applying_writes_nothing(app, coordinator_client, monkeypatch):
    client = coordinator_client
    preview_id = job_id_of(post_import(client, csv_bytes([
        row(n, role="alternate", appointment_entity="UNDP", start_date="2026-01-01")
        for n in range(1, 6)])))
    real, calls = services.appoint, []

    def appoint_then_fail(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "appoint", appoint_then_fail)
    apply_id = job_id_of(confirm(client, preview_id))
    with app.app_context():
        assert db.session.get(Job, apply_id).state == JobState.failed
        assert count(Person, Person.email.like("person%@undp.org")) == 0
        assert count(Appointment) == 0
        assert count(AuditEvent, AuditEvent.object_type.in_(("people", "appointments"))) == 0
    html = client.get(f"/jobs/{apply_id}").get_data(as_text=True)
    assert "Nothing was saved." in html and "disk full" not in html


# --- one write path, read once -----------------------------------------------------------------

def test_a_rule_added_to_the_services_reaches_imported_rows(coordinator, monkeypatch):
    def no_alternates_at_headquarters(person, entity, unct, role, start, end, current=None):
        if unct is None and role == "alternate":
            raise DomainError("no_hq_alternates", "No alternates at headquarters.")

    monkeypatch.setattr(services, "check_new_appointment", no_alternates_at_headquarters)
    rows = reading.read_table("people.csv", csv_bytes([
        row(1, **FP), row(2, role="alternate", appointment_entity="UNDP",
                          start_date="2026-01-01")]))
    report = planning.plan_import(rows, actor=coordinator)
    assert [(e.line, e.code) for e in report.errors] == [(3, "no_hq_alternates")]


def test_past_terms_corrections_and_ends_are_the_services_own(coordinator, kenya, make_person):
    person = make_person(email="person1@undp.org", given="Given1", family="Family1",
                         grade=None)
    term = services.appoint(person, {"role": "focal_point", "entity": entity("UNDP"),
                                     "unct": kenya, "start_date": date(2025, 1, 1),
                                     "end_date": date(2026, 12, 31)}, actor=coordinator)
    rows = reading.read_table("people.csv", csv_bytes([
        row(1, role="focal_point", appointment_entity="UNDP", scope="KEN",
            start_date="2025-01-01", end_date="2026-06-30", status="ended",
            end_reason="left_entity", time_share="40"),
        row(2, role="alternate", appointment_entity="UNICEF", scope="KEN",
            start_date="2020-01-01", end_date="2021-12-31", status="ended",
            end_reason="left_entity")]))
    report = applying.apply_import(rows, actor=coordinator)
    assert report.ok, report.errors
    assert (term.status.value, term.end_reason.value, term.ended_on, term.time_share) == \
        ("ended", "left_entity", date(2026, 6, 30), 40)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.object_type == "appointments").order_by(AuditEvent.id)).all()
    assert [(e.action, e.reason) for e in events] == [
        ("appointment.create", None), ("appointment.update", "import"),
        ("appointment.end", None), ("appointment.import_history", None)]
    assert events[1].changes["time_share"] == [None, 40]
    assert events[3].changes["end_reason"] == [None, "left_entity"]


def test_a_changed_appointment_in_the_preview_cannot_be_ended_before_it_started(
        coordinator, kenya, make_person):
    person = make_person(email="person1@undp.org", given="Given1", family="Family1",
                         grade=None)
    services.appoint(person, {"role": "alternate", "entity": entity("UNDP"), "unct": kenya,
                              "start_date": date(2025, 1, 1)}, actor=coordinator)
    rows = reading.read_table("people.csv", csv_bytes([
        row(1, role="alternate", appointment_entity="UNDP", scope="KEN",
            start_date="2025-01-01", status="ended", ended_on="2024-01-01",
            end_date="2027-01-01")]))
    report = planning.plan_import(rows, actor=coordinator)
    assert [(e.line, e.code) for e in report.errors] == [(2, "dates_reversed")]


def _rows(n, start=0):
    """n people: the first ones with an appointment, every fifth one already in the registry
    (so the plan compares, updates and creates)."""
    out = []
    for i in range(start, start + n):
        extra = {"role": "alternate", "appointment_entity": "UNICEF" if i % 2 else "UNDP",
                 "scope": "KEN", "start_date": "2026-01-01"}
        out.append(row(i, position_title=f"Title {i % 3}", **extra))
    return reading.read_table("people.csv", csv_bytes(out))


def test_the_plan_reads_the_registry_in_a_fixed_number_of_queries(
        coordinator, kenya, make_person, count_queries):
    for i in range(0, 400, 5):
        make_person(email=f"person{i}@undp.org", given=f"Given{i}", family=f"Family{i}")
    db.session.flush()
    queries = {}
    for n in (20, 400):
        rows = _rows(n)
        with count_queries() as counter:
            report = planning.plan_import(rows, actor=coordinator)
        assert report.ok, report.errors[:3]
        assert len(report.created_people) + len(report.updated_people) == n
        queries[n] = counter.count
    # The settings are read once per transaction, so the second plan may read one fewer;
    # the addresses that accounts sign in with are read once, for every new person.
    assert max(queries.values()) <= 8 and queries[400] <= queries[20], queries


def test_the_apply_looks_nothing_up_row_by_row(coordinator, kenya, count_queries):
    """Writing is one INSERT per new record (and its audit event): no look-ups per row."""
    queries = {}
    for n, start in ((20, 0), (200, 1000)):
        report = planning.plan_import(_rows(n, start), actor=coordinator)
        assert report.ok, report.errors[:3]
        with count_queries() as counter:
            applying.apply_plan(report.steps, report.version, actor=coordinator)
        selects = [s for s in counter.statements if s.lstrip().upper().startswith("SELECT")]
        queries[n] = len(selects)
    assert queries[200] == queries[20], queries



def test_the_apply_writes_the_audit_events_in_one_statement(coordinator, kenya, count_queries):
    """The audit events of every row (the people created, their appointments) are written
    together, in one statement whatever the number of rows."""
    inserts = {}
    for n, start in ((20, 0), (200, 1000)):
        report = planning.plan_import(_rows(n, start), actor=coordinator)
        assert report.ok, report.errors[:3]
        with count_queries() as counter:
            applying.apply_plan(report.steps, report.version, actor=coordinator)
        inserts[n] = len([s for s in counter.statements
                          if s.lstrip().upper().startswith("INSERT INTO AUDIT_EVENTS")])
    assert inserts == {20: 1, 200: 1}, inserts


def test_the_import_page_says_which_columns_a_file_needs(coordinator_client):
    html = coordinator_client.get("/registry/import").get_data(as_text=True)
    assert "Columns left out of the file are kept as they are in the registry" in html
    assert "the columns given_name, family_name, email," in html
    assert "role, appointment_entity, scope, start_date, which identify" in html
