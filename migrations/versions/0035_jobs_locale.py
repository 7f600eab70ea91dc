"""A job keeps the language of the person who asked for it: a rule that stops it is written in
that language, not in the worker's default.

Revision ID: 0035_jobs_locale
Revises: 0034_search_trigrams
Create Date: 2026-12-05 19:30:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0035_jobs_locale'
down_revision = '0034_search_trigrams'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('jobs', sa.Column('locale', sa.String(length=8), nullable=True))


def downgrade():
    # A plain DROP COLUMN (SQLite 3.35 and later): rebuilding the table would read its
    # foreign key's table, users, whose expression index SQLite cannot reflect.
    op.drop_column('jobs', 'locale')
