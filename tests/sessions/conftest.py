"""Session fixtures: a coordinator, focal points with appointments, a session factory."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity
from gfp_portal.registry import services as registry
from gfp_portal.sessions import services

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def coordinator(ctx, reference, create_user):
    return db.session.get(User, create_user("coord@example.org", roles=["coordinator"]))


@pytest.fixture
def make_person(coordinator):
    """A person with an active headquarters appointment: an alternate of UNDP (there may be
    many), or the focal point of an entity not used yet."""
    counter = iter(range(1, 100_000))
    entities = iter(db.session.scalars(select(Entity).order_by(Entity.id)).all())
    undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()

    def _make(role="alternate", language="en", zone="UTC", given="Amina"):
        n = next(counter)
        entity = undp if role == "alternate" else next(entities)
        person = registry.create_person({
            "given_name": given, "family_name": f"Person{n}", "email": f"p{n}@undp.org",
            "preferred_language": language, "time_zone": zone, "entity": entity},
            actor=coordinator)
        registry.appoint(person, {"role": role, "entity": entity, "unct": None},
                         actor=coordinator)
        return person
    return _make


@pytest.fixture
def make_session(coordinator):
    def _make(capacity=10, publish=True, starts_in=timedelta(days=10), hours=2, **data):
        starts = NOW + starts_in
        values = {"title_en": "Enabling environment: the guidelines in practice",
                  "title_fr": "Environnement favorable : les directives en pratique",
                  "topic": "enabling_environment", "format": "virtual",
                  "starts_at": starts, "ends_at": starts + timedelta(hours=hours),
                  "time_zone": "Europe/Zurich", "join_url": "https://meet.example.org/gfp",
                  "languages": "en fr", "capacity": capacity, "audience": "both"}
        values.update(data)
        session = services.create_session(values, actor=coordinator, now=NOW)
        if publish:
            services.publish_session(session, actor=coordinator, now=NOW)
        db.session.flush()
        return session
    return _make


def outbox(template="session_notice"):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == template)
                              .order_by(OutboxMessage.id)).all()

