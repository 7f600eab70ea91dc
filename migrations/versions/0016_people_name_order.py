"""The registry lists people by family name, given name and id (case ignored): an index in that
order lets a page of the list be read without sorting the whole network.

Revision ID: 0016_people_name_order
Revises: 0015_search_keys
Create Date: 2026-12-03 07:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_people_name_order'
down_revision = '0015_search_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_people_name_order', 'people',
                    [sa.text('lower(family_name)'), sa.text('lower(given_name)'), 'id'])


def downgrade():
    op.drop_index('ix_people_name_order', table_name='people')
