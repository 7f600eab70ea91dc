"""Run in the production app by the stack test: a coordinator, a focal point with an account
and a published session to register for. Prints the session id."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.accounts.passwords import hash_password
from gfp_portal.accounts.services import set_roles
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.resources import services as resources
from gfp_portal.resources.models import ResourceCategory
from gfp_portal.sessions import registration
from gfp_portal.sessions import services as sessions

PASSWORD = "stack-password-1"  # noqa: S105 — a throwaway account of a throwaway database
REMINDED = 3  # people registered for the session that starts within the reminder period

def main():
    from wsgi import app

    with app.app_context():
        coordinator = User(email="coordinator@stack.test", is_active=True, locale="en",
                           time_zone="UTC", password_hash=hash_password(PASSWORD))
        db.session.add(coordinator)
        set_roles(coordinator, ["coordinator"], [])
        db.session.flush()
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        person = registry.create_person({
            "given_name": "Amina", "family_name": "Stack", "email": "fp@stack.test",
            "preferred_language": "en", "time_zone": "UTC", "entity": undp}, actor=coordinator)
        registry.appoint(person, {"role": "alternate", "entity": undp, "unct": None},
                         actor=coordinator)
        focal_point = User(email="fp@stack.test", person=person, is_active=True, locale="en",
                           time_zone="UTC", password_hash=hash_password(PASSWORD))
        db.session.add(focal_point)
        set_roles(focal_point, ["focal_point"], [])
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
        session = sessions.create_session({
            "title_en": "Enabling environment: the guidelines in practice",
            "topic": "enabling_environment", "format": "virtual", "starts_at": starts,
            "ends_at": starts + timedelta(hours=2), "time_zone": "Europe/Zurich",
            "join_url": "https://meet.example.org/gfp", "languages": "en", "capacity": 10,
            "audience": "both"}, actor=coordinator)
        sessions.publish_session(session, actor=coordinator)
        # Starts within the reminder period: the schedulers' hourly reminder job has work.
        soon = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3)
        briefing = sessions.create_session({
            "title_en": "Briefing for new focal points", "topic": "enabling_environment",
            "format": "virtual", "starts_at": soon, "ends_at": soon + timedelta(hours=1),
            "time_zone": "UTC", "join_url": "https://meet.example.org/brief",
            "languages": "en", "capacity": 10, "audience": "both"}, actor=coordinator)
        sessions.publish_session(briefing, actor=coordinator)
        for n in range(REMINDED):
            attendee = registry.create_person({
                "given_name": "Attendee", "family_name": str(n),
                "email": f"attendee{n}@stack.test", "preferred_language": "en",
                "time_zone": "UTC", "entity": undp}, actor=coordinator)
            registry.appoint(attendee, {"role": "alternate", "entity": undp, "unct": None},
                             actor=coordinator)
            registration.register(briefing, attendee, actor=coordinator, notify=False)
        # A library entry without a file yet: the test uploads it on one instance.
        resources.ensure_default_categories()
        resources.create_resource({
            "slug": "stack-guide", "category": db.session.scalars(
                select(ResourceCategory)).first(), "visibility": "network",
            "is_published": False, "tags": []}, actor=coordinator)
        db.session.commit()
        print(session.id)


if __name__ == "__main__":
    main()
