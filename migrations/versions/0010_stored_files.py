"""Stored files in the database, cut into chunks: uploads and pending previews that every machine
sharing the database can serve (STORAGE_BACKEND=database).

Revision ID: 0010_stored_files
Revises: 0008_outbox_secrets
Create Date: 2026-12-02 19:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_stored_files'
down_revision = '0009_job_runs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stored_files',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_files')),
    )
    op.create_table(
        'stored_file_chunks',
        sa.Column('file_key', sa.String(length=80), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['file_key'], ['stored_files.key'],
                                name=op.f('fk_stored_file_chunks_file_key_stored_files'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('file_key', 'seq', name=op.f('pk_stored_file_chunks')),
    )


def downgrade():
    op.drop_table('stored_file_chunks')
    op.drop_table('stored_files')
