"""`flask reference load`: load the shipped entities and UN Country Teams (idempotent)."""
import click
from flask.cli import AppGroup

from gfp_portal.extensions import db
from gfp_portal.reference.services import load_reference_data

reference_cli = AppGroup("reference", help="Reference data: entities and UN Country Teams.")


@reference_cli.command("load")
def load():
    """Add the shipped entities, UNCTs and covered countries that are missing."""
    added = load_reference_data()
    db.session.commit()
    click.echo("Added {entities} entities, {uncts} UN Country Teams and {countries} covered "
               "countries.".format(**added))
