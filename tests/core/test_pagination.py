"""A page and its total are the same whether counted apart, by a count statement of the list's
own, or in the page's rows; counters read together give what each gives alone."""
import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from gfp_portal.core.db import values_of
from gfp_portal.core.http import paginate, paginate_counted_in_rows, paginate_ids
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity


def test_every_way_of_counting_gives_the_same_page_and_total(app, reference, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 7)
    stmt = select(Entity).where(Entity.acronym.like("U%")).order_by(Entity.acronym, Entity.id)
    count = select(func.count(Entity.id)).where(Entity.acronym.like("U%"))
    with app.app_context():
        total = db.session.scalar(count)
    assert total > 7
    for page in (1, 2, -(-total // 7)):
        with app.test_request_context(f"/?page={page}"):
            stock = db.paginate(stmt, page=page, per_page=7, error_out=False)
            for other in (paginate(stmt), paginate(stmt, count=count),
                          paginate_counted_in_rows(stmt)):
                assert [e.id for e in other.items] == [e.id for e in stock.items]
                assert (other.total, other.pages, other.page) == (total, stock.pages, page)


def test_a_page_past_the_end_of_a_list_goes_to_its_last_page(app, reference, monkeypatch):
    """An address kept from when the list was longer asks for a page it no longer has: every
    way of paging sends it to the last page, with its filters, rather than saying the list is
    empty. An empty list stays on its one empty page."""
    monkeypatch.setitem(app.config, "PER_PAGE", 7)
    stmt = select(Entity).where(Entity.acronym.like("U%")).order_by(Entity.acronym, Entity.id)
    count = select(func.count(Entity.id)).where(Entity.acronym.like("U%"))
    with app.app_context():
        last = -(-db.session.scalar(count) // 7)
    for page_of in (paginate, lambda stmt: paginate(stmt, count=count),
                    lambda stmt: paginate_ids(select(Entity.id).where(Entity.acronym.like(
                        "U%")).order_by(Entity.acronym, Entity.id), load_entities, count=count),
                    paginate_counted_in_rows):
        with app.test_request_context(f"/list?q=U&page={last + 4}&tag=a&tag=b"):
            with pytest.raises(HTTPException) as left:
                page_of(stmt)
            assert left.value.response.status_code == 302
            assert left.value.response.location == f"/list?q=U&page={last}&tag=a&tag=b"
    for page_of in (paginate, paginate_counted_in_rows):
        with app.test_request_context("/list?page=3"):
            assert page_of(stmt.where(Entity.acronym == "none")).total == 0


@pytest.mark.parametrize("path", ["/entities/A%3FB", "/entities/A%23B", "/entities/100%25"])
def test_the_last_page_is_that_of_the_same_address(app, reference, monkeypatch, path):
    """The path as it was sent: a ?, # or % it held, decoded, would end it elsewhere."""
    monkeypatch.setitem(app.config, "PER_PAGE", 7)
    with app.test_request_context(f"{path}?page=999"), pytest.raises(HTTPException) as left:
        paginate(select(Entity).order_by(Entity.id))
    assert left.value.response.location.startswith(f"{path}?page=")


def load_entities(ids):
    entities = {e.id: e for e in db.session.scalars(select(Entity).where(Entity.id.in_(ids)))}
    return [entities[i] for i in ids]


def test_values_of_reads_each_statement_as_it_would_alone(app, reference, count_queries):
    u_entities = select(func.count(Entity.id)).where(Entity.acronym.like("U%"))
    acronyms = select(func.min(Entity.acronym), func.max(Entity.acronym))
    nothing = select(func.count(Entity.id)).where(Entity.acronym == "no such entity")
    with app.app_context():
        alone = {"u": db.session.scalar(u_entities),
                 "range": tuple(db.session.execute(acronyms).one()),
                 "none": db.session.scalar(nothing)}
        with count_queries() as counted:
            together = values_of(u=u_entities, range=acronyms, none=nothing)
    assert together == alone and alone["u"] > 0 and alone["none"] == 0
    assert counted.count == 1
