"""A page and its total are the same whether counted apart, by a count statement of the list's
own, or in the page's rows; counters read together give what each gives alone."""
from sqlalchemy import func, select

from gfp_portal.core.db import values_of
from gfp_portal.core.http import paginate, paginate_counted_in_rows
from gfp_portal.extensions import db
from gfp_portal.reference.models import Entity


def test_every_way_of_counting_gives_the_same_page_and_total(app, reference, monkeypatch):
    monkeypatch.setitem(app.config, "PER_PAGE", 7)
    stmt = select(Entity).where(Entity.acronym.like("U%")).order_by(Entity.acronym, Entity.id)
    count = select(func.count(Entity.id)).where(Entity.acronym.like("U%"))
    with app.app_context():
        total = db.session.scalar(count)
    assert total > 7
    for page in (1, 2, total // 7 + 1, total // 7 + 5):
        with app.test_request_context(f"/?page={page}"):
            stock = db.paginate(stmt, page=page, per_page=7, error_out=False)
            for other in (paginate(stmt), paginate(stmt, count=count),
                          paginate_counted_in_rows(stmt)):
                assert [e.id for e in other.items] == [e.id for e in stock.items]
                assert (other.total, other.pages, other.page) == (total, stock.pages, page)


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
