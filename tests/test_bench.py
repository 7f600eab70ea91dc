"""The benchmark compares every page at the network's real size with ten times it: each page it
times must answer at the real size too, or `make bench --real-size` stops half-way."""
import random
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm.attributes import flag_modified

from bench import data
from bench.run import pages, signed_in
from gfp_portal.extensions import db
from gfp_portal.practices.models import PracticeVersion
from gfp_portal.registry.models import Person
from tests.helpers import entity

NOW = datetime(2029, 1, 1, tzinfo=UTC)


def test_every_page_the_benchmark_times_answers_at_the_real_size(app):
    with app.app_context():
        network = data.generate(**data.REAL_SIZE)
        db.session.commit()
    clients = {"anonymous": app.test_client()}
    clients.update((key, signed_in(app, key)) for key in data.ACCOUNTS)
    answers = {(role, url): clients[role].get(url).status_code
               for role, url in pages(network, min(network.nomination_ids))}
    assert {page: status for page, status in answers.items() if status != 200} == {}


def _keys_written_and_as_the_portal_writes_them(model, columns):
    """The folded keys of every row of `model` as the benchmark wrote them, and as the portal
    writes them when a row is changed through the ORM."""
    rows = db.session.scalars(select(model).order_by(model.id)).all()
    written = [{column: getattr(row, column) for column in columns} for row in rows]
    for row in rows:
        flag_modified(row, "id")
    db.session.flush()
    return written, [{column: getattr(row, column) for column in columns} for row in rows]


def test_the_benchmark_keys_people_as_the_portal_does(ctx, monkeypatch):
    """A ta marbuta is searched for as a heh but sorts as the teh it is written from: the
    order of names (order_key), not the search key."""
    monkeypatch.setattr(data, "GIVEN", ("فاطمة",))
    monkeypatch.setattr(data, "FAMILY", ("حمادة",))
    db.session.execute(insert(Person), [data._person(0, random.Random(0), None, [None], NOW)])
    written, expected = _keys_written_and_as_the_portal_writes_them(
        Person, ("search_key", "name_key", "name_key_es"))
    assert written == expected


def test_the_benchmark_keys_practices_as_the_portal_does(ctx, reference):
    """Every text of a version is searched, its results too."""
    data._practices(random.Random(0), [entity("UNDP").id], None, NOW, count=2)
    written, expected = _keys_written_and_as_the_portal_writes_them(PracticeVersion,
                                                                    ("search_key",))
    assert written == expected
