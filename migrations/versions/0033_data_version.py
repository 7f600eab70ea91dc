"""The data version: one number that grows with every committed change of the portal's
records, so that the dashboard's figures are computed once and reused until it grows.

Revision ID: 0033_data_version
Revises: 0032_job_runs_attempts
Create Date: 2026-12-05 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0033_data_version'
down_revision = '0032_job_runs_attempts'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_data_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'number': 0}])


def downgrade():
    op.drop_table('data_version')
