"""People's control of their data: when a person who left was anonymised.

Revision ID: 0022_privacy
Revises: 0021_parity_figures
Create Date: 2026-12-03 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_privacy'
down_revision = '0021_parity_figures'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.add_column(sa.Column('anonymised_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_column('anonymised_at')
