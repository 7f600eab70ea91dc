"""The data version grows with every committed change of the records, and only then; what is
computed from the records is reused until it grows."""
from datetime import timedelta

from sqlalchemy import select, text

from gfp_portal.core import data_version
from gfp_portal.core.audit import log_action
from gfp_portal.core.data_version import DataVersion
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity, EntityType


def _number(app):
    with app.app_context():
        return db.session.scalar(select(DataVersion.number))


def _add_entity(acronym, *, commit=True):
    db.session.add(Entity(acronym=acronym, name=acronym, type=EntityType.other))
    if commit:
        db.session.commit()
    else:
        db.session.flush()


def test_a_committed_change_makes_the_number_grow_once(app):
    before = _number(app)
    with app.app_context():
        _add_entity("AAA")
        db.session.add(Entity(acronym="BBB", name="B", type=EntityType.other))
        db.session.flush()
        db.session.execute(Entity.__table__.update().values(name="Changed"))
        db.session.commit()
    assert _number(app) == before + 2


def test_a_change_rolled_back_or_of_bookkeeping_alone_does_not(app):
    before = _number(app)
    with app.app_context():
        _add_entity("AAA", commit=False)
        db.session.rollback()
        log_action("something.noted", actor=None)
        db.session.commit()
        assert db.session.scalar(select(Entity.id)) is None
    assert _number(app) == before


def test_a_change_sent_past_the_orm_counts_too(app):
    before = _number(app)
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(Entity.__table__.insert().values(acronym="AAA", name="A",
                                                            type=EntityType.other))
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("UPDATE entities SET name = 'B'"))
    with app.app_context(), db.engine.begin() as connection:  # reads only
        connection.execute(text("SELECT name FROM entities"))
    assert _number(app) == before + 2


def test_a_value_is_reused_until_a_change_is_committed_or_its_time_is_up(app):
    now, computed = utcnow(), []

    def compute(until=None):
        computed.append(1)
        return len(computed), until

    with app.test_request_context():
        assert data_version.reuse("k", compute, now=now) == 1
        assert data_version.reuse("k", compute, now=now) == 1
        _add_entity("AAA")
        assert data_version.reuse("k", compute, now=now) == 2
        # Changes of its own not yet committed: computed afresh, and not kept.
        _add_entity("BBB", commit=False)
        assert data_version.reuse("k", compute, now=now) == 3
        db.session.commit()
        assert data_version.reuse("k", lambda: compute(now + timedelta(hours=1)), now=now) == 4
        assert data_version.reuse("k", compute, now=now + timedelta(minutes=59)) == 4
        assert data_version.reuse("k", compute, now=now + timedelta(hours=1)) == 5


def test_a_page_that_reuses_several_values_reads_the_number_once(app, count_queries):
    """Each value kept is checked against the number this transaction read first; a new
    transaction reads it again."""
    now = utcnow()
    with app.app_context():
        with count_queries() as counted:
            data_version.reuse("first", lambda: (1, None), now=now)
            data_version.reuse("second", lambda: (2, None), now=now)
        assert len([s for s in counted.statements if "data_version" in s]) == 1
        db.session.commit()
        with count_queries() as counted:
            assert data_version.reuse("first", lambda: (3, None), now=now) == 1
        assert len([s for s in counted.statements if "data_version" in s]) == 1
