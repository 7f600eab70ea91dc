"""Two coordinators edit one record at once: a save that would undo what the other saved
since the page was shown is refused, says who changed what, and keeps the entries."""
import ast
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import gfp_portal
from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import Role, User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.reference import services as reference
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.resources import services as resources
from gfp_portal.resources.models import Resource
from gfp_portal.sessions import services
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import appoint_undp_alternate, login
from tests.markup import filled_form

START = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=30)


@pytest.fixture
def office(app, reference, create_user):
    """Two coordinators; a focal point registered for a published session."""
    ids = {"first": create_user("first@example.org", roles=["coordinator"]),
           "second": create_user("second@example.org", roles=["coordinator"]),
           "fp": create_user("fp@example.org", roles=["focal_point"])}
    with app.app_context():
        first = db.session.get(User, ids["first"])
        appoint_undp_alternate(db.session.get(User, ids["fp"]), actor=first)
        session = services.create_session({
            "title_en": "Bystander intervention", "topic": "bystander_intervention",
            "format": "virtual", "starts_at": START, "ends_at": START + timedelta(hours=1),
            "time_zone": "UTC", "join_url": "https://meet.example.org/room",
            "languages": "en", "capacity": 10, "audience": "both"}, actor=first)
        ids["session"] = session.id
        db.session.commit()
    return ids


def _as(app, key, ids):
    """The account `key` of `ids`, in the caller's application context."""
    return db.session.get(User, ids[key])


def _updates():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.subject.like("Updated%")))


def test_a_save_that_would_undo_a_change_made_since_the_page_was_shown_is_refused(
        app, client, office):
    with app.app_context():
        session = db.session.get(TrainingSession, office["session"])
        services.publish_session(session, actor=_as(app, "first", office))
        db.session.commit()
    login(client, "first@example.org")
    url = f"/sessions/{office['session']}/edit"
    shown = filled_form(client.get(url).get_data(as_text=True), "title_en")
    later = START + timedelta(hours=3)
    with app.app_context():  # meanwhile the other coordinator moves the session
        session = db.session.get(TrainingSession, office["session"])
        services.update_session(session, {"starts_at": later,
                                          "ends_at": later + timedelta(hours=1)},
                                actor=_as(app, "second", office))
        db.session.commit()
        sent = _updates()
    shown["title_en"] = "Bystander intervention: a new title"
    response = client.post(url, data=shown)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # The address and the value are set apart from the sentence: they keep their own direction.
    assert "While this page was open, \u2068second@example.org\u2069 changed Starts (now: \u2068" \
        in html
    assert "Nothing was saved" in html
    assert 'value="Bystander intervention: a new title"' in html  # the entries are kept
    with app.app_context():
        session = db.session.get(TrainingSession, office["session"])
        assert session.title_en == "Bystander intervention"
        assert session.starts_at == later
        assert _updates() == sent  # nobody got an invitation for the old time again

    # Sent again once checked, the entries are saved: the coordinator has seen the change.
    again = filled_form(html, "title_en")
    assert client.post(url, data=again).status_code == 302
    with app.app_context():
        session = db.session.get(TrainingSession, office["session"])
        assert session.title_en == "Bystander intervention: a new title"
        assert session.starts_at == START


def test_a_change_since_that_the_save_leaves_as_it_is_does_not_stop_it(app, client, office):
    login(client, "first@example.org")
    url = f"/sessions/{office['session']}/edit"
    shown = filled_form(client.get(url).get_data(as_text=True), "title_en")
    with app.app_context():  # meanwhile the other coordinator publishes the draft
        services.publish_session(db.session.get(TrainingSession, office["session"]),
                                 actor=_as(app, "second", office))
        db.session.commit()
    shown["capacity"] = "12"
    assert client.post(url, data=shown).status_code == 302
    with app.app_context():
        assert db.session.get(TrainingSession, office["session"]).capacity == 12


