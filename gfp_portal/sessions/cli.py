"""`flask sessions send-reminders`: the hourly job that reminds registered people."""
import click
from flask.cli import AppGroup

from gfp_portal.attendance.evaluations import send_reminders as send_evaluation_reminders
from gfp_portal.core.mail_cli import require_server_name
from gfp_portal.extensions import db
from gfp_portal.sessions.services import send_reminders

sessions_cli = AppGroup("sessions", help="Training sessions.")


@sessions_cli.command("send-reminders")
def send_reminders_command():
    """Email everyone registered for a session that starts within the reminder period
    (setting sessions.reminder_hours, default 24), each once."""
    require_server_name()
    sent = send_reminders()
    db.session.commit()
    click.echo(f"Session reminders sent: {sent}.")


@sessions_cli.command("send-evaluation-reminders")
def send_evaluation_reminders_command():
    """Remind, once, the people who attended a session and have not evaluated it while its
    evaluation is open, when they can sign in to answer it."""
    require_server_name()
    sent = send_evaluation_reminders()
    db.session.commit()
    click.echo(f"Evaluation reminders sent: {sent}.")
