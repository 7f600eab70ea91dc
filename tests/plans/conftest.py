"""Fixtures of the implementation plan tests: a period, a plan of UNDP and its responsible focal
point (an account of UNDP), in the service tests' application context."""
from datetime import UTC, date, datetime

import pytest

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import set_roles
from gfp_portal.extensions import db
from gfp_portal.plans import services
from gfp_portal.registry.models import Person
from tests.helpers import entity

DEADLINE = date(2024, 3, 31)
NOW = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


@pytest.fixture
def period(coordinator):
    return services.create_period({"name": "2022–2024", "first_year": 2022, "last_year": 2024,
                                   "deadline": DEADLINE}, actor=coordinator, now=NOW)


@pytest.fixture
def make_fp(ctx, reference):
    """A focal point's account whose person is of `acronym`, in the test's own transaction
    (the tests write before they need it)."""
    def _make(email, acronym="UNDP", locale="en"):
        person = Person(given_name="Test", family_name="Person", email=email,
                        preferred_language=locale, entity=entity(acronym))
        user = User(email=email, person=person, is_active=True, locale=locale)
        db.session.add(user)
        set_roles(user, ["focal_point"], [])
        db.session.flush()
        return user
    return _make


@pytest.fixture
def responsible(make_fp):
    return make_fp("fp.undp@example.org")


@pytest.fixture
def plan(coordinator, period, responsible):
    return services.create_plan(entity("UNDP"), period, responsible=[responsible.person],
                                actor=coordinator, now=NOW)
