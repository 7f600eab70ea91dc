"""Search finds a name however it is typed on an Urdu or an Arabic keyboard: Urdu's heh goal
and heh doachashmee (ہ, ھ) are the heh, its yeh barree (ے) the yeh. Every key is folded again
so, and the orders of names with them, the Spanish one too.

Revision ID: 0052_keys_urdu_letters
Revises: 0051_spanish_name_order
Create Date: 2026-12-11 12:00:00.000000

"""
from functools import partial

from alembic import op

from gfp_portal.core.search import backfill_search_keys, order_key, search_key

# revision identifiers, used by Alembic.
revision = '0052_keys_urdu_letters'
down_revision = '0051_spanish_name_order'
branch_labels = None
depends_on = None

# (table, key column) -> the columns the key is made of (as the models' keep_search_key says),
# and how it is folded
SOURCES = {
    ('people', 'search_key'): (("given_name || ' ' || family_name", 'position_title'),
                               search_key),
    ('people', 'name_key'): (('family_name', 'given_name'), order_key),
    ('people', 'name_key_es'): (('family_name', 'given_name'),
                                partial(order_key, language='es')),
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
    # stored, but for the Urdu letters typed for the Arabic ones and the reverse.
    pass
