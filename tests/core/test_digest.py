"""A digest of rows (the calendar feed's validator) changes with any value of any row, including
a value moved from one column to the next or a NULL made empty, and is read in one statement."""
from sqlalchemy import select

from gfp_portal.core.db import digest_of
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity


def _digest(acronyms):
    stmt = select(Entity.acronym, Entity.name).where(Entity.acronym.in_(acronyms))
    return digest_of(stmt, Entity.acronym)


def test_a_digest_changes_with_every_value_and_only_then(app, reference, count_queries):
    chosen = ("UNDP", "UNICEF", "UN-Women")
    with app.app_context():
        with count_queries() as counted:
            first = _digest(chosen)
        assert counted.count == 1
        assert _digest(chosen) == first
        assert _digest(chosen[:2]) != first
        assert _digest(("no such entity",)) not in (first, _digest(chosen[:2]))

        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        kept = undp.name
        undp.name = kept + "."
        db.session.flush()
        assert _digest(chosen) != first
        undp.name = kept
        db.session.flush()
        assert _digest(chosen) == first


def test_a_digest_tells_apart_values_that_read_the_same_run_together(app, reference):
    with app.app_context():
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        undp.name = "N"
        db.session.flush()
        together = _digest(("UNDP",))
        undp.acronym, undp.name = "UNDPN", ""
        db.session.flush()
        assert digest_of(select(Entity.acronym, Entity.name).where(Entity.id == undp.id),
                         Entity.id) != together
