"""Guests who attended a session evaluate it through a link of their own: their place keeps
the link (as a digest), when it was sent and the day it was answered; an answer whose text is
to be erased with its writer keeps a key made with the application's secret.

Revision ID: 0049_guest_evaluations
Revises: 0048_guest_reminders
Create Date: 2026-12-07 21:30:00.000000

"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0049_guest_evaluations'
down_revision = '0048_guest_reminders'
branch_labels = None
depends_on = None


@contextmanager
def _batch(table):
    """SQLite adds a unique constraint, or drops a column, by copying the table, which it
    reads back first; reading it follows its foreign keys to `users`, whose index on
    lower(email) SQLAlchemy says it cannot read: that table is not copied, so the warning says
    nothing of this change."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table(table) as batch_op:
            yield batch_op


def upgrade():
    with _batch('guest_registrations') as batch_op:
        batch_op.add_column(sa.Column('evaluation_token_hash', sa.String(length=64),
                                      nullable=True))
        batch_op.add_column(sa.Column('evaluation_requested_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('evaluated_on', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_guest_registrations_evaluation_token_hash'),
            ['evaluation_token_hash'])
    with _batch('evaluation_answers') as batch_op:
        batch_op.add_column(sa.Column('erasure_key', sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f('ix_evaluation_answers_erasure_key'),
                              ['erasure_key'], unique=False)


def downgrade():
    with _batch('evaluation_answers') as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_answers_erasure_key'))
        batch_op.drop_column('erasure_key')
    with _batch('guest_registrations') as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_guest_registrations_evaluation_token_hash'),
                                 type_='unique')
        batch_op.drop_column('evaluated_on')
        batch_op.drop_column('evaluation_requested_at')
        batch_op.drop_column('evaluation_token_hash')
