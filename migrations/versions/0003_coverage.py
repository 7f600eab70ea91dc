"""coverage: reminders sent to Resident Coordinators

Revision ID: 0003_coverage
Revises: 0002_registry
Create Date: 2026-11-22 23:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_coverage'
down_revision = '0002_registry'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'coverage_reminders',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('gaps', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_coverage_reminders_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage_reminders')),
    )
    with op.batch_alter_table('coverage_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_reminders_user_id'), ['user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('coverage_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_reminders_user_id'))
    op.drop_table('coverage_reminders')
