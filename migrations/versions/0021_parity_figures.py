"""Parity figures: women and men per entity, quarter, grade, duty station and age group, with
the imports they came from.

Revision ID: 0021_parity_figures
Revises: 0020_implementation_plans
Create Date: 2026-12-03 13:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_parity_figures'
down_revision = '0020_implementation_plans'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'parity_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=200), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('imported_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'],
                                name=op.f('fk_parity_imports_imported_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_parity_imports')),
        sa.UniqueConstraint('sha256', name=op.f('uq_parity_imports_sha256')),
    )
    op.create_table(
        'parity_figures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.SmallInteger(), nullable=False),
        sa.Column('quarter', sa.SmallInteger(), nullable=False),
        sa.Column('grade', sa.String(length=16), nullable=False),
        sa.Column('station', sa.String(length=12), nullable=False),
        sa.Column('age_group', sa.String(length=20), nullable=False),
        sa.Column('women', sa.Integer(), nullable=False),
        sa.Column('men', sa.Integer(), nullable=False),
        sa.CheckConstraint('women >= 0 AND men >= 0', name=op.f('ck_parity_figures_counts')),
        sa.CheckConstraint('quarter BETWEEN 1 AND 4', name=op.f('ck_parity_figures_quarter')),
        sa.ForeignKeyConstraint(['entity_id'], ['entities.id'],
                                name=op.f('fk_parity_figures_entity_id_entities')),
        sa.ForeignKeyConstraint(['import_id'], ['parity_imports.id'],
                                name=op.f('fk_parity_figures_import_id_parity_imports')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_parity_figures')),
        sa.UniqueConstraint('entity_id', 'year', 'quarter', 'grade', 'station', 'age_group',
                            name='uq_parity_figures_key'),
    )
    op.create_index('ix_parity_figures_period', 'parity_figures', ['year', 'quarter'])
    op.create_index(op.f('ix_parity_figures_import_id'), 'parity_figures', ['import_id'])


def downgrade():
    op.drop_index(op.f('ix_parity_figures_import_id'), table_name='parity_figures')
    op.drop_index('ix_parity_figures_period', table_name='parity_figures')
    op.drop_table('parity_figures')
    op.drop_table('parity_imports')
