"""People are listed by their names folded as search folds them (core.search): "Éclair" sorts
with the E's and "Ødegaard" with the O's on SQLite as on PostgreSQL, rather than after every
unaccented name. The key and its index replace the index on the lower-cased names.

Revision ID: 0036_people_name_key
Revises: 0035_jobs_locale
Create Date: 2026-12-06 08:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

from gfp_portal.core.search import backfill_search_keys


# revision identifiers, used by Alembic.
revision = '0036_people_name_key'
down_revision = '0035_jobs_locale'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('people', sa.Column('name_key', sa.Text(), nullable=False, server_default=''))
    backfill_search_keys(op.get_bind(), 'people', ['family_name', 'given_name'],
                         column='name_key')
    op.drop_index('ix_people_name_order', table_name='people')
    op.create_index('ix_people_name_key', 'people', ['name_key', 'id'])


def downgrade():
    op.drop_index('ix_people_name_key', table_name='people')
    op.create_index('ix_people_name_order', 'people',
                    [sa.text('lower(family_name)'), sa.text('lower(given_name)'), 'id'])
    # A plain DROP COLUMN (SQLite 3.35 and later), as in 0035.
    op.drop_column('people', 'name_key')
