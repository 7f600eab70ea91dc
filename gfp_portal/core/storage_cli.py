"""`flask storage purge-pending` (daily) and `flask storage copy-to-database` (once, when a
second machine arrives)."""
import click
from flask import current_app
from flask.cli import AppGroup

from gfp_portal.core.db import db
from gfp_portal.core.file_stores import DatabaseStore, LocalStore
from gfp_portal.core.storage import is_key, purge_exports, purge_pending

storage_cli = AppGroup("storage", help="Uploaded files and pending previews.")


@storage_cli.command("copy-to-database")
def copy_to_database_command():
    """Copy every file kept under STORAGE_PATH into the database, one file per transaction;
    files already there are left as they are, so the command can be run again safely."""
    local = LocalStore(current_app.config["STORAGE_PATH"])
    database = DatabaseStore(db.session)
    copied = kept = 0
    for key in filter(is_key, local.keys()):
        if database.exists(key):
            kept += 1
            continue
        database.put(key, local.read(key))
        db.session.commit()
        copied += 1
    click.echo(f"Files copied into the database: {copied}; already there: {kept}.")
    click.echo("Set STORAGE_BACKEND=database on every machine, then restart them.")


@storage_cli.command("purge-pending")
def purge_pending_command():
    """Delete the import previews never confirmed within PENDING_PREVIEW_HOURS and the
    prepared exports older than EXPORT_KEEP_HOURS (daily job)."""
    click.echo(f"Expired previews deleted: {purge_pending()}.")
    click.echo(f"Expired export files deleted: {purge_exports()}.")
