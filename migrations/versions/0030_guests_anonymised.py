"""Guests whose sessions are long over are anonymised by the retention periods: when it was
done.

Revision ID: 0030_guests_anonymised
Revises: 0029_people_by_entity
Create Date: 2026-12-04 23:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0030_guests_anonymised'
down_revision = '0029_people_by_entity'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('guests', sa.Column('anonymised_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('guests', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
