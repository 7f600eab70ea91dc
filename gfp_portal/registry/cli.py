"""`flask registry send-alerts`: the daily job that lapses ended terms, sends term alerts and
stops the calendar feeds of those whose last term is over."""
import click
from flask.cli import AppGroup

from gfp_portal.accounts.models import Role
from gfp_portal.accounts.services import active_users_with_role, revoke_feeds_after_last_terms
from gfp_portal.core.db import utcnow
from gfp_portal.core.mail_cli import require_server_name
from gfp_portal.extensions import db
from gfp_portal.registry.alerts import LAPSE, send_term_alerts

registry_cli = AppGroup("registry", help="Registry of focal points.")


@registry_cli.command("send-alerts")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD); default: today (UTC).")
def send_alerts(today):
    """Lapse ended terms, queue the term alerts that are due (each one once) and stop the
    calendar feeds of those whose last term is over."""
    require_server_name()
    day = today.date() if today else utcnow().date()
    summary = send_term_alerts(today=day, coordinators=active_users_with_role(Role.coordinator))
    stopped = revoke_feeds_after_last_terms(today=day)
    db.session.commit()
    parts = [f"{days} days: {n}" for days, n in summary.sent.items() if days != LAPSE]
    parts.append(f"lapsed: {summary.sent.get(LAPSE, 0)}")
    click.echo(f"Term alerts sent: {summary.total} ({', '.join(parts)}).")
    click.echo(f"Terms lapsed: {summary.lapsed}. Coordinator digests: {summary.digests}.")
    click.echo(f"Calendar feeds stopped after the last term: {stopped}.")
