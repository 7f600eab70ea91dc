"""The summary of a person's data (own, or produced by the Office) and the anonymisation
pages: who may open them, what they audit, and that nothing is erased without the typed
family name."""
from datetime import date, timedelta

import pytest
from flask_babel import format_date
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.extensions import db
from gfp_portal.nominations import services as nominations
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import Appointment, EndReason, Person
from tests.helpers import (
    appoint_undp_alternate,
    csrf_token_from,
    entity,
    login,
    pdf_upload,
    signed_in,
    unct,
)
from tests.markup import filled_form


@pytest.fixture
def leaver(app, reference, create_user):
    """A focal point of UNDP whose appointment has ended; returns (user id, person id)."""
    user_id = create_user("zq@undp.org", given_name="Zéphyrine", family_name="Quillfeatherova",
                          locale="fr")
    with app.app_context():
        user = db.session.get(User, user_id)
        appointment = appoint_undp_alternate(user)
        registry.end_appointment(appointment, reason=EndReason.left_entity,
                                 ended_on=date.today(), actor=None)
        db.session.commit()
        return user_id, user.person_id


def events(app, action):
    with app.app_context():
        return [(e.actor_id, e.object_type, e.object_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action))]


def test_a_person_reads_their_own_data_in_their_language(app, client, leaver):
    assert client.get("/me/data").status_code == 302
    login(client, "zq@undp.org")
    page = client.get("/me/data").get_data(as_text=True)
    assert "Quillfeatherova" in page and "zq@undp.org" in page
    assert "Désignations" in page and 'lang="fr"' in page  # the person's language
    assert "Télécharger mes données" in page
    assert events(app, "user.data_summary") == [(leaver[0], "users", leaver[0])]
    assert client.get("/me/data?lang=ar").status_code == 200


@pytest.mark.parametrize("roles, status", [
    ((), 302), (("focal_point",), 403), (("resident_coordinator",), 403),
    (("coordinator",), 200), (("admin",), 200)])
@pytest.mark.parametrize("page", ["data", "anonymise"])
def test_only_the_office_produces_a_summary_or_anonymises(app, client, login_as, leaver, roles,
                                                          status, page):
    if roles:
        login_as(*roles, uncts=["KEN"] if "resident_coordinator" in roles else ())
    response = client.get(f"/registry/people/{leaver[1]}/{page}")
    assert response.status_code == status
    if page == "data":
        assert len(events(app, "person.data_summary")) == (1 if status == 200 else 0)


def test_the_office_summary_is_audited_with_who_produced_it(app, client, create_user, leaver):
    coordinator = create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    page = client.get(f"/registry/people/{leaver[1]}/data").get_data(as_text=True)
    assert "Quillfeatherova" in page and "Left the entity" in page
    assert events(app, "person.data_summary") == [(coordinator, "people", leaver[1])]
    assert client.get("/registry/people/99999/data").status_code == 404


def test_anonymising_needs_the_family_name_typed(app, client, create_user, leaver, monkeypatch):
    coordinator = create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    url = f"/registry/people/{leaver[1]}/anonymise"
    person_page = client.get(f"/registry/people/{leaver[1]}").get_data(as_text=True)
    assert url in person_page
    page = client.get(url).get_data(as_text=True)
    assert "cannot be undone" in page
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    token = csrf_token_from(page)
    assert client.post(url, data={"family_name": "Quillfeatherova"}).status_code == 400
    wrong = client.post(url, data={"csrf_token": token, "family_name": "Diallo"})
    assert wrong.status_code == 200 and "nothing has been changed" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Person, leaver[1]).family_name == "Quillfeatherova"
    done = client.post(url, data={"csrf_token": token, "family_name": " quillfeatherova "})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/registry/people/{leaver[1]}")
    with app.app_context():
        person = db.session.get(Person, leaver[1])
        assert person.full_name == f"Anonymised person {leaver[1]}"
        assert not db.session.get(User, leaver[0]).is_active
    assert events(app, "person.anonymise") == [(coordinator, "people", leaver[1])]
    page = client.get(f"/registry/people/{leaver[1]}", follow_redirects=True).get_data(
        as_text=True)
    assert "Anonymised on" in page and url not in page
    again = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "already been anonymised" in again


def test_a_person_still_appointed_is_refused_with_a_clear_message(app, client, reference,
                                                                  create_user):
    create_user("coord@example.org", roles=["coordinator"], locale="es")
    fp = create_user("fp@undp.org")
    with app.app_context():
        appoint_undp_alternate(db.session.get(User, fp))
        db.session.commit()
        person_id = db.session.get(User, fp).person_id
    login(client, "coord@example.org")
    response = client.get(f"/registry/people/{person_id}/anonymise", follow_redirects=True)
    assert "todavía" in response.get_data(as_text=True)
    response = client.post(f"/registry/people/{person_id}/anonymise",
                           data={"family_name": "Person"}, follow_redirects=True)
    with app.app_context():
        assert db.session.get(Person, person_id).anonymised_at is None
        assert db.session.scalars(select(Appointment.status)).all() == ["active"]


