"""Request helpers shared by the views: safe redirects and service-error display."""
from urllib.parse import urlsplit

from flask import current_app, flash, request

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


def after_response(response, call, *args, **kwargs):
    """Run `call` and commit once `response` has been sent, so that its work cannot show in the
    time the answer takes. It runs in a copy of this request's context (links, settings); a
    failure is rolled back and logged, since the answer has already gone."""
    app = current_app._get_current_object()
    environ = request.environ.copy()

    def run():
        with app.request_context(environ):
            try:
                call(*args, **kwargs)
                db.session.commit()
            except Exception:  # the client has its answer; keep the worker serving
                db.session.rollback()
                app.logger.exception("Work after the response failed: %s", call.__name__)

    response.call_on_close(run)
    return response


def paginate(stmt):
    """One page of `stmt`, numbered by the `page` query parameter."""
    return db.paginate(stmt, page=request.args.get("page", 1, type=int),
                       per_page=current_app.config["PER_PAGE"], error_out=False)
