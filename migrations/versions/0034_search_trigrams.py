"""On PostgreSQL, trigram indexes (pg_trgm) on the keys people search by part of a word: the
registry's names and addresses, accounts' addresses, session titles, and the versions of
resources and practices. A search then reads the rows that hold the word rather than every row,
so it takes as long with ten times the network. SQLite keeps reading every row; the models do
not name these indexes (core.search.TRIGRAM_INDEXES).

Revision ID: 0034_search_trigrams
Revises: 0033_data_version
Create Date: 2026-12-05 18:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0034_search_trigrams'
down_revision = '0033_data_version'
branch_labels = None
depends_on = None

# name, table, the expression searched with LIKE '%…%'
INDEXES = [
    ('trgm_people_search_key', 'people', 'search_key'),
    ('trgm_people_email', 'people', 'lower(email)'),
    ('trgm_users_email', 'users', 'lower(email)'),
    ('trgm_training_sessions_search_key', 'training_sessions', 'search_key'),
    ('trgm_resource_versions_search_key', 'resource_versions', 'search_key'),
    ('trgm_practice_versions_search_key', 'practice_versions', 'search_key'),
]


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    # A trusted extension: the owner of the database may create it.
    op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm')
    for name, table, expression in INDEXES:
        op.execute(f'CREATE INDEX {name} ON {table} USING gin (({expression}) gin_trgm_ops)')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, _table, _expression in INDEXES:
        op.execute(f'DROP INDEX {name}')
