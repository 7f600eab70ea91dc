"""Access rules: every view declares who may call it; views without a rule are refused."""
from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request
from flask_login import current_user, login_url

from gfp_portal.core.http import page_sent_from

ACCESS_ATTR = "access_rule"
PUBLIC = "public"
SIGNED_IN = "signed_in"

# Methods that ask for a page; any other sends something (a form).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Flask's own static-file endpoints serve public assets and carry no rule of ours.
STATIC_ENDPOINT_SUFFIX = "static"


def _mark(view, rule):
    setattr(view, ACCESS_ATTR, rule)
    return view


def public(view):
    """Anyone may call this view, signed in or not."""
    return _mark(view, PUBLIC)


def signed_in(view):
    """Any active, signed-in account."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return view(*args, **kwargs)
    return _mark(wrapper, SIGNED_IN)


def roles_required(*roles):
    """A signed-in account holding one of `roles`; admins pass every role check."""
    allowed = frozenset(roles) | {"admin"}

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()
            if not current_user.has_any_role(allowed):
                abort(403)
            return view(*args, **kwargs)
        return _mark(wrapper, tuple(sorted(allowed)))
    return decorator


def sign_in_first():
    """The answer to a visitor who must be signed in (the login manager's unauthorized
    handler). A page asked for leads to the sign-in page, which leads back to it. A form sent
    after the sign-in ended (signed out in another tab or on another device, the password
    changed) is answered with a page that says so and offers the entries back
    (static/js/entries.js): on the sign-in page the browser would take the form as received
    and forget them. Without JavaScript, its button leads to the sign-in page, and back to
    the page the form was on."""
    manager = current_app.login_manager
    if request.method not in SAFE_METHODS:
        sign_in = login_url(manager.login_view, next_url=page_sent_from())
        return current_app.make_response(
            (render_template("errors/signed_out.html", code=403, sign_in=sign_in), 403))
    flash(manager.login_message, manager.login_message_category)
    return redirect(login_url(manager.login_view, next_url=request.url))


def access_rule_of(view):
    return getattr(view, ACCESS_ATTR, None)


def may_open(endpoint):
    """Whether the signed-in account (or the visitor) passes the access rule of `endpoint`'s
    view: a page links to another only for those it will not refuse."""
    rule = access_rule_of(current_app.view_functions[endpoint])
    if rule == PUBLIC:
        return True
    if not current_user.is_authenticated:
        return False
    return rule == SIGNED_IN or current_user.has_any_role(rule)


def is_static_endpoint(endpoint):
    return endpoint == STATIC_ENDPOINT_SUFFIX or endpoint.endswith("." + STATIC_ENDPOINT_SUFFIX)


def enforce_declared_rules():
    """before_request hook: deny by default any view that forgot to declare its access rule."""
    endpoint = request.endpoint
    if endpoint is None or is_static_endpoint(endpoint):
        return None
    view = current_app.view_functions.get(endpoint)
    if view is not None and access_rule_of(view) is None:
        current_app.logger.error("view %s has no access rule; refused", endpoint)
        abort(403)
    return None
