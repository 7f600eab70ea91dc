"""Emails carrying an access link are marked secret: no page shows their text.

Revision ID: 0008_outbox_secrets
Revises: 0007_attendance
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_outbox_secrets'
down_revision = '0007_attendance'
branch_labels = None
depends_on = None

# The templates that can carry a single-use link; earlier messages made from them are withheld
# whether or not they held one (a decision without an amendment link, a welcome without an
# activation link), since the difference is no longer recorded.
LINK_TEMPLATES = ('activate_account', 'reset_password', 'join_verify', 'join_decision',
                  'nomination_welcome')


def upgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_secret', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    outbox = sa.table('outbox_messages', sa.column('template', sa.String),
                      sa.column('is_secret', sa.Boolean))
    op.execute(outbox.update().where(outbox.c.template.in_(LINK_TEMPLATES))
               .values(is_secret=True))


def downgrade():
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_column('is_secret')
