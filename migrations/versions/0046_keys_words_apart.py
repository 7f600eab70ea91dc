"""Search finds a name or a title however it is typed: an Arabic final alef maqsura and yeh
are one letter, and so are a ta marbuta and a heh; hyphens, dashes and commas part words;
apostrophes are left out. Every key is folded again so, and the order of names with them (a
ta marbuta sorting there as a teh).

Revision ID: 0046_keys_words_apart
Revises: 0045_composed_addresses
Create Date: 2026-12-08 12:00:00.000000

"""
from alembic import op

from gfp_portal.core.search import backfill_search_keys, order_key, search_key


# revision identifiers, used by Alembic.
revision = '0046_keys_words_apart'
down_revision = '0045_composed_addresses'
branch_labels = None
depends_on = None

# (table, key column) -> the columns the key is made of (as the models' keep_search_key says),
# and how it is folded
SOURCES = {
    ('people', 'search_key'): (("given_name || ' ' || family_name", 'position_title'),
                               search_key),
    ('people', 'name_key'): (('family_name', 'given_name'), order_key),
    ('entities', 'search_key'): (('acronym', 'name'), search_key),
    ('training_sessions', 'search_key'): (('title_en', 'title_fr', 'title_es', 'title_ar'),
                                          search_key),
    ('resource_versions', 'search_key'): (('title', 'summary'), search_key),
    ('practice_versions', 'search_key'): (('title', 'summary', 'body', 'results'), search_key),
}


def upgrade():
    connection = op.get_bind()
    for (table, column), (sources, key) in SOURCES.items():
        backfill_search_keys(connection, table, sources, column=column, key=key)


def downgrade():
    # The keys stay as they are: the older code finds in them every name and title typed as
    # stored, but for its apostrophes, hyphens and Arabic letter variants.
    pass
