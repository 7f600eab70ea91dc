"""The addresses a person had before the registry changed theirs are kept as digests, apart
from the registry's history: anonymising the person finds the emails sent to those addresses
and the requests to join made under them once the audit details period has emptied that
history. The changes of address the history still holds are recorded now.

Revision ID: 0047_former_addresses
Revises: 0046_keys_words_apart
Create Date: 2026-12-09 12:00:00.000000

"""
import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0047_former_addresses'
down_revision = '0046_keys_words_apart'
branch_labels = None
depends_on = None


def _digest(address):
    """As privacy.former_addresses.address_digest writes it."""
    return hashlib.sha256(address.strip().lower().encode('utf-8')).hexdigest()


def upgrade():
    table = op.create_table(
        'former_addresses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['person_id'], ['people.id'],
                                name=op.f('fk_former_addresses_person_id_people'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_former_addresses')),
        sa.UniqueConstraint('person_id', 'digest',
                            name=op.f('uq_former_addresses_person_id_digest')),
    )
    op.create_index(op.f('ix_former_addresses_person_id'), 'former_addresses', ['person_id'])

    events = sa.table('audit_events', sa.column('object_type'), sa.column('object_id'),
                      sa.column('changes', sa.JSON))
    people = sa.table('people', sa.column('id'), sa.column('email'),
                      sa.column('anonymised_at'))
    connection = op.get_bind()
    current = {row.id: (row.email or '').strip().lower() for row in connection.execute(
        sa.select(people.c.id, people.c.email).where(people.c.anonymised_at.is_(None)))}
    kept = set()
    for person_id, changes in connection.execute(sa.select(
            events.c.object_id, events.c.changes).where(
            events.c.object_type == 'people',
            sa.cast(events.c.changes, sa.Text).like('%"email"%'))):
        pair = changes.get('email') if isinstance(changes, dict) else None
        if person_id not in current or not isinstance(pair, list):
            continue
        for address in pair:
            if isinstance(address, str) and address.strip() and \
                    address.strip().lower() != current[person_id]:
                kept.add((person_id, _digest(address)))
    now = datetime.now(UTC)
    if kept:
        op.bulk_insert(table, [{'person_id': person_id, 'digest': digest, 'recorded_at': now}
                               for person_id, digest in sorted(kept)])


def downgrade():
    op.drop_index(op.f('ix_former_addresses_person_id'), table_name='former_addresses')
    op.drop_table('former_addresses')
