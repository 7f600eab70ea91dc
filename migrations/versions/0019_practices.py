"""practices: good practices and success stories (language versions, contacts) and the
awards of the network (recipients, citations)

Revision ID: 0019_practices
Revises: 0018_waitlist_policy
Create Date: 2026-12-03 12:47:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019_practices'
down_revision = '0018_waitlist_policy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('awards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_awards_entity_id_entities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_year'), ['year'], unique=False)

    op.create_table('award_citations',
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_citations_award_id_awards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('award_id', 'language', name=op.f('pk_award_citations'))
    )
    op.create_table('award_recipients',
    sa.Column('award_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_recipients_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_award_recipients_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('award_id', 'person_id', name=op.f('pk_award_recipients'))
    )
    with op.batch_alter_table('award_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_recipients_person_id'), ['person_id'], unique=False)

    op.create_table('practices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('area', sa.Enum('flexible_working', 'standards_of_conduct', 'security_and_safety', 'well_being', 'talent', 'leadership', 'field_specific', name='guidelinearea', native_enum=False, length=24), nullable=False),
    sa.Column('state', sa.Enum('submitted', 'changes_requested', 'published', 'declined', name='practicestate', native_enum=False, length=20), nullable=False),
    sa.Column('submitter_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['entity_id'], ['entities.id'], name=op.f('fk_practices_entity_id_entities')),
    sa.ForeignKeyConstraint(['submitter_id'], ['users.id'], name=op.f('fk_practices_submitter_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practices'))
    )
    with op.batch_alter_table('practices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practices_entity_id'), ['entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practices_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_practices_state'), ['state'], unique=False)
        batch_op.create_index(batch_op.f('ix_practices_submitter_id'), ['submitter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_practices_year'), ['year'], unique=False)

    op.create_table('practice_contacts',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_practice_contacts_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_contacts_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('practice_id', 'person_id', name=op.f('pk_practice_contacts'))
    )
    with op.batch_alter_table('practice_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_contacts_person_id'), ['person_id'], unique=False)

    op.create_table('practice_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('results', sa.Text(), nullable=False),
    sa.Column('search_key', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practices.id'], name=op.f('fk_practice_versions_practice_id_practices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_practice_versions')),
    sa.UniqueConstraint('practice_id', 'language', name=op.f('uq_practice_versions_practice_id_language'))
    )
    with op.batch_alter_table('practice_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_versions_practice_id'), ['practice_id'], unique=False)



def downgrade():
    for table in ('practice_versions', 'practice_contacts', 'practices', 'award_recipients',
                  'award_citations', 'awards'):
        op.drop_table(table)
