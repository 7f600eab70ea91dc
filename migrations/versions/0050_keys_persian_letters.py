"""Search finds a name however it is typed on a Persian, an Urdu or an Arabic keyboard: the
Persian and Urdu yeh (ی) and keheh (ک) are the Arabic yeh and kaf, Urdu's heh goal and heh
doachashmee (ہ, ھ) the heh, its yeh barree (ے) the yeh; and the Sami eng and the t with a
stroke (ŋ, ŧ), which have no accent to drop, are an n and a t. Every key is folded again so,
and the order of names with them (the Spanish order of names, made by the next revision, is
folded so from the start).

Revision ID: 0050_keys_persian_letters
Revises: 0049_guest_evaluations
Create Date: 2026-12-10 12:00:00.000000

"""
from alembic import op

from gfp_portal.core.search import backfill_search_keys, order_key, search_key

# revision identifiers, used by Alembic.
revision = '0050_keys_persian_letters'
down_revision = '0049_guest_evaluations'
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
    # stored, but for the Persian and Urdu letters typed for the Arabic ones and the reverse.
    pass
