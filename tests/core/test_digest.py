"""A digest of rows (the calendar feed's validator) changes with any value of any row, including
a value moved from one column to the next, and is read in one statement, alone or with the rows
it digests."""
from sqlalchemy import select

from gfp_portal.core.db import Digested
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity


def _digest(acronyms):
    stmt = select(Entity.acronym, Entity.name).where(Entity.acronym.in_(acronyms))
    return Digested(stmt, Entity.acronym).digest()


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
        assert Digested(select(Entity.acronym, Entity.name).where(Entity.id == undp.id),
                        Entity.id).digest() != together


def test_rows_and_their_digest_are_read_together_and_agree_with_the_digest_alone(
        app, reference, count_queries):
    for chosen, found in ((("UNDP", "UNICEF", "UN-Women"), 3), (("no such entity",), 0)):
        stmt = select(Entity.acronym, Entity.name).where(Entity.acronym.in_(chosen))
        with app.app_context():
            alone = Digested(stmt, Entity.acronym).digest()
            plain = [tuple(row) for row in db.session.execute(stmt.order_by(Entity.acronym))]
            with count_queries() as counted:
                rows, digest = Digested(stmt, Entity.acronym).rows_and_digest()
        assert counted.count == 1
        assert (rows, digest) == (plain, alone)
        assert len(rows) == found
