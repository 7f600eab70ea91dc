"""The audit trail is read newest first, by time and id: an index in that order lets a page of
it be read without sorting every event that a bulk change wrote at the same instant.

Revision ID: 0027_audit_events_newest
Revises: 0026_appointments_by_team
Create Date: 2026-12-04 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027_audit_events_newest'
down_revision = '0026_appointments_by_team'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_created_at')
        batch_op.create_index('ix_audit_events_newest', ['created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_events_newest')
        batch_op.create_index('ix_audit_events_created_at', ['created_at'], unique=False)
