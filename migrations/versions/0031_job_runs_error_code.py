"""A periodic job's failed run keeps what stopped it as a code, as a job does: the pages say
"an unexpected error" or "its worker stopped" in the reader's language, never the technical
text.

Revision ID: 0031_job_runs_error_code
Revises: 0030_guests_anonymised
Create Date: 2026-12-05 00:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031_job_runs_error_code'
down_revision = '0030_guests_anonymised'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('job_runs', sa.Column('error_code', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_column('error_code')
