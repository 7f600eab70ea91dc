"""Implementation plan pages: access for every role, the network view, each form and its
refusals, and a list read in a fixed number of queries."""
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.accounts.models import User
from gfp_portal.core import i18n
from gfp_portal.extensions import db
from gfp_portal.plans import queries, services
from gfp_portal.plans.models import ImplementationPlan, PlanPeriod, PlanStatus, Standing
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from tests.helpers import EXE, PDF, entity, login, opened_from, outbox, page_links, sent_from
from tests.markup import CHOOSE_FILE_AGAIN, described_by, filled_form
from tests.plans.conftest import appoint_alternate

ROLES = ("anonymous", "focal_point", "colleague", "stranger", "resident_coordinator",
         "coordinator", "admin")


@pytest.fixture
def site(app, reference, create_user, monkeypatch, tmp_path):
    """A past period, UNDP's plan (its focal point responsible) and UNICEF's; one account per
    role: `focal_point` responsible (an alternate of UNDP), `colleague` of UNDP with no
    appointment, `stranger` an alternate of UNICEF."""
    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))
    roles = {"focal_point": ("focal_point",), "colleague": ("focal_point",),
             "stranger": ("focal_point",), "resident_coordinator": ("resident_coordinator",),
             "coordinator": ("coordinator",), "admin": ("admin",)}
    ids = {role: create_user(f"{role}@example.org", roles=granted,
                             uncts=["KEN"] if role == "resident_coordinator" else ())
           for role, granted in roles.items()}
    with app.app_context():
        users = {role: db.session.get(User, user_id) for role, user_id in ids.items()}
        for role, acronym in (("focal_point", "UNDP"), ("colleague", "UNDP"),
                              ("stranger", "UNICEF")):
            users[role].person.entity = entity(acronym)
        for role, acronym in (("focal_point", "UNDP"), ("stranger", "UNICEF")):
            appoint_alternate(users[role].person, acronym)
        office = users["coordinator"]
        period = services.create_period({"name": "2022–2024", "first_year": 2022,
                                         "last_year": 2024,
                                         "deadline": date.today() - timedelta(days=10)},
                                        actor=office)
        undp = services.create_plan(entity("UNDP"), period, actor=office,
                                    responsible=[users["focal_point"].person])
        unicef = services.create_plan(entity("UNICEF"), period, actor=office)
        services.change_status(unicef, "updated", actor=office)
        db.session.commit()
        return {"plan": undp.id, "other": unicef.id, "period": period.id}


def as_role(client, role):
    if role != "anonymous":
        assert login(client, f"{role}@example.org").status_code == 302


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_network_view_and_a_plan(client, site, role):
    as_role(client, role)
    expected = {"anonymous": (302, 302), "focal_point": (403, 200), "colleague": (403, 200),
                "stranger": (403, 403), "resident_coordinator": (403, 403),
                "coordinator": (200, 200), "admin": (200, 200)}[role]
    index = client.get("/plans/")
    detail = client.get(f"/plans/{site['plan']}")
    assert (index.status_code, detail.status_code) == expected
    if role == "anonymous":
        assert "/login?next=" in detail.headers["Location"]


@pytest.mark.parametrize(("lang", "ordered"), [("es", ["Munro", "Muñoz"]),
                                               ("en", ["Muñoz", "Munro"])])
def test_a_plans_responsible_people_are_listed_in_the_readers_order_of_names(
        app, client, site, lang, ordered):
    """Spanish sorts the ñ after the n ("Munro" before "Muñoz"); the other languages take it
    for an n, as the registry's lists do (name_order): on the plan's page and the list."""
    with app.app_context():
        people = []
        for n, family in enumerate(("Muñoz", "Munro")):
            person = registry.create_person({"given_name": "Ana", "family_name": family,
                                             "email": f"ana{n}@undp.org"}, actor=None)
            appoint_alternate(person, "UNDP")
            people.append(person)
        plan = db.session.get(ImplementationPlan, site["plan"])
        services.set_responsible(plan, people, actor=db.session.scalars(
            select(User).filter_by(email="coordinator@example.org")).one())
        db.session.commit()
    as_role(client, "coordinator")
    for url in (f"/plans/{site['plan']}?lang={lang}",
                f"/plans/?period={site['period']}&lang={lang}"):
        html = client.get(url).get_data(as_text=True)
        assert re.findall(r"<bdi>Ana (Mu\w+)</bdi>", html) == ordered, url


