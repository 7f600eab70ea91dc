"""A person downloads everything the portal holds about them: their own data only, no secret,
and the export is audited."""
import json

from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.extensions import db
from gfp_portal.nominations import services as nominations
from gfp_portal.sessions import registration
from tests.helpers import appoint_undp_alternate, csrf_token_from, entity, login


def test_a_person_downloads_their_own_data(app, client, reference, create_user):
    fp_id = create_user("fp@example.org", given_name="Amina", family_name="Diallo")
    create_user("other@example.org", given_name="Other", family_name="Person")
    with app.app_context():
        fp = db.session.get(User, fp_id)
        appoint_undp_alternate(fp)
        db.session.commit()
    login(client, "fp@example.org")
    assert client.get("/me/data.json").status_code == 405  # a POST, audited
    response = client.post("/me/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    document = json.loads(text)
    assert document["account"]["email"] == "fp@example.org"
    assert document["person"]["family_name"] == "Diallo"
    assert [(a["role"], a["entity"], a["scope"]) for a in document["appointments"]] == [
        ("alternate", "UNDP", "headquarters")]
    assert "other@example.org" not in text and "Other" not in text
    for secret in ("password", "token", "hash", "session_token"):
        assert secret not in text.lower().replace("calendar_feed", ""), secret
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "user.data_export")).all()
        assert [(e.actor_id, e.object_id) for e in events] == [(fp_id, fp_id)]


def test_the_export_needs_the_form_token_and_a_signed_in_person(app, client, reference,
                                                                create_user, monkeypatch):
    assert client.post("/me/data.json").status_code == 403
    create_user("fp@example.org")
    login(client, "fp@example.org")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/me/data.json").status_code == 400
    page = client.get("/me").get_data(as_text=True)
    assert client.post("/me/data.json",
                       data={"csrf_token": csrf_token_from(page)}).status_code == 200


def test_the_export_holds_a_nomination_about_the_person_whatever_the_case_of_its_address(
        app, client, reference, create_user):
    """Addresses are one whatever their case (DESIGN §2): a nomination that wrote the
    person's address with capitals is theirs, as anonymising them would find it."""
    create_user("fp@example.org", given_name="Amina", family_name="Diallo")
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        coordinator = db.session.get(User, coordinator_id)
        nomination = nominations.submit_nomination({
            "role": "alternate", "entity": entity("UNDP"), "unct": None,
            "given_name": "Amina", "family_name": "Diallo", "email": "FP@Example.org",
            "preferred_language": "en",
            "justification": "Asked by the head of entity."}, actor=coordinator)
        nominations.reject_nomination(nomination, "Another colleague was chosen.",
                                      actor=coordinator)
        db.session.commit()
    login(client, "fp@example.org")
    document = json.loads(client.post("/me/data.json").get_data(as_text=True))
    assert [(n["kind"], n["state"], n["by_me"]) for n in document["nominations"]] == [
        ("nomination", "rejected", False)]


def test_the_summary_names_sessions_in_the_readers_language(app, client, reference,
                                                            create_user, make_session):
    """As the learning record does: the French title on the French page; the file keeps
    every title."""
    fp_id = create_user("fp@example.org", locale="fr")
    with app.app_context():
        fp = db.session.get(User, fp_id)
        appoint_undp_alternate(fp)
        session = make_session(title_en="Bystander intervention")
        session.title_fr = "Intervention des témoins"
        registration.register(session, fp.person, actor=None, notify=False)
        db.session.commit()
    login(client, "fp@example.org")
    assert "Intervention des témoins" in client.get("/me/data").get_data(as_text=True)
    document = json.loads(client.post("/me/data.json").get_data(as_text=True))
    assert document["registrations"][0]["session_titles"] == {
        "en": "Bystander intervention", "fr": "Intervention des témoins"}
