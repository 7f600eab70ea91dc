"""`flask nominations send-digest` and `flask nominations purge-unconfirmed`: daily jobs."""
import click
from flask.cli import AppGroup

from gfp_portal.core import storage
from gfp_portal.core.mail_cli import require_server_name
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
from gfp_portal.nominations.join import purge_unverified
from gfp_portal.nominations.services import send_digest

nominations_cli = AppGroup("nominations", help="Nominations of focal points.")


@nominations_cli.command("send-digest")
def send_digest_command():
    """Email coordinators the nominations submitted since the last digest (daily job)."""
    require_server_name()
    if not get_setting("nominations.daily_digest"):
        click.echo("The daily digest is off: coordinators are told of each nomination at once.")
    reported = send_digest()
    db.session.commit()
    click.echo(f"Nominations reported to coordinators: {reported}.")


@nominations_cli.command("purge-unconfirmed")
def purge_unconfirmed_command():
    """Delete requests to join whose email address was not confirmed in time (daily job)."""
    purged, keys = purge_unverified()
    db.session.commit()
    for key in keys:
        storage.remove(key)
    click.echo(f"Unconfirmed requests to join deleted: {purged}.")
