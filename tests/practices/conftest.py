"""Practice fixtures: focal points of UNDP and of another entity, a practice factory."""
import pytest

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.practices import services
from gfp_portal.registry import services as registry
from tests.helpers import entity


def focal_point_of(acronym, user):
    """Appoint the person of `user` an alternate of `acronym` at headquarters."""
    registry.appoint(user.person, {"role": "alternate", "entity": entity(acronym),
                                   "unct": None}, actor=None)
    # Committed, so that the accounts other fixtures create next do not wait for this one.
    db.session.commit()
    return user


@pytest.fixture
def undp_fp(ctx, reference, create_user):
    return focal_point_of("UNDP", db.session.get(User, create_user(
        "fp.undp@example.org", given_name="Lucía", family_name="Fernández")))


@pytest.fixture
def wfp_fp(ctx, reference, create_user):
    return focal_point_of("WFP", db.session.get(User, create_user("fp.wfp@example.org")))


def practice_data(**extra):
    return {"entity": entity("UNDP"), "year": 2023, "area": "flexible_working",
            "contacts": "", "language": "en", "title": "Flexible working for every team",
            "summary": "Team agreements.", "body": "Core hours and telecommuting.",
            "results": "54 % in 2021, 78 % in 2023.", **extra}


@pytest.fixture
def make_practice():
    """A practice submitted by `actor` (UNDP's focal point unless told), in English."""
    def _make(actor, **extra):
        practice = services.submit_practice(practice_data(**extra), actor=actor)
        db.session.flush()
        return practice
    return _make
