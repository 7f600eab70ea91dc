"""`flask nominations send-digest`: the daily digest of new nominations to coordinators."""
import click
from flask.cli import AppGroup

from gfp_portal.core.mail_cli import require_server_name
from gfp_portal.core.settings import get_setting
from gfp_portal.extensions import db
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
