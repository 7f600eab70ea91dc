"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""
from gfp_portal.app import create_app

app = create_app()
