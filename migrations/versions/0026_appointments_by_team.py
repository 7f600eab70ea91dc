"""An index of the appointments by UN Country Team and status: a team's coverage page and its
Resident Coordinator's home read its active terms without scanning every appointment.

Revision ID: 0026_appointments_by_team
Revises: 0025_induction
Create Date: 2026-12-03 20:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_appointments_by_team'
down_revision = '0025_induction'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_team', ['unct_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index('ix_appointments_team')
