"""/join: a newly appointed focal point asks to join; confirms the address; amends on request.

Every answer after sending the form is the same page, whatever the address: it never tells
whether the address has an account or a request already (the email says it instead).
"""
from flask import Blueprint, current_app, g, redirect, render_template, request, url_for

from gfp_portal.core import storage
from gfp_portal.core.auth import public
from gfp_portal.core.errors import DomainError
from gfp_portal.core.http import commit, commit_service, resend_entries, show_domain_error
from gfp_portal.core.i18n import current_language
from gfp_portal.core.text import email_address
from gfp_portal.extensions import db, limiter
from gfp_portal.nominations import join, services
from gfp_portal.nominations.forms import JoinForm
from gfp_portal.nominations.views import nominee_data
from gfp_portal.reference.queries import duty_station_choices, entity_by_acronym, unct_of_scope
from gfp_portal.registry import queries as registry_queries

bp = Blueprint("join", __name__, url_prefix="/join")


def _ip_limit():
    return current_app.config["JOIN_RATE_LIMIT"]


def _email_limit():
    return current_app.config["JOIN_EMAIL_RATE_LIMIT"]


def _email_key():
    return "join-email:" + email_address(request.form.get("email") or "").lower()


def _cost_of_request():
    """What a request to join (or an amendment) costs against the limits, counted in the same
    step as the limit is checked, before the view runs, so that requests sent at once cannot
    all pass it: nothing for a form refused (its fields or its memo), shown again with its
    errors, which saves and sends nothing (counting it would hold back the newcomer's
    corrected form for the rest of the day); one for any other, a wrong link included."""
    return 0 if _sent_form() is not None and not g.join_valid else 1


def _sent_form():
    """The form of the request to join (or of its amendment) as sent, checked once for the
    limits and the view; None for a link that is not one, which counts in full."""
    if "join_form" not in g:
        g.join_form, g.join_amending, g.join_valid = None, None, False
        try:
            if request.view_args.get("token") is None:
                g.join_form = _form(data={"preferred_language": current_language(),
                                          "role": "focal_point"})
            else:
                g.join_amending = join.request_for_amendment(request.view_args["token"])
                # In the form's own terms (acronym, ISO3, ids): the request's own entity,
                # role and duty station are objects, which no option of the form matches.
                g.join_form = _form(memo_required=False,
                                    data=services.form_values(g.join_amending))
                # The confirmed address (join.amend keeps it).
                g.join_form.email.render_kw = {"readonly": True}
        except DomainError as error:
            g.join_error = error
            return None
        # Sent by the language switch: checked and shown again, never sent, and counted as
        # a form refused.
        switching = resend_entries(g.join_form)
        g.join_valid = g.join_form.validate_on_submit() and _memo_accepted(g.join_form) and \
            not switching
    return g.join_form


def _memo_accepted(form):
    """Whether the memo sent (if any) is one that submitting takes; else its error is on the
    form."""
    try:
        join.check_memo(form.memo.data)
    except DomainError as error:
        show_domain_error(error, form)
        return False
    return True


def _form(memo_required=True, **kwargs):
    limit = storage.human_size(current_app.config["NOMINATION_LETTER_MAX_BYTES"])
    return JoinForm(scope_choices=registry_queries.unct_choices(),
                    entity_choices=registry_queries.entity_acronyms(),
                    station_choices=duty_station_choices(), letter_limit_mb=limit,
                    memo_required=memo_required, **kwargs)


def _data(form):
    entity, unct = entity_by_acronym(form.entity.data), unct_of_scope(form.scope.data)
    return nominee_data(form, entity, unct) | {"tor_acknowledged": False, "replaces": None}


@bp.route("", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"], cost=_cost_of_request)
@limiter.limit(_email_limit, methods=["POST"], key_func=_email_key, cost=_cost_of_request)
def create():
    form = _sent_form()
    if g.join_valid:
        try:
            _request, superseded = join.submit_join_request(_data(form), memo=form.memo.data)
        except DomainError as error:
            db.session.rollback()
            if error.code != "duplicate_open_request":
                show_domain_error(error, form)
                return render_template("join/form.html", form=form, amending=None)
            # Told by email, not on the page: the page must not reveal the request exists.
            join.notify_open_request(form.email.data)
            commit()
        else:
            commit()
            storage.remove(superseded)
        return redirect(url_for("join.sent"))
    return render_template("join/form.html", form=form, amending=None)


@bp.route("/sent")
@public
def sent():
    return render_template("join/sent.html", days=current_app.config["JOIN_VERIFY_DAYS"])


@bp.route("/verify/<token>", methods=["GET", "POST"])
@public
# Every press counts: nothing is typed on this page, whose link is all there is to guess.
@limiter.limit(_ip_limit, methods=["POST"])
def verify(token):
    """GET shows a button (mail scanners that open links must not confirm anything)."""
    try:
        join.request_to_verify(token)
    except DomainError as error:
        return render_template("join/link_invalid.html", error=error), 404
    if request.method == "POST":
        ok, _request = commit_service(join.verify, token)
        if ok:
            return render_template("join/verified.html")
    return render_template("join/verify.html", token=token)


@bp.route("/amend/<token>", methods=["GET", "POST"])
@public
# A wrong link counts in full: it is all there is to guess, as on /join/verify.
@limiter.limit(_ip_limit, methods=["POST"], cost=_cost_of_request)
def amend(token):
    form = _sent_form()
    if form is None:
        return render_template("join/link_invalid.html", error=g.join_error), 404
    current = g.join_amending
    if g.join_valid:
        ok, old_key = commit_service(join.amend, token, _data(form), memo=form.memo.data,
                                     form=form)
        if ok:
            storage.remove(old_key)
            return render_template("join/verified.html", amended=True)
    return render_template("join/form.html", form=form, amending=current)
