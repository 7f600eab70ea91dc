"""A certificate keeps whether a corrected attendance mark revoked it (rather than a
coordinator): correcting the mark back makes it valid again. Certificates revoked before are
taken as a coordinator's revocations and stay revoked.

Revision ID: 0037_revoked_by_mark
Revises: 0036_people_name_key
Create Date: 2026-12-06 08:50:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0037_revoked_by_mark'
down_revision = '0036_people_name_key'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('certificates', sa.Column('revoked_by_mark', sa.Boolean(), nullable=False,
                                            server_default=sa.false()))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later), as in 0035.
    op.drop_column('certificates', 'revoked_by_mark')
