"""Registry pages: access per role, the list's filters and query count, forms."""
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core import i18n
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from tests.helpers import breadcrumb_links, entity, login, opened_from, outbox
from tests.markup import filled_form, markup_problems, parse


@pytest.fixture
def network(app, reference):
    """Kenya and Uganda teams with UNDP and UNICEF; a focal point in each; returns ids."""
    with app.app_context():
        entities = {e.acronym: e for e in db.session.scalars(
            select(Entity).where(Entity.acronym.in_(["UNDP", "UNICEF"])))}
        ids = {}
        for iso3, given in (("KEN", "Wanjiku"), ("UGA", "Okello")):
            unct = db.session.scalars(select(Unct).filter_by(iso3=iso3)).one()
            unct.members = list(entities.values())
            person = services.create_person({
                "given_name": given, "family_name": "Test", "email": f"{given}@undp.org",
                "entity": entities["UNDP"], "grade": "P-3", "directory_consent": iso3 == "KEN",
                "phone": "+254 700 000000"}, actor=None)
            services.appoint(person, {"entity": entities["UNDP"], "unct": unct,
                                      "role": "focal_point", "start_date": date.today(),
                                      "end_date": date.today() + timedelta(days=20),
                                      "time_share": 10}, actor=None)
            ids[iso3] = person.id
        db.session.commit()
        return ids


@pytest.mark.parametrize("role, status", [
    ("coordinator", 200), ("admin", 200), ("resident_coordinator", 200),
    ("focal_point", 200)])
def test_registry_index_is_open_to_each_signed_in_role(client, network, login_as, role, status):
    login_as(role, uncts=["KEN"] if role == "resident_coordinator" else ())
    assert client.get("/registry/").status_code == status


