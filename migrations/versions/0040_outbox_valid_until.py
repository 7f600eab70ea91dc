"""An email carrying a link of limited life (a password reset, an activation, a confirmation)
keeps when that link stops working: past it, the message is never sent, nor retried. Messages
from before have none and are sent as before.

Revision ID: 0040_outbox_valid_until
Revises: 0039_sqlite_lower_reindex
Create Date: 2026-12-06 21:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0040_outbox_valid_until'
down_revision = '0039_sqlite_lower_reindex'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('valid_until', sa.DateTime(timezone=True),
                                                   nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later), as in 0035.
    op.drop_column('outbox_messages', 'valid_until')
