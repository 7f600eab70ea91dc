"""A periodic run counts its attempts: the sweep runs again a run stopped by an unexpected
error, up to JOBS_RUN_ATTEMPTS in all, and the page says after how many it stopped.

Revision ID: 0032_job_runs_attempts
Revises: 0031_job_runs_error_code
Create Date: 2026-12-05 05:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0032_job_runs_attempts'
down_revision = '0031_job_runs_error_code'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('job_runs', sa.Column('attempts', sa.Integer(), server_default='1',
                                        nullable=False))


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('attempts')
