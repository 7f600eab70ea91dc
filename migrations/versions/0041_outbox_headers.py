"""An email may carry headers of its own beyond the usual ones: a newsletter says how to leave
it (List-Unsubscribe, RFC 2369 and 8058). Messages from before carry none.

Revision ID: 0041_outbox_headers
Revises: 0040_outbox_valid_until
Create Date: 2026-12-06 21:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0041_outbox_headers'
down_revision = '0040_outbox_valid_until'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('outbox_messages', sa.Column('headers', sa.JSON(), nullable=False,
                                               server_default='{}'))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later), as in 0035.
    op.drop_column('outbox_messages', 'headers')
