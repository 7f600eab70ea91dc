"""Nomination fixtures: the Kenya and Uganda UNCTs, their Resident Coordinators, a coordinator,
and a callable that makes nomination data."""
import io

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from gfp_portal.accounts.models import User
from gfp_portal.extensions import db
from gfp_portal.nominations import services
from gfp_portal.reference.models import Entity, Unct

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def entity(acronym):
    return db.session.scalars(select(Entity).filter_by(acronym=acronym)).one()


def unct(iso3):
    return db.session.scalars(select(Unct).filter_by(iso3=iso3)).one()


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


def pdf_upload(name="letter.pdf", data=PDF):
    return FileStorage(stream=io.BytesIO(data), filename=name)


@pytest.fixture
def kenya_nomination(app, reference, create_user):
    """Kenya and Uganda teams; their RCs; a coordinator; one Kenya nomination with a letter."""
    coordinator = create_user("coord@example.org", roles=["coordinator"])
    rc_kenya = create_user("rc.kenya@example.org", roles=["resident_coordinator"],
                           uncts=["KEN"])
    create_user("rc.uganda@example.org", roles=["resident_coordinator"], uncts=["UGA"])
    with app.app_context():
        entities = {e.acronym: e for e in db.session.scalars(
            select(Entity).where(Entity.acronym.in_(["UNDP", "UNICEF", "WFP"])))}
        for iso3 in ("KEN", "UGA"):
            db.session.scalars(select(Unct).filter_by(iso3=iso3)).one().members = \
                list(entities.values())
        nomination = services.submit_nomination({
            "role": "alternate", "entity": entities["WFP"],
            "unct": db.session.scalars(select(Unct).filter_by(iso3="KEN")).one(),
            "given_name": "Njeri", "family_name": "Mwangi", "email": "njeri.mwangi@wfp.org",
            "justification": "Programme officer with gender expertise."},
            letter=pdf_upload(), actor=db.session.get(User, rc_kenya))
        db.session.commit()
        return {"id": nomination.id, "coordinator": coordinator}
