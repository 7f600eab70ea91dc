"""`flask demo seed`: demonstration data (refused under the production config)."""
import click
from flask import current_app
from flask.cli import AppGroup

from gfp_portal.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from gfp_portal.extensions import db

demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
def seed():
    """Load the demo network and accounts (idempotent)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Refusing to load demo data under the production config.")
    added = seed_demo()
    db.session.commit()
    click.echo(f"Demo data ready ({len(added['accounts'])} new accounts, {added['people']} new "
               f"people, {added['appointments']} new appointments, {added['nominations']} new "
               f"nominations, {added['sessions']} new sessions).")
    click.echo(f"Demo library: {added['resources']} new resources (their files are generated "
               "demo files).")
    click.echo(f"Demo good practices: {added['practices']} new practices, {added['awards']} "
               "new awards.")
    click.echo(f"Demo implementation plans: {added['plans']} new plans.")
    click.echo(f"Demo induction: {added['induction_paths']} people on the induction path.")
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for spec in DEMO_ACCOUNTS:
        click.echo(f"  {spec[0]:<24} {', '.join(r.value for r in spec[3])}")
