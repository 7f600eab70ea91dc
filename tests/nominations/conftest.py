"""Nomination fixtures: the Kenya and Uganda UNCTs, their Resident Coordinators, a coordinator,
and a callable that makes nomination data."""
import pytest

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from tests.helpers import entity, unct


@pytest.fixture
def teams(ctx, reference):
    kenya, uganda = unct("KEN"), unct("UGA")
    kenya.members = [entity("UNDP"), entity("UNICEF"), entity("WFP")]
    uganda.members = [entity("UNDP"), entity("UNHCR")]
    db.session.commit()
    return kenya, uganda


@pytest.fixture
def users(teams, create_user):
    ids = {
        "coordinator": create_user("coord@example.org", roles=["coordinator"], locale="fr"),
        "rc_kenya": create_user("rc.kenya@example.org", roles=["resident_coordinator"],
                                uncts=["KEN"], locale="en"),
        "rc_uganda": create_user("rc.uganda@example.org", roles=["resident_coordinator"],
                                 uncts=["UGA"], locale="es"),
    }
    return {name: db.session.get(User, user_id) for name, user_id in ids.items()}


@pytest.fixture
def nomination_data(teams):
    counter = iter(range(1, 10_000))

    def _data(**overrides):
        n = next(counter)
        data = {"role": "focal_point", "entity": entity("UNICEF"), "unct": teams[0],
                "given_name": "Wanjiru", "family_name": f"Kamau{n}",
                "email": f"w.kamau{n}@unicef.org", "position_title": "Chief of Education",
                "grade": "P-5", "preferred_language": "en", "time_share": 20,
                "tor_acknowledged": True, "start_date": None,
                "justification": "Senior, respected and willing.", "replaces": None}
        data.update(overrides)
        return data
    return _data
