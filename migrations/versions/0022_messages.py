"""Messages to the network: notices and newsletters, their recipients, and the newsletter
opt-outs.

Revision ID: 0022_messages
Revises: 0021_parity_figures
Create Date: 2026-12-03 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_messages'
down_revision = '0021_parity_figures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'network_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('notice', 'newsletter', name='messagekind', native_enum=False,
                                  length=16), nullable=False),
        sa.Column('status', sa.Enum('draft', 'sending', 'sent', name='messagestatus',
                                    native_enum=False, length=16), nullable=False),
        sa.Column('subject_en', sa.String(length=200), nullable=False),
        sa.Column('subject_fr', sa.String(length=200), nullable=True),
        sa.Column('subject_es', sa.String(length=200), nullable=True),
        sa.Column('subject_ar', sa.String(length=200), nullable=True),
        sa.Column('body_en', sa.Text(), nullable=False),
        sa.Column('body_fr', sa.Text(), nullable=True),
        sa.Column('body_es', sa.Text(), nullable=True),
        sa.Column('body_ar', sa.Text(), nullable=True),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=True),
        sa.Column('recipient_count', sa.Integer(), nullable=True),
        sa.Column('job_id', sa.String(length=32), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_by_id', sa.Integer(), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                                name=op.f('fk_network_messages_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'],
                                name=op.f('fk_network_messages_sent_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_network_messages')),
    )
    op.create_index(op.f('ix_network_messages_sent_at'), 'network_messages', ['sent_at'])
    op.create_table(
        'network_message_recipients',
        sa.Column('message_id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('outbox_message_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['network_messages.id'],
                                name=op.f('fk_network_message_recipients_message_id_network_messages'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_messages.id'],
                                name=op.f('fk_network_message_recipients_outbox_message_id_outbox_messages'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_network_message_recipients_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('message_id', 'person_id',
                                name=op.f('pk_network_message_recipients')),
    )
    op.create_index(op.f('ix_network_message_recipients_person_id'),
                    'network_message_recipients', ['person_id'])
    op.create_table(
        'newsletter_opt_outs',
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_newsletter_opt_outs_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('person_id', name=op.f('pk_newsletter_opt_outs')),
    )


def downgrade():
    op.drop_table('newsletter_opt_outs')
    op.drop_index(op.f('ix_network_message_recipients_person_id'),
                  table_name='network_message_recipients')
    op.drop_table('network_message_recipients')
    op.drop_index(op.f('ix_network_messages_sent_at'), table_name='network_messages')
    op.drop_table('network_messages')
