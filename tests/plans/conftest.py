"""Fixtures of the implementation plan tests: a period, a plan of UNDP and its responsible focal
point (an account of UNDP), in the service tests' application context."""
from datetime import UTC, date, datetime, timedelta

import pytest

from gfp_portal.accounts.models import User
from gfp_portal.accounts.services import set_roles
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db
from gfp_portal.plans import services
from gfp_portal.privacy.anonymise import anonymise_person
from gfp_portal.registry import services as registry
from gfp_portal.registry.models import EndReason, Person
from tests.helpers import entity

DEADLINE = date(2024, 3, 31)
NOW = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)


def appoint_alternate(person, acronym):
    """`person` an alternate of `acronym` at headquarters: a focal point of its plans. Its
    term runs from NOW past every day the tests read, the real clock's too: a term that has
    run out is held no more, though nobody has marked it ended."""
    return registry.appoint(person, {"role": "alternate", "entity": entity(acronym),
                                     "unct": None,
                                     "end_date": utcnow().date() + timedelta(days=5 * 365)},
                            actor=None, now=NOW)


def leave_and_anonymise(person, actor):
    """`person`'s appointments end (they leave the network), then they are anonymised."""
    for appointment in person.appointments:
        registry.end_appointment(appointment, reason=EndReason.left_entity, actor=actor)
    anonymise_person(person, actor=actor)


@pytest.fixture
def period(coordinator):
    return services.create_period({"name": "2022–2024", "first_year": 2022, "last_year": 2024,
                                   "deadline": DEADLINE}, actor=coordinator, now=NOW)


@pytest.fixture
def make_fp(ctx, reference):
    """A focal point's account whose person is of `acronym` and an alternate of it at
    headquarters, in the test's own transaction (the tests write before they need it)."""
    def _make(email, acronym="UNDP", locale="en"):
        person = Person(given_name="Test", family_name="Person", email=email,
                        preferred_language=locale, entity=entity(acronym))
        user = User(email=email, person=person, is_active=True, locale=locale)
        db.session.add(user)
        set_roles(user, ["focal_point"], [])
        db.session.flush()
        appoint_alternate(person, acronym)
        return user
    return _make


@pytest.fixture
def responsible(make_fp):
    return make_fp("fp.undp@example.org")


@pytest.fixture
def plan(coordinator, period, responsible):
    return services.create_plan(entity("UNDP"), period, responsible=[responsible.person],
                                actor=coordinator, now=NOW)
