"""The induction path: a person's checklist (induction.mine), their tick of the terms of
reference, and the Office's list of who is on the path (induction.index)."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core.auth import roles_required, signed_in
from gfp_portal.core.http import commit_service, found_or_404, page_number
from gfp_portal.core.i18n import current_language
from gfp_portal.induction import queries, services
from gfp_portal.induction.forms import STATE_TITLES, InductionFilterForm, TermsReadForm
from gfp_portal.registry import queries as registry_queries

bp = Blueprint("induction", __name__, url_prefix="/induction")


@bp.route("/")
@roles_required("coordinator")
def index():
    form = InductionFilterForm(request.args, entity_choices=registry_queries.entity_acronyms())
    form.validate()
    overview = queries.overview(state=form.state.data or None, q=form.q.data or None,
                                entity=form.entity.data or None, page=page_number(),
                                per_page=current_app.config["PER_PAGE"])
    return render_template("induction/index.html", form=form, overview=overview,
                           states=STATE_TITLES)


@bp.route("/mine")
@signed_in
def mine():
    progress = queries.progress_of_person(current_user.person)
    return render_template("induction/mine.html", progress=progress, form=TermsReadForm(),
                           language=current_language())


@bp.route("/terms-read", methods=["POST"])
@signed_in
def terms_read():
    progress = found_or_404(queries.progress_of_person(current_user.person))
    form = TermsReadForm()
    if form.validate_on_submit():
        ok, changed = commit_service(services.mark_terms_read, progress.path, progress,
                                     actor=current_user)
        if ok and changed:
            flash(_("Thank you: the terms of reference are marked as read."), "success")
    return redirect(url_for("induction.mine"))
