"""Request helpers shared by the views: safe redirects, service-error display, hostile input
refused with a 400 that says why, pagination."""
from urllib.parse import urlsplit

from flask import current_app, flash, request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

from gfp_portal.core.errors import DomainError
from gfp_portal.extensions import db


def safe_next(target, default):
    """Follow `next` only to a path on this site; anything else goes to `default`."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def next_from_request(default):
    return safe_next(request.args.get("next") or request.form.get("next"), default)


def show_domain_error(error, form=None):
    """Attach a DomainError to its form field when it names one, else flash it."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "danger")


def commit_service(call, *args, form=None, **kwargs):
    """Run one service call and commit: (True, result); on DomainError roll back, show the
    error (on its form field when it names one) and return (False, None)."""
    try:
        result = call(*args, **kwargs)
    except DomainError as error:
        db.session.rollback()
        show_domain_error(error, form)
        return False, None
    db.session.commit()
    return True, result


# Far beyond the last page of any list; larger numbers overflow the database's integers.
MAX_PAGE = 100_000


class BadInput(BadRequest):
    """A 400 whose page tells the person, in their language, what was wrong."""

    def __init__(self, message):
        super().__init__(description=message)
        self.message = message


def refuse_nul_bytes():
    """No person types a NUL byte and no column stores one (PostgreSQL refuses it outright):
    refuse it anywhere in the address or a submitted form, before any view reads it."""
    texts = [request.path, *(t for pair in request.args.items(multi=True) for t in pair)]
    if request.method in ("POST", "PUT", "PATCH"):
        texts += [t for pair in request.form.items(multi=True) for t in pair]
    if any("\x00" in text for text in texts):
        raise BadInput(_("The request contains an invalid character (a NUL byte)."))


def page_number():
    """The `page` query parameter: 1 when absent or not a number, a 400 when out of range."""
    page = request.args.get("page", 1, type=int)
    if page > MAX_PAGE:
        raise BadInput(_("This page number does not exist."))
    return max(page, 1)


def paginate(stmt):
    """One page of `stmt`, numbered by the `page` query parameter."""
    return db.paginate(stmt, page=page_number(), per_page=current_app.config["PER_PAGE"],
                       error_out=False)
