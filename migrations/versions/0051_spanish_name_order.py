"""People are listed to a Spanish reader as Spanish sorts their names, the ñ after the n
("Munro" before "Muñoz"), where the other languages take it for an n: a key of that order
beside the shared one, with its index, for the lists read a page at a time.

Revision ID: 0051_spanish_name_order
Revises: 0050_keys_persian_letters
Create Date: 2026-12-10 13:00:00.000000

"""
from functools import partial

import sqlalchemy as sa
from alembic import op

from gfp_portal.core.search import backfill_search_keys, order_key

# revision identifiers, used by Alembic.
revision = '0051_spanish_name_order'
down_revision = '0050_keys_persian_letters'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('people', sa.Column('name_key_es', sa.Text(), nullable=False,
                                      server_default=''))
    backfill_search_keys(op.get_bind(), 'people', ['family_name', 'given_name'],
                         column='name_key_es', key=partial(order_key, language='es'))
    op.create_index('ix_people_name_key_es', 'people', ['name_key_es', 'id'])


def downgrade():
    op.drop_index('ix_people_name_key_es', table_name='people')
    # A plain DROP COLUMN (SQLite 3.35 and later), as in 0036.
    op.drop_column('people', 'name_key_es')
