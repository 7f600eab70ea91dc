"""A parity file whose figures a later file replaced may be imported again, to restore them:
the checksum of an import is no longer unique (an index serves the look-up).

Revision ID: 0042_parity_file_again
Revises: 0041_outbox_headers
Create Date: 2026-12-06 21:45:00.000000

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0042_parity_file_again'
down_revision = '0041_outbox_headers'
branch_labels = None
depends_on = None


@contextmanager
def _batch():
    """SQLite drops a constraint by copying the table, which it reads back first; reading it
    follows its foreign key to `users`, whose index on lower(email) SQLAlchemy says it
    cannot read: that table is not copied, so the warning says nothing of this change."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table('parity_imports') as batch_op:
            yield batch_op


def upgrade():
    with _batch() as batch_op:
        batch_op.drop_constraint('uq_parity_imports_sha256', type_='unique')
        batch_op.create_index('ix_parity_imports_sha256', ['sha256'])


def downgrade():
    # Fails while a file was imported twice: the older import of each must go first.
    with _batch() as batch_op:
        batch_op.drop_index('ix_parity_imports_sha256')
        batch_op.create_unique_constraint('uq_parity_imports_sha256', ['sha256'])
