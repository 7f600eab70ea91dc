"""`flask coverage remind`: email each Resident Coordinator the gaps of their UNCTs."""
import click
from flask.cli import AppGroup

from gfp_portal.core.mail_cli import require_server_name
from gfp_portal.coverage.reminders import send_gap_reminders
from gfp_portal.extensions import db

coverage_cli = AppGroup("coverage", help="Coverage of the UN Country Teams.")


@coverage_cli.command("remind")
def remind():
    """Queue the gap reminders that are due (at most one per period and person)."""
    require_server_name()
    queued = send_gap_reminders()
    db.session.commit()
    click.echo(f"Queued {queued} gap reminders.")