def test_anonymous_is_sent_to_sign_in(client, network):
    for url in ("/registry/", f"/registry/people/{network['KEN']}", "/registry/export.csv",
                "/registry/import", "/registry/people/new"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_coordinator_sees_everyone_with_warnings_and_expiry(client, network, login_as):
    login_as("coordinator")
    html = client.get("/registry/").get_data(as_text=True)
    assert "Wanjiku" in html and "Okello" in html
    assert "Less working time than expected" in html and "Grade below the expected level" in html
    assert "⏳" in html


def test_filters(client, network, login_as):
    login_as("coordinator")
    assert "Okello" not in client.get("/registry/?unct=KEN").get_data(as_text=True)
    assert "Okello" not in client.get("/registry/?q=wanj").get_data(as_text=True)
    assert "Wanjiku" not in client.get("/registry/?role=alternate").get_data(as_text=True)
    assert "Wanjiku" in client.get("/registry/?expiring=30").get_data(as_text=True)
    assert "Wanjiku" not in client.get("/registry/?expiring=10").get_data(as_text=True)
    assert "Wanjiku" in client.get("/registry/?warning=y").get_data(as_text=True)
    assert "Wanjiku" not in client.get("/registry/?region=arab_states").get_data(as_text=True)


def test_resident_coordinator_sees_own_unct_only_and_read_only(client, network, login_as):
    login_as("resident_coordinator", uncts=["KEN"])
    html = client.get("/registry/").get_data(as_text=True)
    assert "Wanjiku" in html and "Okello" not in html
    assert "Add a person" not in html
    assert client.get(f"/registry/people/{network['KEN']}").status_code == 200
    assert client.get(f"/registry/people/{network['UGA']}").status_code == 403
    assert client.get(f"/registry/people/{network['KEN']}/edit").status_code == 403
    csv = client.get("/registry/export.csv").get_data(as_text=True)
    assert "Wanjiku" in csv and "Okello" not in csv


def test_a_resident_coordinators_list_holds_each_of_their_teams_and_no_other(client, network,
                                                                           login_as):
    """The team's list, downloaded: both teams of a Resident Coordinator of two, and nobody of
    a team they do not lead however the address names it."""
    login_as("resident_coordinator", uncts=["KEN", "UGA"], email="rc.two@example.org")
    csv = client.get("/registry/export.csv").get_data(as_text=True)
    assert "Wanjiku" in csv and "Okello" in csv
    client.post("/logout")
    login_as("resident_coordinator", uncts=["KEN"])
    for url in ("/registry/export.csv?unct=UGA", "/registry/?unct=UGA&status=any"):
        assert "Okello" not in client.get(url).get_data(as_text=True)
    workbook = load_workbook(io.BytesIO(client.get("/registry/export.xlsx").data))
    cells = [str(c.value) for row in workbook.active.iter_rows() for c in row]
    assert "Wanjiku" in cells and "Okello" not in cells


def test_resident_coordinator_does_not_see_people_without_an_appointment(client, network,
                                                                         login_as, app):
    """Someone with no appointment is in no UN Country Team: the "No appointment" filter shows
    a Resident Coordinator nobody, on the page as in the export."""
    with app.app_context():
        services.create_person({"given_name": "Outsider", "family_name": "Elsewhere",
                                "email": "outsider@unhcr.org", "phone": "+41 22 000 0000"},
                               actor=None)
        db.session.commit()
    login_as("resident_coordinator", uncts=["KEN"])
    html = client.get("/registry/?status=none").get_data(as_text=True)
    assert "Outsider" not in html and "outsider@unhcr.org" not in html
    csv = client.get("/registry/export.csv?status=none").get_data(as_text=True)
    assert "Outsider" not in csv and "outsider@unhcr.org" not in csv


def test_focal_point_gets_the_directory_with_consented_contacts_only(client, network,
                                                                     login_as):
    login_as("focal_point")
    html = client.get("/registry/").get_data(as_text=True)
    assert "Network directory" in html and "Wanjiku" in html and "Okello" in html
    assert "Wanjiku@undp.org" in html and "Okello@undp.org" not in html
    assert client.get(f"/registry/people/{network['KEN']}").status_code == 403
    assert client.get("/registry/export.csv").status_code == 403


def test_the_directory_lists_a_holder_until_their_last_day(client, network, login_as, app):
    """An alternate whose end was entered ahead holds the role until their last day: the
    directory still lists them, and the role they hold; once it has passed, no longer."""
    today = date.today()
    with app.app_context():
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        for given, last_day in (("Leaving", today + timedelta(days=10)),
                                ("Gone", today - timedelta(days=1))):
            person = services.create_person({"given_name": given, "family_name": "Alternate",
                                             "email": f"{given}@undp.org"}, actor=None)
            term = services.appoint(person, {"entity": entity("UNDP"), "unct": kenya,
                                             "role": "alternate",
                                             "start_date": today - timedelta(days=100)},
                                    actor=None)
            services.end_appointment(term, reason="left_entity", ended_on=last_day,
                                     actor=None)
        db.session.commit()
    login_as("focal_point")
    html = client.get("/registry/").get_data(as_text=True)
    assert "Gone Alternate" not in html
    card = html[html.index("Leaving Alternate"):]
    card = card[:card.index("</ul>")]
    assert "Alternate · <span" in card and "Kenya" in card, card


def test_the_directory_reads_entity_then_duty_station_in_arabic(app, client, network,
                                                                login_as):
    """The acronym and the city are both written left to right: unless the acronym is
    isolated, an Arabic line lays the two out as one run, the city before the entity."""
    from gfp_portal.reference.models import DutyStation

    with app.app_context():
        station = DutyStation(city="Nairobi", country_iso3="KEN", time_zone="Africa/Nairobi")
        db.session.get(Person, network["KEN"]).duty_station = station
        db.session.commit()
    login_as("focal_point")
    html = client.get("/registry/?lang=ar").get_data(as_text=True)
    assert "<bdi>UNDP</bdi> · Nairobi، كينيا" in html


def test_list_issues_the_same_number_of_queries_for_20_and_2000_people(
        client, network, login_as, app, count_queries):
    login_as("coordinator")
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        uncts = db.session.scalars(select(Unct)).all()

        def add_people(start, stop):
            people = [Person(given_name=f"Given{n}", family_name=f"Family{n}",
                             email=f"p{n}@example.org", entity=undp, grade="P-4")
                      for n in range(start, stop)]
            db.session.add_all(people)
            db.session.flush()
            db.session.add_all(Appointment(person=p, entity=undp, unct=uncts[n % len(uncts)],
                                           role="alternate", status=AppointmentStatus.active,
                                           start_date=date.today(), time_share=20)
                               for n, p in enumerate(people))
            db.session.commit()
        add_people(0, 18)
    with count_queries() as small:
        assert client.get("/registry/?status=any").status_code == 200
    with app.app_context():
        add_people(18, 2000)
    with count_queries() as large:
        html = client.get("/registry/?status=any").get_data(as_text=True)
    assert "Page 1 of" in html
    assert small.count == large.count


@pytest.mark.parametrize("sort", ["entity", "end_date"])
def test_a_list_sorted_by_entity_or_end_date_reads_each_page_in_the_same_order(
        client, network, login_as, app, monkeypatch, count_queries, sort):
    """These orders come from no index: a page sorts the ids, then reads its people by id.
    Page after page, the people come in the order of the whole list, each once."""
    login_as("coordinator")
    monkeypatch.setitem(app.config, "PER_PAGE", 3)
    with app.app_context():
        entities = db.session.scalars(select(Entity).where(
            Entity.acronym.in_(["UNDP", "UNICEF", "WFP"]))).all()
        for n in range(8):
            entity = entities[n % 3]
            person = services.create_person({
                "given_name": f"Given{n}", "family_name": f"Family{7 - n}",
                "email": f"sorted{n}@example.org", "entity": entity}, actor=None)
            if n % 4:  # some hold no active term: last in the end-date order
                services.appoint(person, {
                    "entity": entity, "unct": None, "role": "alternate",
                    "start_date": date.today(), "end_date": date.today() + timedelta(
                        days=10 + (n * 37) % 50)}, actor=None)
        db.session.commit()
        people = db.session.scalars(select(Person)).all()

        def soonest(person):
            ends = [a.end_date for a in person.appointments
                    if a.status == AppointmentStatus.active and a.end_date]
            return min(ends) if ends else None
        if sort == "entity":
            expected = sorted(people, key=lambda p: (p.entity.acronym if p.entity else "~",
                                                     p.name_key, p.id))
        else:
            expected = sorted(people, key=lambda p: (soonest(p) is None,
                                                     soonest(p) or date.max, p.id))
        expected = [p.id for p in expected]
    shown, queries = [], []
    for page in range(1, len(expected) // 3 + 2):
        with count_queries() as counted:
            html = client.get(f"/registry/?status=any&sort={sort}&page={page}") \
                .get_data(as_text=True)
        shown += [int(n) for n in dict.fromkeys(
            re.findall(r'href="/registry/people/(\d+)[?"]', html))]
        queries.append(counted.count)
    assert shown == expected
    # The first page counts and lists the entities and teams; the next pages reuse all three
    # as long as nothing changes (core.data_version, read with the signed-in user).
    assert queries[0] <= 8 and max(queries[1:]) <= 5


def test_the_count_and_the_filter_lists_follow_each_change(client, network, login_as, app,
                                                          monkeypatch):
    """The list's count and its lists of entities and teams are kept while nothing changes
    (core.data_version): a person, an entity or a team added shows on the next view."""
    login_as("coordinator")
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    html = client.get("/registry/").get_data(as_text=True)
    assert "· 2 in all" in html
    assert 'value="ZZNEW"' not in html and 'value="FRA"' not in html
    with app.app_context():
        entity = Entity(acronym="ZZNEW", name="A new entity", type="other")
        team = Unct(iso3="FRA", name_en="France", region="europe_central_asia",
                    members=[entity])
        db.session.add_all([entity, team])
        person = services.create_person({"given_name": "Nouvelle", "family_name": "Test",
                                         "email": "nouvelle@example.org", "entity": entity},
                                        actor=None)
        services.appoint(person, {"entity": entity, "unct": team, "role": "focal_point",
                                  "start_date": date.today()}, actor=None)
        db.session.commit()
    html = client.get("/registry/").get_data(as_text=True)
    assert "· 3 in all" in html
    assert 'value="ZZNEW"' in html and 'value="FRA"' in html


def test_create_person_and_appoint_through_the_forms(client, network, login_as, app):
    login_as("coordinator")
    response = client.post("/registry/people/new", data={
        "given_name": "  Zoë ", "family_name": "van der Berg", "email": "zoe@unicef.org",
        "entity": "UNICEF", "duty_station": 0, "preferred_language": "fr",
        "time_zone": "Africa/Nairobi"})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalars(select(Person).filter_by(email="zoe@unicef.org")).one()
        assert (person.given_name, person.family_name) == ("Zoë", "van der Berg")
        person_id = person.id
    response = client.post(f"/registry/people/{person_id}/appointments/new", data={
        "role": "focal_point", "entity": "UNICEF", "scope": "KEN",
        "start_date": "2026-01-01", "time_share": "30", "tor_on_file": "y"})
    assert response.status_code == 302
    page = client.get(f"/registry/people/{person_id}").get_data(as_text=True)
    assert "Appointed focal point for \u2068UNICEF\u2069 — \u2068Kenya\u2069" in page


def _newcomer(app, email):
    """A person without any appointment, added outside the request (the make_person factory
    would hold an application context open across the view's requests); returns the id."""
    with app.app_context():
        newcomer = services.create_person({"given_name": "Neo", "family_name": "Person",
                                           "email": email}, actor=None)
        db.session.commit()
        return newcomer.id


def test_an_address_pasted_with_invisible_marks_is_kept_as_it_shows(client, network,
                                                                    login_as, app):
    """A person's address, and the new holder's of a replacement, pasted with a direction
    mark, a zero-width space or an accent typed apart from its letter: the forms refused
    them ("Enter a valid email address.")."""
    login_as("coordinator")
    response = client.post("/registry/people/new", data={
        "given_name": "Zoë", "family_name": "Müller", "email": "zoe\u0308@unicef.org\u200f",
        "entity": "UNICEF", "duty_station": 0, "preferred_language": "fr",
        "time_zone": "Africa/Nairobi"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Person).filter_by(email="zo\u00eb@unicef.org")).one()
        appointment_id = db.session.scalars(select(Appointment.id).where(
            Appointment.person_id == network["KEN"])).one()
    response = client.post(f"/registry/appointments/{appointment_id}/replace", data={
        "email": "\u200bnew.fp@undp.org\u200e", "given_name": "Nia", "family_name": "Mwangi",
        "start_date": date.today().isoformat(), "reason": "rotation"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Person).filter_by(email="new.fp@undp.org")).one()


def test_second_focal_point_offers_replace(client, network, login_as, app):
    login_as("coordinator")
    newcomer_id = _newcomer(app, "neo@undp.org")
    response = client.post(f"/registry/people/{newcomer_id}/appointments/new", data={
        "role": "focal_point", "entity": "UNDP", "scope": "KEN", "start_date": "2026-01-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "already has an active focal point: Wanjiku Test" in html
    assert "/replace?email=neo@undp.org" in html


def test_replace_through_the_form(client, network, login_as, app):
    login_as("coordinator")
    with app.app_context():
        appointment_id = db.session.scalars(select(Appointment.id).where(
            Appointment.person_id == network["KEN"])).one()
    response = client.post(f"/registry/appointments/{appointment_id}/replace", data={
        "email": "new.fp@undp.org", "given_name": "Nia", "family_name": "Mwangi",
        "start_date": date.today().isoformat(), "reason": "rotation"})
    assert response.status_code == 302
    with app.app_context():
        old = db.session.get(Appointment, appointment_id)
        assert old.status == AppointmentStatus.ended and old.end_reason == "replaced"


def test_the_date_fields_propose_the_coordinators_own_today(client, network, create_user,
                                                            app, monkeypatch):
    """At 12:00 UTC on 12 January it is already 13 January in Kiritimati (UTC+14): the forms
    that propose today propose the coordinator's day, not the server's."""
    monkeypatch.setattr(i18n, "utcnow", lambda: datetime(2027, 1, 12, 12, tzinfo=UTC))
    create_user("east@example.org", roles=["coordinator"], time_zone="Pacific/Kiritimati")
    assert login(client, "east@example.org").status_code == 302
    with app.app_context():
        appointment_id = db.session.scalars(select(Appointment.id).where(
            Appointment.person_id == network["KEN"])).one()
    for url, field in ((f"/registry/people/{network['KEN']}/appointments/new", "start_date"),
                       (f"/registry/appointments/{appointment_id}/end", "ended_on"),
                       (f"/registry/appointments/{appointment_id}/replace", "start_date")):
        html = client.get(url).get_data(as_text=True)
        assert re.search(rf'name="{field}"[^>]*value="2027-01-13"', html), url


def _unicef_focal_point_in_kenya(given, start, end):
    """The appointment of a new person, `given` Test, as UNICEF's focal point in Kenya from
    `start` to `end` (in an application context)."""
    unicef = entity("UNICEF")
    person = services.create_person({"given_name": given, "family_name": "Test",
                                     "email": f"{given.lower()}@unicef.org", "entity": unicef},
                                    actor=None)
    return services.appoint(person, {
        "entity": unicef, "unct": db.session.scalars(select(Unct).filter_by(iso3="KEN")).one(),
        "role": "focal_point", "start_date": start, "end_date": end}, actor=None)


def test_the_registry_judges_terms_by_the_viewers_own_day_as_the_dashboard_does(
        client, network, create_user, app, monkeypatch):
    """At 03:00 UTC it is still the evening before in New York: a term whose last day is that
    evening ends today for a coordinator there. The dashboard counts it among the terms ending
    soon, and the list it links to shows it there, not among the lapsed terms."""
    server_today = date.today()
    monkeypatch.setattr(i18n, "utcnow",
                        lambda: datetime.combine(server_today, time(3), tzinfo=UTC))
    with app.app_context():
        _unicef_focal_point_in_kenya("Lastday", server_today - timedelta(days=400),
                                     server_today - timedelta(days=1))
        db.session.commit()
    create_user("office-ny@example.org", roles=["coordinator"], time_zone="America/New_York")
    assert login(client, "office-ny@example.org").status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'data-queue="ending">\s*<span[^>]*data-count="3"', home)
    assert 'data-queue="lapsed"' not in home
    assert "Lastday" in client.get("/registry/?expiring=30&sort=end_date").get_data(
        as_text=True)
    assert "Lastday" not in client.get("/registry/?status=any&lapsed=7").get_data(as_text=True)
    # The export of that list, and the team's coverage page, count by the same day.
    assert "Lastday" in client.get("/registry/export.csv?expiring=30").get_data(as_text=True)
    team = client.get("/coverage/KEN").get_data(as_text=True)
    assert re.search(r"Lastday Test.*?Ends soon", team, re.S)


def test_end_requires_a_valid_date(client, network, create_user, app):
    """A last day before the first is refused on the form, in the coordinator's language, and
    the appointment stays as it was."""
    create_user("coord@example.org", roles=["coordinator"], locale="fr")
    assert login(client, "coord@example.org").status_code == 302
    with app.app_context():
        appointment = db.session.scalars(select(Appointment).where(
            Appointment.person_id == network["KEN"])).one()
        appointment_id, start, end = appointment.id, appointment.start_date, appointment.end_date
    response = client.post(f"/registry/appointments/{appointment_id}/end", data={
        "reason": "left_entity", "ended_on": (start - timedelta(days=1)).isoformat()})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Une désignation ne peut pas prendre fin avant d’avoir commencé." in html
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        assert appointment.status == AppointmentStatus.active
        assert (appointment.end_date, appointment.ended_on, appointment.end_reason) == \
            (end, None, None)


def test_a_renewal_entered_early_is_withdrawn_from_its_page_and_the_current_term_goes_on(
        client, network, login_as, app):
    """A renewal entered ahead starts after the current term: ending it on the day it is
    found to be a mistake says how to cancel it, and withdrawing it leaves the current term
    running to its own end date."""
    login_as("coordinator")
    with app.app_context():
        current_id = db.session.scalars(select(Appointment.id).where(
            Appointment.person_id == network["KEN"])).one()
    assert client.post(f"/registry/appointments/{current_id}/renew",
                       data={"end_date": ""}).status_code == 302
    with app.app_context():
        renewal = db.session.scalars(select(Appointment).where(
            Appointment.renewal_of_id == current_id)).one()
        renewal_id, renewal_start = renewal.id, renewal.start_date
    assert renewal_start > date.today()
    today = date.today().isoformat()
    refused = client.post(f"/registry/appointments/{renewal_id}/end", data={
        "reason": "left_entity", "ended_on": today}).get_data(as_text=True)
    assert "To cancel a term that has not begun, choose “Withdrawn” as the reason." in refused
    response = client.post(f"/registry/appointments/{renewal_id}/end", data={
        "reason": "withdrawn", "ended_on": today, "note": "renewed by mistake"})
    assert response.status_code == 302
    with app.app_context():
        renewal, current = (db.session.get(Appointment, renewal_id),
                            db.session.get(Appointment, current_id))
        assert renewal.status == AppointmentStatus.withdrawn
        assert current.status == AppointmentStatus.active
        assert (current.end_date, current.ended_on) == (date.today() + timedelta(days=20), None)


def test_focal_point_edits_own_profile(client, network, login_as, app):
    user_id = login_as("focal_point")
    response = client.post("/me", data={"profile-phone": "+41 22 917 0000",
                                        "profile-position_title": "Gender Specialist",
                                        "profile-directory_consent": "y",
                                        "profile-submit": "1"})
    assert response.status_code == 302
    from gfp_portal.accounts.models import User

    with app.app_context():
        person = db.session.get(User, user_id).person
        assert person.phone == "+41 22 917 0000" and person.directory_consent


def test_a_coordinator_cannot_take_an_administrators_account_through_its_person(
        client, network, create_user, login_as, app):
    """The person form refuses to move the address an administrator signs in with, saying
    who may: a password reset asked for the coordinator's own mailbox then sends nothing."""
    admin_id = create_user("admin@example.org", roles=["admin"])
    with app.app_context():
        person_id = db.session.get(User, admin_id).person_id
    login_as("coordinator")
    data = filled_form(client.get(f"/registry/people/{person_id}/edit").get_data(as_text=True),
                       "email")
    data["email"] = "coordinators.own@example.org"
    page = client.post(f"/registry/people/{person_id}/edit", data=data)
    assert page.status_code == 200
    assert "only an administrator can change it" in page.get_data(as_text=True)
    client.post("/logout")
    client.post("/password/reset", data={"email": "coordinators.own@example.org"})
    with app.app_context():
        assert db.session.get(User, admin_id).email == "admin@example.org"
        assert outbox("reset_password") == []


def test_an_end_before_the_start_is_marked_on_its_field_and_appoints_nobody(client, network,
                                                                           login_as, app):
    """The service's refusal of reversed dates is shown on the end date, as every other form
    shows it, with what was typed kept."""
    login_as("coordinator")
    newcomer_id = _newcomer(app, "neo@unicef.org")
    response = client.post(f"/registry/people/{newcomer_id}/appointments/new?lang=en", data={
        "role": "alternate", "entity": "UNDP", "scope": "KEN", "start_date": "2027-06-01",
        "end_date": "2027-05-31", "time_share": "25", "appointed_by_name": "Amina Head"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    end_date = re.search(r'<input[^>]*name="end_date"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in end_date and 'value="2027-05-31"' in end_date
    assert re.search(r'id="end_date-error"[^>]*>\s*<div>The end date must not be before the '
                     r'start date\.</div>', html)
    with app.app_context():
        assert db.session.scalars(select(Appointment).filter_by(
            person_id=newcomer_id)).all() == []


@pytest.mark.parametrize("field, value", [("start_date", "9999-12-31"),
                                          ("start_date", "0001-01-01"),
                                          ("end_date", "9999-12-31")])
def test_a_date_beyond_any_term_is_a_form_error_and_appoints_nobody(client, network, login_as,
                                                                    app, field, value):
    login_as("coordinator")
    newcomer_id = _newcomer(app, "neo@unicef.org")
    data = {"role": "alternate", "entity": "UNDP", "scope": "KEN", "start_date": "2026-01-01"}
    response = client.post(f"/registry/people/{newcomer_id}/appointments/new?lang=fr",
                           data={**data, field: value})
    assert response.status_code == 200
    assert "Indiquez une date comprise entre les années 1900 et 2100." in \
        response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Appointment).filter_by(
            person_id=newcomer_id)).all() == []


def test_a_term_renewed_in_time_is_not_listed_among_the_lapsed_once_its_end_date_passes(
        client, network, login_as, app, monkeypatch):
    """A focal point renewed ten days before the end of the term goes on without a gap: once
    that old end date has passed, neither the coordinator's home nor the list of lapsed terms
    it links to counts them among the people whose term lapsed."""
    server_today = date.today()
    with app.app_context():
        current = _unicef_focal_point_in_kenya("Renewed", server_today - timedelta(days=700),
                                               server_today + timedelta(days=10))
        renewed = services.renew(current, actor=None)
        db.session.commit()
        assert renewed.start_date == server_today + timedelta(days=11)
    # Two weeks later: the old term's end date fell four days ago.
    monkeypatch.setattr(i18n, "utcnow", lambda: datetime.combine(
        server_today + timedelta(days=14), time(12), tzinfo=UTC))
    login_as("coordinator")
    assert "Renewed" not in client.get("/registry/?status=any&lapsed=7").get_data(
        as_text=True)
    assert 'data-queue="lapsed"' not in client.get("/").get_data(as_text=True)


def test_names_with_accents_or_other_scripts_sort_with_their_letters(client, network, login_as,
                                                                     app):
    """Émile Zola comes between Diallo and Ziegler, not after everyone: the list sorts on the
    names folded as search folds them (core.search), on SQLite and PostgreSQL alike; every
    other list of people reads the same order (registry.models.NAME_ORDER)."""
    login_as("coordinator")
    with app.app_context():
        for given, family in (("Zoe", "Ziegler"), ("Émile", "Éclair"), ("Amina", "Diallo"),
                              ("Ömer", "Özdemir"), ("Lars", "Ødegaard"), ("Paul", "Otto")):
            services.create_person({"given_name": given, "family_name": family,
                                    "email": f"{given.lower()}@example.org"}, actor=None)
        db.session.commit()
    html = client.get("/registry/?status=any").get_data(as_text=True)
    families = ("Ziegler", "Éclair", "Diallo", "Özdemir", "Ødegaard", "Otto")
    shown = [name.split()[-1] for name in re.findall(r"<bdi>([^<]+)</bdi></a>", html)
             if name.split()[-1] in families]
    assert shown == ["Diallo", "Éclair", "Ødegaard", "Otto", "Özdemir", "Ziegler"]


@pytest.mark.parametrize(("given", "family", "typed"), [
    ("سارة", "مصطفى", "مصطفي"),    # a final alef maqsura typed as a yeh
    ("سارة", "هدي", "هدى"),        # and the reverse
    ("سارة", "فاطمة", "فاطمه"),    # a ta marbuta typed as a heh
    ("سارة", "طلحه", "طلحة"),      # and the reverse
    ("Amina", "Diallo", "Diallo Amina"),     # the family name first, as the UN lists people
    ("Amina", "Diallo", "Diallo, Amina"),
    ("Amina", "Diallo", "DIALLO Amina"),
    ("Jean-Pierre", "Mbeki", "Jean Pierre"),  # a hyphen typed as a space
    ("Jean Pierre", "Mbeki", "jean-pierre"),
    ("Aoife", "O’Brien", "OBrien"),           # an apostrophe left out
    ("Aoife", "O’Brien", "O Brien"),
    ("Rohan", "D’Souza", "d'souza"),
])
def test_the_registry_finds_a_name_however_it_is_typed(client, network, login_as, app, given,
                                                       family, typed):
    login_as("coordinator")
    with app.app_context():
        ids = [services.create_person({"given_name": g, "family_name": f,
                                       "email": f"p{n}@example.org"}, actor=None).id
               for n, (g, f) in enumerate(((given, family), ("Aminata", "Kéita")))]
        db.session.commit()
    html = client.get("/registry/", query_string={"q": typed, "status": "any"}) \
        .get_data(as_text=True)
    assert f'/registry/people/{ids[0]}?' in html
    assert f'/registry/people/{ids[1]}?' not in html


def test_names_with_apostrophes_hyphens_or_arabic_letter_variants_sort_by_their_letters(
        client, network, login_as, app):
    """An apostrophe is passed over and a hyphen is a space, as every other list of the
    portal sorts (core.i18n.collation_key); a ta marbuta sorts with the teh it is written from
    and an alef maqsura with the yeh, as Unicode's Arabic order has them, though a search
    takes the ta marbuta for a heh."""
    login_as("coordinator")
    families = ("Ochoa", "O’Brien", "Oakley", "Obama", "Smith-Jones", "Smith Jones", "Smithson",
                "نجاح", "نجاة", "عزمي", "عزة", "هدى", "هدير")
    with app.app_context():
        for n, family in enumerate(families):
            services.create_person({"given_name": f"G{n:02}", "family_name": family,
                                    "email": f"p{n}@example.org"}, actor=None)
        db.session.commit()
    html = client.get("/registry/?status=any").get_data(as_text=True)
    shown = [name.split(maxsplit=1)[1] for name in re.findall(r"<bdi>([^<]+)</bdi></a>", html)
             if name.split(maxsplit=1)[-1] in families]
    assert shown == ["Oakley", "Obama", "O’Brien", "Ochoa", "Smith-Jones", "Smith Jones",
                     "Smithson", "عزة", "عزمي", "نجاة", "نجاح", "هدى", "هدير"]


@pytest.mark.parametrize(("lang", "ordered"), [
    ("es", ["Munro", "Munzón", "Muñiz", "Muñoz", "Muoz"]),
    ("en", ["Muñiz", "Muñoz", "Munro", "Munzón", "Muoz"]),
    ("fr", ["Muñiz", "Muñoz", "Munro", "Munzón", "Muoz"]),
])
def test_names_with_an_n_tilde_sort_as_the_readers_language_sorts_them(
        client, network, login_as, app, lang, ordered):
    """Spanish has the ñ as a letter of its own, after the n; other languages take it for
    an n with an accent. The list reads its order from the database a page at a time."""
    login_as("coordinator")
    with app.app_context():
        for n, family in enumerate(("Muoz", "Muñoz", "Munzón", "Munro", "Muñiz")):
            services.create_person({"given_name": f"G{n:02}", "family_name": family,
                                    "email": f"p{n}@example.org"}, actor=None)
        db.session.commit()
    html = client.get(f"/registry/?status=any&lang={lang}").get_data(as_text=True)
    shown = [name.split(maxsplit=1)[1] for name in re.findall(r"<bdi>([^<]+)</bdi></a>", html)
             if name.split(maxsplit=1)[-1] in ordered]
    assert shown == ordered


def test_the_workbook_is_downloaded_whatever_control_character_a_value_holds(
        app, client, network, login_as):
    """A value stored with a vertical tab (imported before imports kept one-line columns on
    one line) is a character no Excel cell holds: the download is written all the same."""
    login_as("coordinator")
    with app.app_context():
        db.session.get(Person, network["KEN"]).position_title = "Senior Adviser\x0bGender Unit"
        db.session.commit()
    response = client.get("/registry/export.xlsx?status=any")
    assert response.status_code == 200
    assert "Senior Adviser\nGender Unit" in _workbook_values(response.data)


@pytest.mark.parametrize(("lang", "title", "rtl"), [("fr", "Registre", False),
                                                   ("ar", "السجل", True)])
def test_the_workbook_reads_in_the_language_of_whoever_downloads_it(
        client, network, login_as, lang, title, rtl):
    """The sheet is named in the reader's language, read from right to left in Arabic; the
    days of the terms are days a spreadsheet sorts."""
    login_as("coordinator")
    response = client.get(f"/registry/export.xlsx?status=any&lang={lang}")
    sheet = load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert (sheet.title, bool(sheet.sheet_view.rightToLeft)) == (title, rtl)
    header, *starts = next(sheet.iter_cols(min_col=18, max_col=18))
    starts = [cell for cell in starts if cell.value]
    assert header.value == "start_date" and starts and all(cell.is_date for cell in starts)


def _workbook_values(data):
    return [cell.value for row in load_workbook(io.BytesIO(data)).worksheets[0].iter_rows()
            for cell in row]


def test_the_phone_of_a_record_is_a_telephone_field_that_autofill_leaves_alone(
        client, reference, login_as):
    """A telephone field: a phone's number keyboard, and the number laid out left to right on
    an Arabic page. The record is someone else's: nothing offers the coordinator's own."""
    login_as("coordinator")
    html = client.get("/registry/people/new?lang=ar").get_data(as_text=True)
    phone = next(e for e in parse(html) if e.attrs.get("name") == "phone")
    assert phone.tag == "input" and phone.attrs["type"] == "tel"
    assert "autocomplete" not in html


def test_a_refused_filter_of_the_registry_is_marked_on_its_field(client, network, login_as):
    """The registry's filters are laid out by hand: a refused value was listed under them,
    its field not marked, nor tied to what is wrong with it."""
    login_as("coordinator")
    html = client.get("/registry/?expiring=abc&lapsed=99999").get_data(as_text=True)
    elements = parse(html)
    for name in ("expiring", "lapsed"):
        box = next(e for e in elements if e.attrs.get("name") == name)
        assert box.attrs.get("aria-invalid") == "true" and "is-invalid" in box.attrs["class"]
        said = [e for e in elements if e.attrs.get("id") in
                box.attrs.get("aria-describedby", "").split()]
        assert said and said[0].all_text().strip(), name
    untouched = next(e for e in elements if e.attrs.get("name") == "q")
    assert "aria-invalid" not in untouched.attrs
    assert markup_problems(html) == []


def test_a_person_opened_from_a_filtered_page_leads_back_to_it(client, make_network,
                                                                login_as):
    """Page 2 of a filtered registry, a person opened: "Registry" in the breadcrumb leads back
    to page 2 of the same filters (in whichever language is chosen there); a way back that
    is not the registry on this site leads to the whole registry."""
    ids = make_network(30)
    login_as("coordinator")
    listing = "/registry/?q=Member&entity=UNDP&role=alternate&sort=name&page=2"
    person = opened_from(client, listing + "&lang=fr", "/registry/people/")
    assert listing in breadcrumb_links(person)
    for elsewhere in ("https://elsewhere.example.org/registry/", "//elsewhere.example.org/",
                      "/admin/users/"):
        page = client.get(f"/registry/people/{ids[0]}", query_string={"back": elsewhere})
        assert "/registry/" in breadcrumb_links(page.get_data(as_text=True))
