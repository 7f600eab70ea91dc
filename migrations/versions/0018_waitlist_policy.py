"""A session's waiting list follows a policy: first come, first served (every existing session),
or a priority (its name is stored as text: a new policy needs no migration).

Revision ID: 0018_waitlist_policy
Revises: 0017_entity_search_keys
Create Date: 2026-12-03 13:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_waitlist_policy'
down_revision = '0017_entity_search_keys'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('training_sessions') as batch:
        batch.add_column(sa.Column(
            'waitlist_policy',
            sa.Enum('first_come', 'coverage_gap', 'not_trained', 'below_parity',
                    name='waitlistpolicy',
                    native_enum=False, length=32),
            nullable=False, server_default='first_come'))


def downgrade():
    with op.batch_alter_table('training_sessions') as batch:
        batch.drop_column('waitlist_policy')