def test_the_network_view_tells_how_many_entities_stand_where(client, site):
    as_role(client, "coordinator")
    html = client.get("/plans/").get_data(as_text=True)
    assert 'data-network-updated="1" data-network-total="2"' in html
    assert "Entities with an updated plan: 1 of 2." in html
    assert re.search(r'data-total="overdue">1<', html)
    overdue = client.get("/plans/?status=overdue").get_data(as_text=True)
    assert f'data-plan="{site["plan"]}"' in overdue and f'data-plan="{site["other"]}"' \
        not in overdue
    typed = client.get("/plans/?type=specialized_agency").get_data(as_text=True)
    assert "data-plan=" not in typed


def test_a_deadline_is_judged_by_the_viewers_own_day(client, site, app, create_user,
                                                      monkeypatch):
    """At 03:00 UTC it is still the evening before in New York: a plan due that evening is not
    yet overdue for a coordinator there, whose pages count days by their own calendar."""
    server_today = date.today()
    monkeypatch.setattr(i18n, "utcnow",
                        lambda: datetime.combine(server_today, time(3), tzinfo=UTC))
    with app.app_context():
        db.session.get(PlanPeriod, site["period"]).deadline = server_today - timedelta(days=1)
        db.session.commit()
    create_user("office-ny@example.org", roles=["coordinator"], time_zone="America/New_York")
    assert login(client, "office-ny@example.org").status_code == 302
    html = client.get("/plans/").get_data(as_text=True)
    assert re.search(r'data-total="overdue">0<', html)
    detail = client.get(f"/plans/{site['plan']}").get_data(as_text=True)
    assert 'data-standing="not_started"' in detail and "0 days left." in detail
    # Where the day has already turned, it is overdue.
    create_user("office-ke@example.org", roles=["coordinator"], time_zone="Africa/Nairobi")
    nairobi = app.test_client()
    assert login(nairobi, "office-ke@example.org").status_code == 302
    detail = nairobi.get(f"/plans/{site['plan']}").get_data(as_text=True)
    assert 'data-standing="overdue"' in detail and "Overdue by 1 day." in detail


def test_the_list_reads_in_a_fixed_number_of_queries(client, site, app, count_queries):
    as_role(client, "coordinator")
    client.get("/plans/")
    with count_queries() as small:
        assert client.get("/plans/").status_code == 200
    with app.app_context():
        office = db.session.scalars(select(User).filter_by(email="coordinator@example.org")).one()
        period = db.session.get(PlanPeriod, site["period"])
        people = [db.session.scalars(select(User).filter_by(email=f"{r}@example.org")).one()
                  .person for r in ("focal_point", "colleague", "stranger")]
        has_plan = select(ImplementationPlan.entity_id)
        for number, other in enumerate(db.session.scalars(
                select(Entity).where(Entity.id.not_in(has_plan)).limit(30))):
            plan = services.create_plan(other, period, actor=office, responsible=people)
            services.change_status(plan, list(PlanStatus)[number % 4], actor=office)
        db.session.commit()
    with count_queries() as large:
        assert client.get("/plans/").status_code == 200
    assert large.count == small.count


def test_the_plan_page_reads_in_a_fixed_number_of_queries(client, site, app, count_queries):
    as_role(client, "coordinator")
    url = f"/plans/{site['plan']}"
    client.get(url)
    with count_queries() as small:
        client.get(url)
    with app.app_context():
        plan = db.session.get(ImplementationPlan, site["plan"])
        office = db.session.scalars(select(User).filter_by(email="coordinator@example.org")).one()
        for n in range(5):
            services.add_note(plan, f"Note {n}", actor=office)
            services.add_document(plan, ["en", "fr"][n % 2],
                                  FileStorage(stream=io.BytesIO(PDF), filename=f"v{n}.pdf"),
                                  actor=office)
        services.set_targets(plan, [{"grade": g, "year": y, "women_percent": 50}
                                    for g in ("P-4", "P-5") for y in (2022, 2023)], actor=office)
        db.session.commit()
    with count_queries() as large:
        html = client.get(url).get_data(as_text=True)
    assert large.count == small.count
    assert html.count("Note ") >= 5 and "4 earlier versions" not in html
    assert "2 earlier versions" in html and "1 earlier version" in html


