"""Search ignores accents and case: people, sessions and resource versions keep a folded key.

Revision ID: 0015_search_keys
Revises: 0014_cancellation_reason
Create Date: 2026-12-03 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from gfp_portal.core.search import backfill_search_keys


# revision identifiers, used by Alembic.
revision = '0015_search_keys'
down_revision = '0014_cancellation_reason'
branch_labels = None
depends_on = None

# table -> the columns its key is made of (as the models' keep_search_key says)
SOURCES = {
    'people': ("given_name || ' ' || family_name", 'position_title'),
    'training_sessions': ('title_en', 'title_fr', 'title_es', 'title_ar'),
    'resource_versions': ('title', 'summary'),
}


def upgrade():
    # Plain ALTER TABLE (no batch copy): SQLite keeps the expression index on people's email.
    for table in SOURCES:
        op.add_column(table, sa.Column('search_key', sa.Text(), nullable=False,
                                       server_default=''))
    connection = op.get_bind()
    for table, sources in SOURCES.items():
        backfill_search_keys(connection, table, sources)


def downgrade():
    for table in SOURCES:
        op.drop_column(table, 'search_key')
