"""Search ignores accents and case: people, sessions and resource versions keep a folded key.

Revision ID: 0015_search_keys
Revises: 0014_cancellation_reason
Create Date: 2026-12-03 03:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

from gfp_portal.core.search import search_key


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
        rows = connection.execute(sa.text(
            f"SELECT id, {', '.join(sources)} FROM {table}")).all()
        keys = [{'id': row[0], 'key': search_key(*row[1:])} for row in rows]
        if keys:
            connection.execute(sa.text(f"UPDATE {table} SET search_key = :key WHERE id = :id"),
                               keys)


def downgrade():
    for table in SOURCES:
        op.drop_column(table, 'search_key')
