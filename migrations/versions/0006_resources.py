"""resources: the multilingual library (categories, resources, versions, tags, downloads)

Revision ID: 0006_resources
Revises: 0003_coverage
Create Date: 2026-11-23 03:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006_resources'
down_revision = '0005_sessions'
branch_labels = None
depends_on = None

DEFAULT_CATEGORIES = (
    ("guidelines", "Guidelines"),
    ("briefs", "Briefs"),
    ("advocacy", "Advocacy"),
    ("templates-tools", "Templates and tools"),
    ("reports", "Reports"),
    ("sexual-harassment-prevention", "Sexual harassment prevention"),
)


def upgrade():
    categories = op.create_table(
        'resource_categories',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=60), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_categories')),
        sa.UniqueConstraint('code', name=op.f('uq_resource_categories_code')),
    )
    op.create_table(
        'resources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=120), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('visibility', sa.Enum('public', 'network', name='visibility',
                                        native_enum=False, length=16), nullable=False),
        sa.Column('is_published', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['resource_categories.id'],
                                name=op.f('fk_resources_category_id_resource_categories')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resources')),
        sa.UniqueConstraint('slug', name=op.f('uq_resources_slug')),
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resources_category_id'), ['category_id'])
        batch_op.create_index(batch_op.f('ix_resources_created_at'), ['created_at'])
    op.create_table(
        'resource_tags',
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('tag', sa.String(length=60), nullable=False),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name=op.f('fk_resource_tags_resource_id_resources'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('resource_id', 'tag', name=op.f('pk_resource_tags')),
    )
    with op.batch_alter_table('resource_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_tags_tag'), ['tag'])
    op.create_table(
        'resource_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('external_url', sa.String(length=1000), nullable=True),
        sa.Column('file_key', sa.String(length=80), nullable=True),
        sa.Column('filename', sa.String(length=160), nullable=True),
        sa.Column('content_type', sa.String(length=120), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name=op.f('fk_resource_versions_resource_id_resources'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resource_versions')),
        sa.UniqueConstraint('resource_id', 'language',
                            name=op.f('uq_resource_versions_resource_id_language')),
    )
    with op.batch_alter_table('resource_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_versions_resource_id'), ['resource_id'])
    op.create_table(
        'resource_downloads',
        sa.Column('resource_id', sa.Integer(), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['resource_id'], ['resources.id'],
                                name=op.f('fk_resource_downloads_resource_id_resources'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('resource_id', 'language', 'month',
                                name=op.f('pk_resource_downloads')),
    )
    # The shipped categories; the Office can rename them and add others.
    op.bulk_insert(categories, [{"code": code, "name": name, "position": position}
                                for position, (code, name) in enumerate(DEFAULT_CATEGORIES)])


def downgrade():
    op.drop_table('resource_downloads')
    with op.batch_alter_table('resource_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_versions_resource_id'))
    op.drop_table('resource_versions')
    with op.batch_alter_table('resource_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_tags_tag'))
    op.drop_table('resource_tags')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resources_created_at'))
        batch_op.drop_index(batch_op.f('ix_resources_category_id'))
    op.drop_table('resources')
    op.drop_table('resource_categories')
