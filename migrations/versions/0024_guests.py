"""The agenda of a session (items and their presenters) and its guests: invitation links,
guests and their places, kept apart from the registry.

Revision ID: 0024_guests
Revises: 0023_privacy
Create Date: 2026-12-03 15:53:04.428638

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_guests'
down_revision = '0023_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('guests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=20), nullable=False),
    sa.Column('preferred_language', sa.String(length=8), nullable=False),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guests')),
    sa.UniqueConstraint('email', name=op.f('uq_guests_email'))
    )
    op.create_table('agenda_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_fr', sa.String(length=200), nullable=True),
    sa.Column('title_es', sa.String(length=200), nullable=True),
    sa.Column('title_ar', sa.String(length=200), nullable=True),
    sa.Column('description_en', sa.Text(), nullable=True),
    sa.Column('description_fr', sa.Text(), nullable=True),
    sa.Column('description_es', sa.Text(), nullable=True),
    sa.Column('description_ar', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_agenda_items_session_id_training_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_items'))
    )
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_items_session_id'), ['session_id'], unique=False)

    op.create_table('agenda_presenters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('guest_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN user_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN guest_id IS NULL THEN 0 ELSE 1 END) = 1', name=op.f('ck_agenda_presenters_one_presenter')),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_agenda_presenters_guest_id_guests')),
    sa.ForeignKeyConstraint(['item_id'], ['agenda_items.id'], name=op.f('fk_agenda_presenters_item_id_agenda_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_agenda_presenters_person_id_people')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agenda_presenters_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agenda_presenters'))
    )
    with op.batch_alter_table('agenda_presenters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_presenters_guest_id'), ['guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_presenters_item_id'), ['item_id'], unique=False)

    op.create_table('guest_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('places', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_guest_invitations_created_by_id_users')),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_guest_invitations_revoked_by_id_users')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_guest_invitations_session_id_training_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_invitations')),
    sa.UniqueConstraint('token', name=op.f('uq_guest_invitations_token'))
    )
    with op.batch_alter_table('guest_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_invitations_session_id'), ['session_id'], unique=False)

    op.create_table('guest_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('guest_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=True),
    sa.Column('token_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attendance', sa.String(length=16), nullable=True),
    sa.Column('attendance_recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('attendance_recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('certificate_code', sa.String(length=16), nullable=True),
    sa.Column('certificate_issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attendance_recorded_by_id'], ['users.id'], name=op.f('fk_guest_registrations_attendance_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_guest_registrations_guest_id_guests')),
    sa.ForeignKeyConstraint(['invitation_id'], ['guest_invitations.id'], name=op.f('fk_guest_registrations_invitation_id_guest_invitations')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_guest_registrations_session_id_training_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_registrations')),
    sa.UniqueConstraint('certificate_code', name=op.f('uq_guest_registrations_certificate_code')),
    sa.UniqueConstraint('session_id', 'guest_id', name=op.f('uq_guest_registrations_session_id_guest_id')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_guest_registrations_token_hash'))
    )
    with op.batch_alter_table('guest_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_registrations_guest_id'), ['guest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guest_registrations_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guest_registrations_session_id'), ['session_id'], unique=False)



def downgrade():
    with op.batch_alter_table('guest_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guest_registrations_session_id'))
        batch_op.drop_index(batch_op.f('ix_guest_registrations_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_guest_registrations_guest_id'))

    op.drop_table('guest_registrations')
    with op.batch_alter_table('guest_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guest_invitations_session_id'))

    op.drop_table('guest_invitations')
    with op.batch_alter_table('agenda_presenters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_presenters_item_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_presenters_guest_id'))

    op.drop_table('agenda_presenters')
    with op.batch_alter_table('agenda_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_items_session_id'))

    op.drop_table('agenda_items')
    op.drop_table('guests')
