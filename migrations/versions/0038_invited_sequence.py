"""A registration (a person's or a guest's) keeps the SEQUENCE of the last calendar invitation
sent for it: the notices of a change skip whoever already holds the changed invitation (a person
given a freed seat after the change, or told by an earlier job of a later change).
Registrations from before hold none and are told as before.

Revision ID: 0038_invited_sequence
Revises: 0037_revoked_by_mark
Create Date: 2026-12-06 11:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0038_invited_sequence'
down_revision = '0037_revoked_by_mark'
branch_labels = None
depends_on = None


def upgrade():
    for table in ('registrations', 'guest_registrations'):
        op.add_column(table, sa.Column('invited_sequence', sa.Integer(), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later), as in 0035.
    for table in ('registrations', 'guest_registrations'):
        op.drop_column(table, 'invited_sequence')
