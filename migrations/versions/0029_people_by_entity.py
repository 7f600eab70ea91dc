"""The people of an entity are found by an index: the entity's page counts those it trained
without reading every person of the network.

Revision ID: 0029_people_by_entity
Revises: 0028_parity_totals
Create Date: 2026-12-04 21:10:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0029_people_by_entity'
down_revision = '0028_parity_totals'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_entity_id', ['entity_id'], unique=False)


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('ix_people_entity_id')