def test_the_responsible_focal_point_uploads_and_marks_submitted(client, site, app):
    as_role(client, "focal_point")
    url = f"/plans/{site['plan']}"
    html = client.get(url).get_data(as_text=True)
    assert "Mark the plan as submitted" in html and "Upload a new version" in html
    assert "Edit the targets" not in html and "Add the note" not in html
    response = client.post(f"{url}/documents", data={
        "language": "fr", "file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    bad = client.post(f"{url}/documents", data={
        "language": "fr", "file": (io.BytesIO(EXE), "plan.pdf")},
        content_type="multipart/form-data")
    assert bad.status_code == 200 and "not an accepted document" in bad.get_data(as_text=True)
    missing = client.post(f"{url}/documents", data={"language": "fr"})
    assert "Choose a file." in missing.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    document = re.search(rf'href="(/plans/{site["plan"]}/documents/\d+)"', page).group(1)
    download = client.get(document)
    assert download.data == PDF and "plan.pdf" in download.headers["Content-Disposition"]
    confirm = client.post(f"{url}/submit")
    assert confirm.status_code == 200 and 'name="confirmed" value="1"' in \
        confirm.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ImplementationPlan, site["plan"]).status == "not_started"
    assert client.post(f"{url}/submit", data={"confirmed": "1"}).status_code == 302
    with app.app_context():
        assert db.session.get(ImplementationPlan, site["plan"]).status == "submitted"