def test_a_person_whose_last_day_is_to_come_is_not_offered_for_anonymising(app, client,
                                                                            reference,
                                                                            create_user):
    """The Office records that an alternate leaves in thirty days: their term is ended at
    once, yet they serve until that day. Their page offers no "Anonymise", which would only
    lead to a refusal; the refusal itself says until when they serve."""
    create_user("coord@example.org", roles=["coordinator"])
    fp = create_user("leaving@undp.org")
    last_day = date.today() + timedelta(days=30)
    with app.app_context():
        user = db.session.get(User, fp)
        term = appoint_undp_alternate(user)
        term.start_date = date.today() - timedelta(days=100)
        registry.end_appointment(term, reason=EndReason.left_entity, ended_on=last_day,
                                 actor=None)
        db.session.commit()
        person_id = user.person_id
    login(client, "coord@example.org")
    url = f"/registry/people/{person_id}/anonymise"
    page = client.get(f"/registry/people/{person_id}").get_data(as_text=True)
    assert url not in page
    refused = client.get(url, follow_redirects=True).get_data(as_text=True)
    with app.test_request_context():
        day = format_date(last_day, "long")
    assert f"still in office until {day}" in refused
    assert "End their appointments" not in refused


def test_a_page_shown_before_the_anonymisation_does_not_write_the_data_back(app, leaver,
                                                                           create_user):
    """Coordinator A opens the record of a person who left, to correct her phone; coordinator
    B, answering her erasure request, anonymises her. A's save, from the page shown before,
    is refused, on the page with what A typed; neither the record nor a new event of its
    history holds her name, address or phone again."""
    create_user("coord.a@example.org", roles=["coordinator"])
    b = create_user("coord.b@example.org", roles=["coordinator"])
    office = signed_in(app, "coord.a@example.org")
    url = f"/registry/people/{leaver[1]}/edit"
    shown = filled_form(office.get(url).get_data(as_text=True), "phone")
    with app.app_context():  # meanwhile B anonymises her
        anonymise_person(db.session.get(Person, leaver[1]), actor=db.session.get(User, b))
        db.session.commit()
    shown["phone"] = "+221 33 800 0001"
    answer = office.post(url, data=shown)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "has been anonymised" in page
    assert 'value="+221 33 800 0001"' in page  # what A typed is kept
    with app.app_context():
        person = db.session.get(Person, leaver[1])
        assert (person.full_name, person.email, person.phone) == (
            f"Anonymised person {leaver[1]}", f"person-{leaver[1]}@anonymised.invalid", None)
    assert events(app, "person.update") == []


def test_an_anonymised_person_is_offered_for_no_change(app, client, create_user, leaver):
    """Their page offers neither "Edit" nor "New appointment"; the address of either page,
    typed or kept, leads back to their page, which says why."""
    coordinator = create_user("coord@example.org", roles=["coordinator"], locale="fr")
    with app.app_context():
        anonymise_person(db.session.get(Person, leaver[1]),
                         actor=db.session.get(User, coordinator))
        db.session.commit()
    login(client, "coord@example.org")
    person_url = f"/registry/people/{leaver[1]}"
    pages = (f"{person_url}/edit", f"{person_url}/appointments/new")
    page = client.get(person_url).get_data(as_text=True)
    assert f"{person_url}/data" in page  # the summary of their data is still produced
    assert not [url for url in pages if url in page]
    for url in pages:
        answer = client.get(url)
        assert answer.status_code == 302 and answer.headers["Location"].endswith(person_url)
        assert "a été anonymisée" in client.get(person_url).get_data(as_text=True)


def test_a_person_named_by_an_open_nomination_is_not_offered_for_anonymising(
        app, client, create_user, leaver):
    """A Resident Coordinator nominates the leaver again: her page offers no "Anonymise",
    and the refusal names the nomination the Office has to decide on first."""
    create_user("coord@example.org", roles=["coordinator"])
    rc = create_user("rc.kenya@example.org", roles=["resident_coordinator"], uncts=["KEN"])
    with app.app_context():
        kenya = unct("KEN")
        kenya.members = [entity("UNDP")]
        nomination = nominations.submit_nomination({
            "role": "alternate", "entity": entity("UNDP"), "unct": kenya,
            "given_name": "Zéphyrine", "family_name": "Quillfeatherova",
            "email": "zq@undp.org", "justification": "She is back in Nairobi."},
            letter=pdf_upload(), actor=db.session.get(User, rc))
        db.session.commit()
        day = format_date(nomination.submitted_at, "long")
    login(client, "coord@example.org")
    url = f"/registry/people/{leaver[1]}/anonymise"
    assert url not in client.get(f"/registry/people/{leaver[1]}").get_data(as_text=True)
    refused = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert f"A nomination of this person, submitted on {day}, is still open" in refused
    client.post(url, data={"family_name": "Quillfeatherova",
                           "csrf_token": csrf_token_from(refused)})
    with app.app_context():
        assert db.session.get(Person, leaver[1]).anonymised_at is None


def test_a_head_request_produces_no_summary_and_audits_nothing(app, client, create_user, leaver):
    """A link checker or a browser's prefetch asks with HEAD: nobody read the data, so no
    event says it was produced (as a HEAD on a resource counts no download)."""
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    assert client.head(f"/registry/people/{leaver[1]}/data").status_code == 200
    assert events(app, "person.data_summary") == []
    client.post("/logout")
    login(client, "zq@undp.org")
    assert client.head("/me/data").status_code == 200
    assert events(app, "user.data_summary") == []
    client.get("/me/data")
    assert events(app, "user.data_summary") == [(leaver[0], "users", leaver[0])]
