"""Demo data: the documented accounts exist, can sign in, and a second seed adds nothing."""
import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, Unct
from tests.conftest import login


@pytest.fixture
def seeded(runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    return result.output


def test_seed_is_idempotent_and_prints_the_accounts(seeded, runner, app):
    assert "admin@demo.gfp" in seeded and "demo-password" in seeded
    with app.app_context():
        before = [db.session.scalar(select(func.count()).select_from(m))
                  for m in (User, Entity, Unct)]
    second = runner.invoke(args=["demo", "seed"])
    assert "0 new accounts" in second.output
    with app.app_context():
        after = [db.session.scalar(select(func.count()).select_from(m))
                 for m in (User, Entity, Unct)]
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        assert len(kenya.members) >= 15
    assert before == after == [4, 127, 132]


@pytest.mark.parametrize("email", ["admin@demo.gfp", "coordinator@demo.gfp",
                                   "rc.kenya@demo.gfp", "fp@demo.gfp"])
def test_each_demo_account_can_sign_in(seeded, client, email):
    assert login(client, email, "demo-password").status_code == 302
    assert client.get("/").status_code == 200
