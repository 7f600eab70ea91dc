"""Attendance fixtures: a finished session with registered people."""
from datetime import timedelta

import pytest

from gfp_portal.extensions import db
from gfp_portal.sessions import registration
from tests.helpers import NOW


@pytest.fixture
def held(make_session, make_appointee):
    """A 90-minute session (10:00-11:30 UTC on 15 March 2027) with Amina, Jonas, Li and Fatou
    registered, plus Zoe on the waiting list."""
    session = make_session(capacity=4, starts_in=timedelta(days=10))
    session.starts_at = NOW.replace(month=3, day=15, hour=10, minute=0)
    session.ends_at = session.starts_at + timedelta(minutes=90)
    people = {}
    for given, family in (("Amina", "Diallo"), ("Jonas", "Berg"), ("Li", "Wei"),
                          ("Fatou", "Ndiaye"), ("Zoe", "Martin")):
        person = make_appointee(given=given)
        person.family_name = family
        person.email = f"{given.lower()}.{family.lower()}@example.org"
        people[given] = person
        registration.register(session, person, actor=None, now=NOW, by_coordinator=True,
                              notify=False)
    db.session.flush()
    return session, people