def test_the_upload_form_shown_again_asks_for_the_chosen_file_again(client, site):
    as_role(client, "focal_point")
    url = f"/plans/{site['plan']}"
    response = client.post(f"{url}/documents", data={
        "language": "xx", "file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not a valid choice" in html
    assert CHOOSE_FILE_AGAIN in described_by(html, "file")
    assert CHOOSE_FILE_AGAIN not in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("role", ["colleague", "stranger", "resident_coordinator"])
def test_others_cannot_change_the_plan(client, site, app, role):
    as_role(client, role)
    url = f"/plans/{site['plan']}"
    assert client.post(f"{url}/submit", data={"confirmed": "1"}).status_code in (302, 403)
    assert client.post(f"{url}/documents", data={
        "language": "fr", "file": (io.BytesIO(PDF), "plan.pdf")},
        content_type="multipart/form-data").status_code == 403
    for action in ("status", "responsible", "targets", "notes"):
        assert client.post(f"{url}/{action}", data={"status": "updated", "text": "x",
                                                     "confirmed": "1"}).status_code == 403
    with app.app_context():
        plan = db.session.get(ImplementationPlan, site["plan"])
        assert plan.status == "not_started" and plan.documents == [] and plan.notes == []


def test_the_office_changes_status_targets_people_and_writes_notes(client, site, app):
    as_role(client, "coordinator")
    url = f"/plans/{site['plan']}"
    first = client.post(f"{url}/status", data={"status": "updated"})
    assert first.status_code == 200 and "Please confirm" in first.get_data(as_text=True)
    assert client.post(f"{url}/status", data={"status": "nonsense"}).status_code == 400
    client.post(f"{url}/status", data={"status": "updated", "confirmed": "1"})
    bad = client.post(f"{url}/targets", data={"targets": "P-4, 2022, 45\nP-4, 2030, 40"})
    assert "within the period (2022–2024)" in bad.get_data(as_text=True)
    unparsed = client.post(f"{url}/targets", data={"targets": "P-4 twenty"})
    assert "write one GRADE, YEAR, PERCENT" in unparsed.get_data(as_text=True)
    # A superscript is a digit to str.isdigit, not a number to int().
    powered = client.post(f"{url}/targets", data={"targets": "P-4, 2022, 4²"})
    assert powered.status_code == 200
    assert "write one GRADE, YEAR, PERCENT" in powered.get_data(as_text=True)
    client.post(f"{url}/targets", data={"targets": "P-4, 2022, 45\nD-1; 2024; 50"})
    told = client.post(f"{url}/notes", data={"text": "Targets look realistic."},
                       follow_redirects=True).get_data(as_text=True)
    assert "the responsible focal points are told by email" in told
    assert "Please write the note." in client.post(f"{url}/notes", data={"text": " "}) \
        .get_data(as_text=True)
    with app.app_context():
        colleague = db.session.scalars(select(User).filter_by(
            email="colleague@example.org")).one()
        plan = db.session.get(ImplementationPlan, site["plan"])
        assert plan.status == "updated"
        assert [(t.grade, t.year, t.women_percent) for t in plan.targets] == [
            ("D-1", 2024, 50), ("P-4", 2022, 45)]
        assert [n.text for n in plan.notes] == ["Targets look realistic."]
        assert [m.recipient for m in outbox("plan_note")] == ["focal_point@example.org"]
        colleague_id = colleague.person_id
    html = client.get(url).get_data(as_text=True)
    assert "45\u00a0%" in html or "45%" in html
    # Anyone holding no appointment for UNDP cannot be chosen.
    assert client.post(f"{url}/responsible", data={"people": [str(colleague_id)]}) \
        .status_code == 200
    with app.app_context():
        assert [p.email for p in db.session.get(ImplementationPlan,
                                                site["plan"]).responsible] == \
            ["focal_point@example.org"]


def test_the_office_creates_periods_and_plans(client, site, app):
    as_role(client, "coordinator")
    assert client.get("/plans/periods").status_code == 200
    bad = client.post("/plans/periods", data={"name": "2025–2027", "first_year": "2027",
                                              "last_year": "2025", "deadline": "2027-03-31"})
    assert "The last year cannot be before the first year." in bad.get_data(as_text=True)
    response = client.post("/plans/periods", data={
        "name": "2025–2027", "first_year": "2025", "last_year": "2027",
        "deadline": "2027-03-31"})
    assert response.status_code == 302
    with app.app_context():
        period = db.session.scalars(select(PlanPeriod).filter_by(name="2025–2027")).one()
        unicef = entity("UNICEF").id
    form = client.get(f"/plans/new?period={period.id}").get_data(as_text=True)
    assert f'value="{unicef}"' in form
    created = client.post("/plans/new", data={"entity": unicef, "period": period.id})
    assert created.status_code == 302
    again = client.post("/plans/new", data={"entity": unicef, "period": period.id})
    assert again.status_code == 200  # no longer among the choices
    assert client.get("/plans/").status_code == 200
    assert "2025–2027" in client.get("/plans/").get_data(as_text=True)


def test_the_focal_point_home_lists_their_plans(client, site):
    as_role(client, "focal_point")
    html = client.get("/").get_data(as_text=True)
    assert f'href="/plans/{site["plan"]}"' in html and 'data-home="plans" data-count="1"' in html
    client.post("/logout")
    as_role(client, "stranger")
    assert f'href="/plans/{site["other"]}"' in client.get("/").get_data(as_text=True)


def test_unknown_plans_and_documents_are_not_found(client, site):
    as_role(client, "coordinator")
    assert client.get("/plans/999999").status_code == 404
    assert client.get(f"/plans/{site['plan']}/documents/999999").status_code == 404


def test_targets_posted_without_their_field_are_refused_and_kept(client, site, app):
    as_role(client, "coordinator")
    url = f"/plans/{site['plan']}"
    assert client.post(f"{url}/targets",
                       data={"targets": "P-4, 2022, 45"}).status_code == 302
    response = client.post(f"{url}/targets?lang=fr")
    assert response.status_code == 200
    assert "Ce champ n’a pas été reçu" in response.get_data(as_text=True)
    with app.app_context():
        plan = db.session.get(ImplementationPlan, site["plan"])
        assert [(t.grade, t.year, t.women_percent) for t in plan.targets] == [("P-4", 2022, 45)]


def test_targets_saved_since_the_page_was_shown_are_not_undone(client, site, app):
    """The targets form is one of several on the plan's page: the page keeps the plan's state
    in it, and a save that would put back older targets is refused."""
    as_role(client, "coordinator")
    url = f"/plans/{site['plan']}"
    shown = filled_form(client.get(url).get_data(as_text=True), "targets")
    with app.app_context():
        plan = db.session.get(ImplementationPlan, site["plan"])
        services.set_targets(plan, [{"grade": "P-4", "year": 2023, "women_percent": 50}],
                             actor=db.session.scalars(select(User).filter_by(
                                 email="admin@example.org")).one())
        db.session.commit()
    shown["targets"] = "D-1, 2024, 40"
    html = client.post(f"{url}/targets", data=shown).get_data(as_text=True)
    assert "\u2068admin@example.org\u2069 changed Targets" in html
    assert "D-1, 2024, 40" in html  # the entries are kept
    with app.app_context():
        plan = db.session.get(ImplementationPlan, site["plan"])
        assert [(t.grade, t.year) for t in plan.targets] == [("P-4", 2023)]
    assert client.post(f"{url}/targets", data=filled_form(html, "targets")).status_code == 302
    with app.app_context():
        plan = db.session.get(ImplementationPlan, site["plan"])
        assert [(t.grade, t.year) for t in plan.targets] == [("D-1", 2024)]


def test_a_note_on_a_plan_nobody_is_responsible_for_says_nobody_was_emailed(client, site, app):
    as_role(client, "coordinator")
    page = client.post(f"/plans/{site['other']}/notes", data={"text": "Where is the plan?"},
                       follow_redirects=True).get_data(as_text=True)
    assert "No focal point is responsible for this plan: nobody was emailed." in page
    assert "the responsible focal points are told by email" not in page  # the flash
    with app.app_context():
        assert outbox("plan_note") == []


@pytest.mark.parametrize(("updated", "total", "expected"), [
    (1, 5, "Entities with an updated plan: 1 of 5."),
    (1, 1, "Entities with an updated plan: 1 of 1."),
    (2, 11, "Entities with an updated plan: 2 of 11.")])
def test_the_network_view_counts_the_updated_plans_whatever_the_numbers(
        client, site, monkeypatch, updated, total, expected):
    """"1 of 5 entities" took its number from the total, which French gave to the verb too:
    "1 entités sur 5 ont"."""
    totals = queries.NetworkRow(None, {s: 0 for s in Standing})
    totals.counts[Standing.updated] = updated
    totals.counts[Standing.not_started] = total - updated
    monkeypatch.setattr(queries, "network_view", lambda period, today: ([], totals))
    as_role(client, "coordinator")
    assert expected in client.get("/plans/").get_data(as_text=True)
    assert "1 entités" not in client.get("/plans/?lang=fr").get_data(as_text=True)


def test_a_plan_opened_from_a_filtered_page_leads_back_to_it(client, site, app, monkeypatch):
    """Page 2 of the plans of a period, a plan opened: its way back to the plans is that page;
    a way back that is not the plans on this site leads to the plans of its period."""
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    as_role(client, "coordinator")
    listing = f"/plans/?period={site['period']}&page=2"
    assert listing in page_links(opened_from(client, listing, "/plans/"))
    for elsewhere in ("https://elsewhere.example.org/plans/", "//elsewhere.example.org/",
                      "/admin/users/"):
        page = client.get(f"/plans/{site['plan']}", query_string={"back": elsewhere})
        links = page_links(page.get_data(as_text=True))
        assert f"/plans/?period={site['period']}" in links and elsewhere not in links


def test_acting_on_a_plan_keeps_the_way_back_to_its_filtered_page(client, site, app,
                                                                  monkeypatch):
    """A plan opened from page 2 of the plans of a period: after a note is added, then its
    status changed (confirmed), its page still leads back to that page of the plans."""
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    as_role(client, "coordinator")
    listing = f"/plans/?period={site['period']}&page=2"
    page = sent_from(client, opened_from(client, listing, "/plans/"), "/notes",
                     text="Where is the plan?")
    assert "The note is added" in page and listing in page_links(page)
    page = sent_from(client, page, "/status", status="in_preparation")
    assert "The status is changed." in page and listing in page_links(page)
