"""Email addresses are kept with their accented letters in one form (Unicode's composed form,
NFC), as they are now read wherever they are typed: an address stored as an "e" and an accent
is composed, in the registry, accounts, guests, nominations and the outbox alike, so that it is
found again by what is typed. An address whose composed form another row already holds (two
people, or two accounts, for one address) is left as it is everywhere: composing it would
break the uniqueness of addresses.

Revision ID: 0045_composed_addresses
Revises: 0044_keys_without_marks
Create Date: 2026-12-07 13:00:00.000000

"""
import unicodedata

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0045_composed_addresses'
down_revision = '0044_keys_without_marks'
branch_labels = None
depends_on = None

# (table, column of addresses, how a unique index compares them: 'lower', 'exact' or None)
COLUMNS = (
    ('people', 'email', 'lower'),
    ('users', 'email', 'lower'),
    ('guests', 'email', 'exact'),
    ('nominations', 'email', None),
    ('outbox_messages', 'recipient', None),
)


def _column(table, column):
    return sa.table(table, sa.column(column)).c[column]


def _taken(connection, column, unique, address, composed):
    """Whether composing `address` in `column` would collide in its unique index: it holds
    `address`, and another row holds `composed` as the index compares them."""
    if connection.execute(sa.select(column).where(column == address).limit(1)).first() is None:
        return False
    same = sa.func.lower(column) == sa.func.lower(sa.literal(composed)) \
        if unique == 'lower' else column == composed
    return connection.execute(
        sa.select(column).where(same, column != address).limit(1)).first() is not None


def upgrade():
    connection = op.get_bind()
    columns = [(_column(table, column), unique) for table, column, unique in COLUMNS]
    addresses = set()
    for column, _unique in columns:
        addresses.update(a for a in connection.execute(sa.select(column).distinct()).scalars()
                         if a and unicodedata.normalize('NFC', a) != a)
    # One address at a time, each checked against the rows as the ones before left them.
    for address in sorted(addresses):
        composed = unicodedata.normalize('NFC', address)
        if any(_taken(connection, column, unique, address, composed)
               for column, unique in columns if unique):
            continue
        for column, _unique in columns:
            connection.execute(sa.update(column.table).where(column == address)
                               .values({column.name: composed}))


def downgrade():
    # A composed address is one the older code reads and finds as well.
    pass
