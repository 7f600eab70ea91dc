"""The keys that order people's names are compared code point by code point on PostgreSQL
whatever collation the database was created with: a language's collation (en_US.UTF-8, ICU)
passes over the line break between the family and the given name, and over the markers of an
order key, so that "Lin, Ann" came before "Li, Zhang". SQLite compares so already. The indexes
on the keys are built again with the columns.

Revision ID: 0052_order_keys_bytewise
Revises: 0051_spanish_name_order
Create Date: 2026-12-07 22:20:00.000000

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0052_order_keys_bytewise'
down_revision = '0051_spanish_name_order'
branch_labels = None
depends_on = None

KEYS = ('name_key', 'name_key_es')


def upgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column in KEYS:
        op.execute(f'ALTER TABLE people ALTER COLUMN {column} TYPE text COLLATE "C"')


def downgrade():
    if op.get_bind().dialect.name != 'postgresql':
        return
    for column in KEYS:
        op.execute(f'ALTER TABLE people ALTER COLUMN {column} TYPE text COLLATE "default"')
