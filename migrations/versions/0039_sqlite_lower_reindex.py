"""On SQLite, lower() now folds every letter as Python does ("É" to "é"), not only A to Z:
the indexes built on lower() are built again with it. PostgreSQL's lower() always did so.

Revision ID: 0039_sqlite_lower_reindex
Revises: 0038_invited_sequence
Create Date: 2026-12-06 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0039_sqlite_lower_reindex'
down_revision = '0038_invited_sequence'
branch_labels = None
depends_on = None

INDEXES = ('uq_people_email_lower', 'uq_users_email_lower')


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for index in INDEXES:
            op.execute(f'REINDEX {index}')


def downgrade():
    # The indexes built with the new lower() serve the older code as they are.
    pass
