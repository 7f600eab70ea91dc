"""Entities keep a folded key of their acronym and name for the global search, and every key
is folded again: an alef wasla is now kept as the bare alef people type.

Revision ID: 0017_entity_search_keys
Revises: 0016_people_name_order
Create Date: 2026-12-03 12:50:00.000000

"""
from alembic import op
import sqlalchemy as sa

from gfp_portal.core.search import backfill_search_keys


# revision identifiers, used by Alembic.
revision = '0017_entity_search_keys'
down_revision = '0016_people_name_order'
branch_labels = None
depends_on = None

# table -> the columns its key is made of (as the models' keep_search_key says)
SOURCES = {
    'entities': ('acronym', 'name'),
    'people': ("given_name || ' ' || family_name", 'position_title'),
    'training_sessions': ('title_en', 'title_fr', 'title_es', 'title_ar'),
    'resource_versions': ('title', 'summary'),
}


def upgrade():
    # Plain ALTER TABLE (no batch copy), as for the other keys.
    op.add_column('entities', sa.Column('search_key', sa.Text(), nullable=False,
                                        server_default=''))
    connection = op.get_bind()
    for table, sources in SOURCES.items():
        backfill_search_keys(connection, table, sources)


def downgrade():
    # The other keys stay as they are: a bare alef for a wasla still finds the word.
    op.drop_column('entities', 'search_key')
