"""People's control of their data: when a person who left was anonymised.

Revision ID: 0023_privacy
Revises: 0022_messages
Create Date: 2026-12-03 16:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_privacy'
down_revision = '0022_messages'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTER TABLE: a batch copy of `people` would drop its expression indexes.
    op.add_column('people', sa.Column('anonymised_at', sa.DateTime(timezone=True),
                                      nullable=True))


def downgrade():
    op.drop_column('people', 'anonymised_at')
