"""Registry fixtures: a coordinator, two entities that sit in the Kenya UNCT, people."""
import pytest
from sqlalchemy import select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.registry import services


@pytest.fixture
def coordinator(ctx, reference, create_user):
    return db.session.get(User, create_user("coord@example.org", roles=["coordinator"]))


@pytest.fixture
def kenya(coordinator):
    unct = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    unct.members = [entity("UNDP"), entity("UNICEF")]
    db.session.flush()
    return unct


def entity(acronym):
    return db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()


@pytest.fixture
def make_person(coordinator):
    counter = iter(range(1, 10_000))

    def _make(given="Amina", family="Diallo", **extra):
        n = next(counter)
        data = {"given_name": given, "family_name": family,
                "email": extra.pop("email", f"person{n}@undp.org"),
                "grade": "P-4", "entity": entity("UNDP"), **extra}
        return services.create_person(data, actor=coordinator)
    return _make
