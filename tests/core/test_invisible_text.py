"""Text that shows nothing (zero-width spaces, direction marks: what str.strip() keeps) is
missing text wherever text is required: in every form's required field (core.forms
DataRequired) and in every rule's required text (core.errors.required_text). DESIGN §7: bad
input gets a clear message and changes nothing."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.core.audit import AuditEvent
from gfp_portal.core.errors import required_text
from gfp_portal.extensions import db
from gfp_portal.nominations.models import Nomination
from gfp_portal.programme import guests
from gfp_portal.programme.models import Guest, GuestRegistration
from gfp_portal.registry.models import Person
from gfp_portal.resources import services as resources
from gfp_portal.resources.models import ResourceCategory
from gfp_portal.sessions import services as sessions
from gfp_portal.sessions import topics
from gfp_portal.sessions.models import Topic, TrainingSession
from tests.helpers import login, refused
from tests.markup import filled_form

# Zero-width space, word joiner, right-to-left mark, zero-width no-break space.
INVISIBLE = "\u200b\u2060\u200f\ufeff"


def _events(app, action):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == action))


def test_a_rejection_whose_reason_shows_nothing_is_refused(app, client, kenya_nomination):
    """The nominator would be told a reason that shows nothing."""
    assert login(client, "coord@example.org").status_code == 302
    response = client.post(f"/nominations/{kenya_nomination['id']}/reject",
                           data={"text": INVISIBLE})
    assert response.status_code < 500
    with app.app_context():
        nomination = db.session.get(Nomination, kenya_nomination["id"])
        assert nomination.state.value == "submitted"
        assert nomination.decision_note is None
    assert _events(app, "nomination.reject") == 0


def test_a_topic_whose_name_shows_nothing_is_refused(app, client, reference, login_as):
    """The form comes back with the field's error; no topic is added."""
    login_as("coordinator")
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Topic))
    response = client.post("/sessions/topics/", data={"key": "blank_topic",
                                                      "name_en": INVISIBLE, "position": "1"})
    assert response.status_code in (200, 400)
    assert "Enter the name in English." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Topic)) == before


def test_a_resource_category_whose_name_shows_nothing_is_refused(app, client, reference,
                                                                 login_as):
    """No category is added."""
    login_as("coordinator")
    client.get("/resources/categories")  # the default categories
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(ResourceCategory))
    response = client.post("/resources/categories", data={"name": INVISIBLE})
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ResourceCategory)) == before


def test_a_session_whose_english_title_shows_nothing_is_refused(app, client, reference,
                                                                login_as):
    """The session would be listed with no title."""
    coordinator_id = login_as("coordinator")
    with app.app_context():
        start = datetime.now(UTC) + timedelta(days=10)
        session = sessions.create_session({
            "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": start.replace(second=0, microsecond=0),
            "ends_at": start.replace(second=0, microsecond=0) + timedelta(hours=1),
            "time_zone": "UTC", "join_url": "https://meet.example.org/x", "capacity": 5},
            actor=db.session.get(User, coordinator_id))
        db.session.commit()
        session_id = session.id
    data = filled_form(client.get(f"/sessions/{session_id}/edit").get_data(as_text=True),
                       "title_en")
    data.setlist("title_en", [INVISIBLE])
    response = client.post(f"/sessions/{session_id}/edit", data=data)
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.get(TrainingSession, session_id).title_en == "Parity dashboard"


def test_an_invited_account_whose_name_shows_nothing_is_refused(app, client, reference,
                                                                login_as):
    """The registry would get a person with no visible name."""
    login_as("admin")
    data = filled_form(client.get("/admin/users/new").get_data(as_text=True), "given_name")
    data.setlist("email", ["blank.name@undp.org"])
    data.setlist("given_name", [INVISIBLE])
    data.setlist("family_name", ["Diallo"])
    data.setlist("roles", ["focal_point"])
    response = client.post("/admin/users/new", data=data)
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalars(select(User).filter_by(
            email="blank.name@undp.org")).first() is None
        assert db.session.scalars(select(Person).filter_by(
            email="blank.name@undp.org")).first() is None


def test_a_guest_whose_name_shows_nothing_is_refused(app, client, reference, create_user):
    """The Office's guest list would show a place held by nobody."""
    coordinator_id = create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        start = (datetime.now(UTC) + timedelta(days=10)).replace(second=0, microsecond=0)
        session = sessions.create_session({
            "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
            "join_url": "https://meet.example.org/x", "capacity": 5},
            actor=db.session.get(User, coordinator_id))
        sessions.publish_session(session, actor=db.session.get(User, coordinator_id))
        invitation = guests.create_invitation(session, 5,
                                              actor=db.session.get(User, coordinator_id))
        db.session.commit()
        token = invitation.token
    response = client.post(f"/guests/invitation/{token}", data={
        "name": INVISIBLE, "email": "guest@example.org", "organisation": "NGO",
        "sector": "civil_society", "preferred_language": "en"})
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Guest)) == 0
        assert db.session.scalar(select(func.count()).select_from(GuestRegistration)) == 0


def test_the_required_checks_take_text_that_shows_nothing_for_missing():
    refused("reason_required", required_text, f" {INVISIBLE} ", "reason_required", "Why?")
    assert required_text(" Why \u200f", "reason_required", "Why?") == "Why \u200f"


def test_the_rules_themselves_refuse_names_that_show_nothing(ctx, reference, coordinator):
    """Not only the forms: a topic, a category, an invited account's person."""
    refused("name_required", topics.create_topic, {"key": "blank", "name_en": INVISIBLE},
            actor=coordinator)
    refused("name_required", resources.create_category, INVISIBLE, actor=coordinator)
    refused("name_required", accounts.invite_user, {
        "email": "blank@undp.org", "given_name": INVISIBLE, "family_name": "Diallo",
        "roles": ["focal_point"]}, actor=coordinator)
