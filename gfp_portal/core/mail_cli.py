"""`flask mail deliver [--loop]`: the outbox worker."""
import signal
import time

import click
from flask import current_app
from flask.cli import AppGroup

from gfp_portal.core.outbox import deliver_due
from gfp_portal.core.transports import transport_from_config

mail_cli = AppGroup("mail", help="Deliver the emails waiting in the outbox.")


def require_server_name():
    """Commands that email links need SERVER_NAME: outside a request it is their only host."""
    if not current_app.config.get("SERVER_NAME"):
        raise click.UsageError("Set SERVER_NAME (e.g. gfp.example.org): the emails link "
                               "to the portal.")


def drain(transport, stopping=()):
    """Deliver batch after batch, without pausing, until a batch is not full (nothing more is
    due) or the worker is asked to stop; returns (sent, failed_tries)."""
    batch = current_app.config["MAIL_BATCH_SIZE"]
    sent = failed = 0
    while True:
        batch_sent, batch_failed = deliver_due(transport, limit=batch)
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_sent + batch_failed < batch or stopping:
            return sent, failed


@mail_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep running and deliver new messages as they come.")
@click.option("--interval", type=float, default=None, help="Seconds between polls with --loop.")
def deliver(loop, interval):
    """Send every due message (and, with --loop, keep sending new ones as they come)."""
    transport = transport_from_config(current_app.config)
    interval = interval or current_app.config["MAIL_POLL_SECONDS"]
    stopping = []

    def stop(signum, frame):
        stopping.append(signum)

    if loop:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        click.echo(f"Outbox worker started ({current_app.config['MAIL_TRANSPORT']} transport).")
    while True:
        sent, failed = drain(transport, stopping)
        if sent or failed or not loop:
            click.echo(f"Sent {sent}, failed attempts {failed}.")
        if not loop or stopping:
            break
        # Sleep in short steps so that Ctrl-C or SIGTERM stops the worker promptly.
        deadline = time.monotonic() + interval
        while time.monotonic() < deadline and not stopping:
            time.sleep(0.2)
        if stopping:
            break
    if loop:
        click.echo("Outbox worker stopped.")
