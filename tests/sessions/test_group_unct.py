"""Registering a group can target one UN Country Team; the confirmation first says how many
people match."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services as registry
from gfp_portal.sessions import services
from gfp_portal.sessions.models import Registration
from tests.helpers import login

START = datetime.now(UTC).replace(microsecond=0, second=0, minute=0) + timedelta(days=30)


def test_a_group_can_be_one_country_team(app, client, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        teams = {iso3: db.session.scalars(select(Unct).filter_by(iso3=iso3)).one()
                 for iso3 in ("KEN", "UGA")}
        for unct in teams.values():
            unct.members.append(undp)
        for n, (iso3, role) in enumerate([("KEN", "focal_point"), ("KEN", "alternate"),
                                          ("KEN", "alternate"), ("UGA", "focal_point"),
                                          (None, "focal_point")]):
            person = registry.create_person({
                "given_name": "Amina", "family_name": f"Person{n}", "email": f"p{n}@undp.org",
                "entity": undp}, actor=None)
            registry.appoint(person, {"role": role, "entity": undp,
                                      "unct": teams.get(iso3)}, actor=None)
        session = services.create_session({
            "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": START, "ends_at": START + timedelta(hours=2), "time_zone": "UTC",
            "join_url": "https://meet.example.org/parity", "capacity": 30,
            "audience": "both"}, actor=db.session.scalars(select(User)).first())
        services.publish_session(session, actor=None)
        db.session.commit()
        session_id = session.id
    login(client, "coord@example.org")
    roster = client.get(f"/sessions/{session_id}/roster").get_data(as_text=True)
    assert 'name="unct"' in roster and '<option value="KEN">' in roster
    url = f"/sessions/{session_id}/roster/group"
    html = client.post(url, data={"unct": "KEN"}).get_data(as_text=True)
    assert "3 people match; 30 seats left: 3 will be registered, 0 waitlisted." in html
    html = client.post(url, data={"unct": "HQ"}).get_data(as_text=True)
    assert "1 person matches" in html
    client.post(url, data={"unct": "KEN", "role": "alternate", "confirmed": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Registration.id))) == 2


def test_a_group_is_drawn_from_the_sessions_audience(app, client, reference, create_user):
    """A session for focal points: the group "all roles" of UNDP is its focal point, not the
    alternates the session refuses when they register themselves."""
    create_user("coord@example.org", roles=["coordinator"])
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        for n, role in enumerate(("focal_point", "alternate", "alternate")):
            person = registry.create_person({
                "given_name": "Amina", "family_name": f"Person{n}", "email": f"p{n}@undp.org",
                "entity": undp}, actor=None)
            registry.appoint(person, {"role": role, "entity": undp, "unct": None}, actor=None)
        session = services.create_session({
            "title_en": "For focal points", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": START, "ends_at": START + timedelta(hours=2), "time_zone": "UTC",
            "join_url": "https://meet.example.org/fp", "capacity": 30,
            "audience": "focal_points"}, actor=None)
        services.publish_session(session, actor=None)
        db.session.commit()
        session_id = session.id
    login(client, "coord@example.org")
    url = f"/sessions/{session_id}/roster/group"
    assert "1 person matches" in client.post(url, data={"entity": "UNDP"}).get_data(
        as_text=True)
    client.post(url, data={"entity": "UNDP", "confirmed": "1"})
    with app.app_context():
        assert [r.person.email for r in db.session.scalars(select(Registration))] == \
            ["p0@undp.org"]