def test_every_edit_form_keeps_the_state_its_page_showed(app, client, office, create_user):
    """The same guard on another domain's form (an entity), for a coordinator who reads
    French, with the other coordinator's value quoted."""
    create_user("tiers@example.org", roles=["coordinator"], locale="fr")
    with app.app_context():
        entity_id = db.session.scalars(select(Entity.id).filter_by(acronym="UNDP")).one()
    login(client, "tiers@example.org")
    url = f"/reference/entities/{entity_id}"
    shown = filled_form(client.get(url).get_data(as_text=True), "acronym")
    with app.app_context():
        undp = db.session.get(Entity, entity_id)
        reference.update_entity(undp, {"acronym": "UNDP", "type": undp.type.value,
                                       "name": "United Nations Development Programme (new)"},
                                actor=_as(app, "second", office))
        db.session.commit()
    shown["is_verified"] = "y"
    html = client.post(url, data=shown).get_data(as_text=True)
    assert "les champs suivants ont été modifiés par \u2068second@example.org\u2069" in html
    assert "\u2068United Nations Development Programme (new)\u2069" in html
    with app.app_context():
        entity = db.session.get(Entity, entity_id)
        assert entity.name == "United Nations Development Programme (new)"
        assert not entity.is_verified


def _calls(name):
    """(file, line, keyword names) of every call of `name` in the portal's code."""
    for path in sorted(Path(gfp_portal.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == name:
                yield path.name, node.lineno, {k.arg for k in node.keywords}


def test_every_edit_form_names_the_record_it_edits():
    """A save_form whose call reports its changes (`saved`) is an edit: it names its record,
    so that it cannot undo a change made since its page was shown."""
    edits = [(path, line, keywords) for name in ("save_form", "_plan_form")
             for path, line, keywords in _calls(name) if "saved" in keywords]
    assert len(edits) >= 12
    assert [(path, line) for path, line, keywords in edits if "record" not in keywords] == []


def test_a_language_version_edited_since_is_not_undone(app, client, office, create_resource):
    """A version's changes are the record's events of its language ("fr.title")."""
    resource_id = create_resource(versions={"en": "Guide", "fr": "Guide (fr)"})
    login(client, "first@example.org")
    url = "/resources/guide/versions/fr"
    shown = filled_form(client.get(url).get_data(as_text=True), "title")
    with app.app_context():
        resource = db.session.get(Resource, resource_id)
        resources.update_version(resource.version("fr"), {
            "language": "fr", "title": "Guide pratique", "summary": "À propos du guide"},
            actor=_as(app, "second", office))
        db.session.commit()
    shown["summary"] = "Le guide, en bref"
    html = client.post(url, data=shown).get_data(as_text=True)
    assert "changed Title (français) (now: \u2068Guide pratique\u2069) and Summary (français)" \
        in html
    with app.app_context():
        version = db.session.get(Resource, resource_id).version("fr")
        assert (version.title, version.summary) == ("Guide pratique", "À propos du guide")


def test_a_profile_saved_by_its_owner_does_not_undo_the_offices_change(app, client, office):
    """The person's own page: the Office corrected the phone meanwhile."""
    login(client, "fp@example.org")
    shown = filled_form(client.get("/me").get_data(as_text=True), "profile-phone")
    with app.app_context():
        person = _as(app, "fp", office).person
        registry.update_person(person, {"phone": "+41 22 917 00 00"},
                               actor=_as(app, "second", office))
        db.session.commit()
    shown["profile-position_title"] = "Gender focal point"
    shown["profile-submit"] = "y"  # the page's other forms are sent by their own buttons
    html = client.post("/me", data=shown).get_data(as_text=True)
    assert "changed Phone (now: \u2068+41 22 917 00 00\u2069)" in html
    with app.app_context():
        person = _as(app, "fp", office).person
        assert (person.phone, person.position_title) == ("+41 22 917 00 00", None)


def test_a_record_shown_before_its_person_chose_their_language_does_not_undo_it(
        app, client, office):
    """The Office adds a phone number from a person's record shown before the person chose
    another language and time zone on /me: their choice is not put back without a word
    (their pages and emails would be in the former language again)."""
    with app.app_context():
        url = f"/registry/people/{_as(app, 'fp', office).person_id}/edit"
    login(client, "second@example.org")
    shown = filled_form(client.get(url).get_data(as_text=True), "phone")
    with app.app_context():  # meanwhile, on /me, the person chooses French and Nairobi
        accounts.update_preferences(_as(app, "fp", office), locale="fr",
                                    time_zone="Africa/Nairobi")
        db.session.commit()
    shown["phone"] = "+254 20 762 1234"
    html = client.post(url, data=shown).get_data(as_text=True)
    assert "While this page was open, \u2068fp@example.org\u2069 changed Preferred language " \
        "(now: \u2068français\u2069) and Time zone (now: \u2068" in html
    with app.app_context():
        user = _as(app, "fp", office)
        assert (user.person.preferred_language, user.person.time_zone, user.person.phone) \
            == ("fr", "Africa/Nairobi", None)
        assert (user.locale, user.time_zone) == ("fr", "Africa/Nairobi")


def test_preferences_saved_by_their_owner_do_not_undo_the_offices_change(app, client, office):
    """The reverse: the Office entered the language the person asked for, on their record,
    while the person's own page was open."""
    login(client, "fp@example.org")
    shown = filled_form(client.get("/me").get_data(as_text=True), "prefs-time_zone")
    with app.app_context():
        registry.update_person(_as(app, "fp", office).person, {"preferred_language": "es"},
                               actor=_as(app, "second", office))
        db.session.commit()
    shown["prefs-time_zone"] = "Europe/Madrid"
    shown["prefs-submit"] = "y"
    response = client.post("/me", data=shown)
    assert response.status_code == 200
    html = response.get_data(as_text=True)  # in Spanish now: the page follows the person
    assert "\u2068second@example.org\u2069" in html and "\u2068español\u2069" in html
    with app.app_context():
        user = _as(app, "fp", office)
        assert (user.locale, user.time_zone, user.person.preferred_language) == \
            ("es", "UTC", "es")


def test_a_roles_page_shown_before_a_role_was_taken_away_does_not_give_it_back(
        app, client, create_user):
    """An administrator adds a role to an account from a page shown before another took
    one of its roles away (its holder left the Office): the role taken away does not come
    back without a word."""
    create_user("second-admin@example.org", roles=["admin"])
    first = create_user("first-admin@example.org", roles=["admin"])
    leaver = create_user("leaver@example.org", roles=["coordinator"])
    login(client, "second-admin@example.org")
    url = f"/admin/users/{leaver}"
    shown = filled_form(client.get(url).get_data(as_text=True), "roles")
    with app.app_context():  # meanwhile the other administrator takes the role away
        accounts.update_roles(db.session.get(User, leaver), roles=["focal_point"], uncts=[],
                              actor=db.session.get(User, first))
        db.session.commit()
    shown.add("roles", "admin")
    html = client.post(url, data=shown).get_data(as_text=True)
    assert "While this page was open, \u2068first-admin@example.org\u2069 changed Roles " \
        "(now: \u2068Focal point\u2069)" in html
    with app.app_context():
        assert db.session.get(User, leaver).roles == {Role.focal_point}

    # Sent again once checked, the entries kept on the page are saved.
    again = filled_form(html, "roles")
    assert sorted(again.getlist("roles")) == ["admin", "coordinator"]
    assert client.post(url, data=again).status_code == 302
    with app.app_context():
        assert db.session.get(User, leaver).roles == {Role.admin, Role.coordinator}


def test_two_saves_sent_at_the_same_moment_never_undo_each_other(app, client, office,
                                                                 monkeypatch):
    """The check and the save of one edit are not cut by another's: of two coordinators who
    change the same field at the same moment, the second is refused once the first is
    committed, as if it had come a second later (nothing waits for long: only saves of the
    same record, each a few milliseconds)."""
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        url = f"/reference/entities/{undp.id}"
    other = app.test_client()
    login(client, "first@example.org")
    login(other, "second@example.org")
    forms = {"first": filled_form(client.get(url).get_data(as_text=True), "name"),
             "second": filled_form(other.get(url).get_data(as_text=True), "name")}
    forms["first"]["name"] = "United Nations Development Programme (first)"
    forms["second"]["name"] = "United Nations Development Programme (second)"

    first_saved, go_on = threading.Event(), threading.Event()
    update_entity = reference.update_entity

    def held_open(*args, **kwargs):  # the first save stops before its commit, changes flushed
        changes = update_entity(*args, **kwargs)
        if threading.current_thread().name == "first":
            db.session.flush()
            first_saved.set()
            go_on.wait(10)
        return changes

    monkeypatch.setattr(reference, "update_entity", held_open)
    answers = {}

    def send(name, sender):
        answers[name] = sender.post(url, data=forms[name])

    first = threading.Thread(target=send, args=("first", client), name="first")
    second = threading.Thread(target=send, args=("second", other), name="second")
    first.start()
    assert first_saved.wait(10)
    second.start()
    second.join(0.5)  # the second save waits for the first to be committed
    go_on.set()
    first.join(10)
    second.join(10)

    assert answers["first"].status_code == 302
    assert answers["second"].status_code == 200
    assert "While this page was open, \u2068first@example.org\u2069 changed" in \
        answers["second"].get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Entity, undp.id).name == \
            "United Nations Development Programme (first)"
