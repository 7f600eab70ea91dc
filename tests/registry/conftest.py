"""Registry fixtures: two entities that sit in the Kenya UNCT."""
import pytest
from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.reference.models import Unct
from tests.helpers import entity


@pytest.fixture
def kenya(coordinator):
    unct = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
    unct.members = [entity("UNDP"), entity("UNICEF")]
    db.session.flush()
    return unct
