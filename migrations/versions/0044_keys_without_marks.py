"""Search and the order of names ignore invisible formatting characters (a zero-width space,
a direction mark, a byte-order mark): every key is folded again without them, so that a name
pasted with one is found by its letters and sorted with them.

Revision ID: 0044_keys_without_marks
Revises: 0043_cancelled_places_sequence
Create Date: 2026-12-07 12:00:00.000000

"""
from alembic import op

from gfp_portal.core.search import backfill_search_keys


# revision identifiers, used by Alembic.
revision = '0044_keys_without_marks'
down_revision = '0043_cancelled_places_sequence'
branch_labels = None
depends_on = None

# (table, key column) -> the columns the key is made of (as the models' keep_search_key says)
SOURCES = {
    ('people', 'search_key'): ("given_name || ' ' || family_name", 'position_title'),
    ('people', 'name_key'): ('family_name', 'given_name'),
    ('entities', 'search_key'): ('acronym', 'name'),
    ('training_sessions', 'search_key'): ('title_en', 'title_fr', 'title_es', 'title_ar'),
    ('resource_versions', 'search_key'): ('title', 'summary'),
    ('practice_versions', 'search_key'): ('title', 'summary', 'body', 'results'),
}


def upgrade():
    connection = op.get_bind()
    for (table, column), sources in SOURCES.items():
        backfill_search_keys(connection, table, sources, column=column)


def downgrade():
    # The keys stay as they are: folded without the marks, they still find every name and
    # title typed without them, as the older folding does.
    pass
