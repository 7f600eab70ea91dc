"""A registration (a person's or a guest's) now keeps the SEQUENCE of the cancellation of its
place too, so that an invitation to come back is sent above it. Places cancelled before kept
only that of their last invitation, or none: each such place that held one is taken to have
been sent its cancellation with the session's SEQUENCE of now. At worst, the place given again
raises the session's SEQUENCE by one that was not needed.

Revision ID: 0043_cancelled_places_sequence
Revises: 0042_parity_file_again
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0043_cancelled_places_sequence'
down_revision = '0042_parity_file_again'
branch_labels = None
depends_on = None


def upgrade():
    # A person's place that held a seat: kept its time (cancelled), its invitation's SEQUENCE,
    # or the audit trail of its withdrawal or removal (waiting again since).
    op.execute(
        "UPDATE registrations SET invited_sequence = (SELECT ical_sequence"
        " FROM training_sessions WHERE training_sessions.id = registrations.session_id)"
        " WHERE status <> 'registered' AND (registered_at IS NOT NULL"
        " OR invited_sequence IS NOT NULL OR EXISTS (SELECT 1 FROM audit_events"
        " WHERE audit_events.object_type = 'registrations'"
        " AND audit_events.object_id = registrations.id"
        " AND audit_events.action IN ('registration.withdraw', 'registration.remove')))")
    # A guest's place confirmed once keeps the time it was (asking again leaves it).
    op.execute(
        "UPDATE guest_registrations SET invited_sequence = (SELECT ical_sequence"
        " FROM training_sessions WHERE training_sessions.id = guest_registrations.session_id)"
        " WHERE status <> 'registered' AND (registered_at IS NOT NULL"
        " OR invited_sequence IS NOT NULL)")


def downgrade():
    # The older code reads the SEQUENCE of places held only, which this left as it was.
    pass
