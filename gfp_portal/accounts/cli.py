"""`flask users create-admin EMAIL`: the first account, created from the command line."""
import click
from flask.cli import AppGroup

from gfp_portal.accounts import services
from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.password_option(help="The password (asked for when not given).")
def create_admin(email, password):
    """Create an active administrator account."""
    try:
        services.create_admin(email, password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Administrator {email} created.")
