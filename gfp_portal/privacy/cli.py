"""`flask privacy apply-retention`: the daily job, by hand."""
import click
from flask.cli import AppGroup

from gfp_portal.core import storage
from gfp_portal.core.db import utcnow
from gfp_portal.extensions import db
from gfp_portal.privacy.retention import apply_retention

privacy_cli = AppGroup("privacy", help="People's data: retention periods.")


@privacy_cli.command("apply-retention")
def apply_retention_command():
    """Remove what is older than its retention period (the settings; 0 keeps forever)."""
    counts, keys = apply_retention(now=utcnow())
    db.session.commit()
    for key in keys:
        storage.remove(key)
    click.echo(f"Requests to join never confirmed deleted: {counts['unconfirmed_requests']}.")
    click.echo(f"People who left anonymised: {counts['contact_data']}.")
    click.echo(f"Guests anonymised: {counts['guest_data']}.")
    click.echo(f"Audit events whose details were emptied: {counts['audit_details']}.")
    click.echo(f"Sent emails whose text was cleared: {counts['mail_bodies']}.")
