"""Parity totals: the women and men of each entity in each quarter, all its figures together,
written by each import; filled here from the figures already kept.

Revision ID: 0028_parity_totals
Revises: 0027_audit_events_newest
Create Date: 2026-12-04 18:10:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0028_parity_totals'
down_revision = '0027_audit_events_newest'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'parity_totals',
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.SmallInteger(), nullable=False),
        sa.Column('quarter', sa.SmallInteger(), nullable=False),
        sa.Column('women', sa.Integer(), nullable=False),
        sa.Column('men', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['entity_id'], ['entities.id'],
                                name=op.f('fk_parity_totals_entity_id_entities')),
        sa.PrimaryKeyConstraint('entity_id', 'year', 'quarter', name=op.f('pk_parity_totals')),
    )
    op.execute("INSERT INTO parity_totals (entity_id, year, quarter, women, men) "
               "SELECT entity_id, year, quarter, sum(women), sum(men) FROM parity_figures "
               "GROUP BY entity_id, year, quarter")


def downgrade():
    op.drop_table('parity_totals')
