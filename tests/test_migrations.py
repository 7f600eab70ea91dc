"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL (and,
on PostgreSQL, the trigram indexes of core.search that only they build)."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from gfp_portal.core import search
from gfp_portal.extensions import db


# SQLite cannot reflect the expression indexes (they are compared on PostgreSQL).
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression")
def test_the_migrated_database_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": search.in_models})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_on_postgresql_a_search_by_part_of_a_word_can_use_an_index(app):
    with app.app_context(), db.engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            assert not search.TRIGRAM_INDEXES & set(
                connection.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
            return
        built = set(connection.exec_driver_sql(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%'").scalars())
        assert built == search.TRIGRAM_INDEXES
        connection.exec_driver_sql("SET enable_seqscan = off")
        plan = "\n".join(connection.exec_driver_sql(
            "EXPLAIN SELECT id FROM people WHERE search_key LIKE '%%' || %s || '%%' ESCAPE '/'",
            ("kamau",)).scalars())
        assert "trgm_people_search_key" in plan
