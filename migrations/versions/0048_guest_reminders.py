"""A guest's place keeps when the reminder of its session was sent: guests are reminded of a
session as everyone registered is, once (again when its start moves).

Revision ID: 0048_guest_reminders
Revises: 0047_former_addresses
Create Date: 2026-12-07 21:00:00.000000

"""
import warnings

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0048_guest_reminders'
down_revision = '0047_former_addresses'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('guest_registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_sent_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    # SQLite drops the column by copying the table, which it reads back first, following its
    # foreign keys to `users`, whose index on lower(email) SQLAlchemy says it cannot read:
    # that table is not copied, so the warning says nothing of this change.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table('guest_registrations', schema=None) as batch_op:
            batch_op.drop_column('reminder_sent_at')
