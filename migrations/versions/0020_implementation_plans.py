"""Implementation plans: periods, each entity's plan for a period with its responsible focal
points, document versions per language, targets by grade and year, the Office's review notes,
and the deadline reminders sent.

Revision ID: 0020_implementation_plans
Revises: 0019_practices
Create Date: 2026-12-03 13:01:53

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020_implementation_plans'
down_revision = '0019_practices'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plan_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=False),
    sa.Column('last_year', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('first_year <= last_year', name=op.f('ck_plan_periods_years_in_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_periods')),
    sa.UniqueConstraint('name', name=op.f('uq_plan_periods_name'))
    )
    op.create_table('implementation_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('not_started', 'in_preparation', 'submitted', 'updated', name='planstatus', native_enum=False, length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_implementation_plans_entity_id_entities')),
    sa.ForeignKeyConstraint(['period_id'], ['plan_periods.id'], name=op.f('fk_implementation_plans_period_id_plan_periods')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_implementation_plans')),
    sa.UniqueConstraint('entity_id', 'period_id', name=op.f('uq_implementation_plans_entity_id_period_id'))
    )
    with op.batch_alter_table('implementation_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_implementation_plans_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_implementation_plans_period_id'), ['period_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_implementation_plans_status'), ['status'], unique=False)

    op.create_table('plan_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('threshold', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['implementation_plans.id'], name=op.f('fk_plan_reminders_plan_id_implementation_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_reminders')),
    sa.UniqueConstraint('plan_id', 'threshold', name=op.f('uq_plan_reminders_plan_id_threshold'))
    )
    with op.batch_alter_table('plan_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_reminders_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_responsibles',
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_plan_responsibles_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['plan_id'], ['implementation_plans.id'], name=op.f('fk_plan_responsibles_plan_id_implementation_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'person_id', name=op.f('pk_plan_responsibles'))
    )
    with op.batch_alter_table('plan_responsibles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_responsibles_person_id'), ['person_id'], unique=False)

    op.create_table('plan_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('women_percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('women_percent >= 0 AND women_percent <= 100', name=op.f('ck_plan_targets_percent')),
    sa.ForeignKeyConstraint(['plan_id'], ['implementation_plans.id'], name=op.f('fk_plan_targets_plan_id_implementation_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_targets')),
    sa.UniqueConstraint('plan_id', 'grade', 'year', name=op.f('uq_plan_targets_plan_id_grade_year'))
    )
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_targets_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('file_key', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=160), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['implementation_plans.id'], name=op.f('fk_plan_documents_plan_id_implementation_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_plan_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_documents'))
    )
    with op.batch_alter_table('plan_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_documents_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_plan_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['implementation_plans.id'], name=op.f('fk_plan_notes_plan_id_implementation_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_notes'))
    )
    with op.batch_alter_table('plan_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_notes_plan_id'), ['plan_id'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_notes_plan_id'))

    op.drop_table('plan_notes')
    with op.batch_alter_table('plan_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_documents_plan_id'))

    op.drop_table('plan_documents')
    with op.batch_alter_table('plan_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_targets_plan_id'))

    op.drop_table('plan_targets')
    with op.batch_alter_table('plan_responsibles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_responsibles_person_id'))

    op.drop_table('plan_responsibles')
    with op.batch_alter_table('plan_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_reminders_plan_id'))

    op.drop_table('plan_reminders')
    with op.batch_alter_table('implementation_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_implementation_plans_status'))
        batch_op.drop_index(batch_op.f('ix_implementation_plans_period_id'))
        batch_op.drop_index(batch_op.f('ix_implementation_plans_entity_id'))

    op.drop_table('implementation_plans')
    op.drop_table('plan_periods')
