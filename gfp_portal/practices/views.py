"""Good practices: the library, one practice, the submission and its language versions, the
Office's review; the roll of honour. Coordinators manage the awards in manage.py, a blueprint
nested in this one (practices.manage.*)."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import public, roles_required, signed_in
from gfp_portal.core.edits import seen_of, showing, version_keys
from gfp_portal.core.forms import ConfirmForm, language_choice, language_choices
from gfp_portal.core.http import (
    came_from,
    commit_service,
    commit_then_redirect,
    found_or_404,
    paginate,
    paginate_counted_in_rows,
    resend_entries,
    run_action,
    save_form,
)
from gfp_portal.core.i18n import choose_version, current_language, language_name
from gfp_portal.practices import manage, queries, services
from gfp_portal.practices.forms import (
    DecisionForm,
    PracticeFilterForm,
    PracticeForm,
    ReviewForm,
    VersionForm,
)
from gfp_portal.reference.queries import entities_by_ids, entity_choices

bp = Blueprint("practices", __name__, url_prefix="/practices")
bp.register_blueprint(manage.bp)

SUBMITTERS = ("focal_point", "coordinator")

def _load(practice_id):
    """The practice if this viewer may see it: a signed-out visitor is asked to sign in, anyone
    else who may not see it gets 404 (no hint that it exists)."""
    practice = found_or_404(queries.practice_by_id(practice_id))
    if not queries.can_see(practice, current_user):
        if not current_user.is_authenticated:
            abort(current_app.login_manager.unauthorized())
        abort(404)
    return practice


def _back(practice, **values):
    """The practice's page (with `values`: the version shown), still leading back to the
    page of the library it was opened from."""
    return url_for("practices.detail", practice_id=practice.id,
                   back=came_from("practices.index"), **values)


def _editable(practice_id):
    """The practice if this viewer may edit it, else 403. A form its submitter sends after the
    Office decided (published, say, while they typed) goes on to the service, which refuses
    it: its page then says why, with what they typed."""
    practice = _load(practice_id)
    sent_by_submitter = request.method == "POST" and practice.submitter_id == current_user.id
    if not (services.may_edit(current_user, practice) or sent_by_submitter):
        abort(403)
    return practice


@bp.route("/")
@public
def index():
    if not queries.may_read_library(current_user):
        return current_app.login_manager.unauthorized()
    entities, years = queries.filter_choices()
    form = PracticeFilterForm(request.args, entities=entities, years=years,
                              signed_in=current_user.is_authenticated)
    filters = form.filters()
    if filters["q"]:
        pagination = paginate_counted_in_rows(queries.library_query(current_user, **filters))
    else:
        pagination = paginate(queries.library_query(current_user, **filters),
                              count=queries.library_count(current_user, **filters))
    language = current_language()
    shown = {p.id: choose_version(p, language) for p in pagination.items}
    return render_template("practices/index.html", form=form, pagination=pagination,
                           shown=shown, language=language, state=filters["state"],
                           may_submit=services.may_submit(current_user))


@bp.route("/<int:practice_id>")
@public
def detail(practice_id):
    return _detail_page(_load(practice_id))


def _detail_page(practice, decision=None, decided=None):
    """The practice's page; `decision` a review form sent back (with its errors, or refused),
    from the form `decided` names (changes or decline), so that the text typed is shown
    again. The review's new forms keep the practice's latest event: what the page shows."""
    review = ReviewForm()
    if decision is None:
        decision = DecisionForm()
        fresh = (review, decision)
    else:
        fresh = (review,)
    if current_user.is_authenticated and current_user.is_staff and practice.is_open:
        showing(practice, *fresh)
    asked = request.args.get("version")
    language = current_language()
    version, __ = choose_version(practice, asked if asked in practice.languages
                                 else language)
    # The notice says the reader's language is missing, whichever version they opened.
    fallback = version is not None and practice.version(language) is None
    own = current_user.is_authenticated and practice.submitter_id == current_user.id
    return render_template(
        "practices/detail.html", practice=practice, version=version, fallback=fallback,
        language=language, may_edit=services.may_edit(current_user, practice), own=own,
        missing=[code for code in services.languages() if practice.version(code) is None],
        events=events_for("practices", practice.id)
        if current_user.is_authenticated and (current_user.is_staff or own) else None,
        confirm=ConfirmForm(), review=review, decision=decision, decided=decided)


def _entity_choices():
    """Every entity for the Office; a focal point's own entities for a focal point."""
    entities = services.own_entities(current_user)
    return entity_choices() if entities is None else [(e.id, e.acronym) for e in entities]


def _practice_data(form):
    chosen = entities_by_ids([form.entity.data]) if form.entity.data else []
    data = {"entity": chosen[0] if chosen else None,
            "year": form.year.data, "area": form.area.data, "contacts": form.contacts.data}
    for name in ("language", "title", "summary", "body", "results"):
        if name in form:
            data[name] = form[name].data
    return data


def _practice_form(**kwargs):
    return PracticeForm(entities=_entity_choices(), **kwargs)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*SUBMITTERS)
def create():
    if not services.may_submit(current_user):
        abort(403)
    form = _practice_form(data={"language": current_language()})
    return save_form(
        form, lambda: services.submit_practice(_practice_data(form), actor=current_user),
        done=_("Thank you: the practice is submitted to the Office for review."),
        to=lambda practice: url_for("practices.detail", practice_id=practice.id),
    ) or render_template("practices/form.html", form=form, practice=None)


@bp.route("/<int:practice_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(practice_id):
    practice = _editable(practice_id)
    form = _practice_form(with_version=False, data={
        "entity": practice.entity_id, "year": practice.year, "area": practice.area.value,
        "contacts": ", ".join(p.email for p in practice.contacts)})
    return save_form(
        form, lambda: services.update_practice(practice, _practice_data(form),
                                               actor=current_user),
        saved=_("The practice is saved."), to=_back(practice), record=practice,
    ) or render_template("practices/form.html", form=form, practice=practice)


def _version_data(form, language):
    return {"language": language, "title": form.title.data, "summary": form.summary.data,
            "body": form.body.data, "results": form.results.data}


@bp.route("/<int:practice_id>/versions/new", methods=["GET", "POST"])
@signed_in
def add_version(practice_id):
    practice = _editable(practice_id)
    choices = [c for c in language_choices() if practice.version(c[0]) is None]
    if not choices:
        flash(_("This practice exists in every language already."), "info")
        return redirect(_back(practice))
    form = VersionForm(languages=choices, data={"language": request.args.get("language")})
    return save_form(
        form, lambda: services.add_version(practice, _version_data(form, form.language.data),
                                           actor=current_user),
        done=lambda version: _("Version added: %(language)s.",
                               language=language_name(version.language)),
        to=lambda version: _back(practice, version=version.language),
    ) or render_template("practices/version_form.html", form=form, practice=practice,
                         version=None)


@bp.route("/<int:practice_id>/versions/<lang>", methods=["GET", "POST"])
@signed_in
def edit_version(practice_id, lang):
    practice = _editable(practice_id)
    version = found_or_404(practice.version(lang))
    form = VersionForm(languages=[language_choice(lang)], obj=version)
    return save_form(
        form, lambda: services.update_version(version, _version_data(form, lang),
                                              actor=current_user),
        saved=_("Version saved: %(language)s.", language=language_name(lang)),
        to=_back(practice, version=lang),
        record=practice, changes_of=version_keys(lang),
    ) or render_template("practices/version_form.html", form=form, practice=practice,
                         version=version)


@bp.route("/<int:practice_id>/resubmit", methods=["POST"])
@signed_in
def resubmit(practice_id):
    practice = _load(practice_id)
    return run_action(services.resubmit_practice, practice, actor=current_user,
                      done=_("The practice is submitted again."), back=_back(practice))


@bp.route("/<int:practice_id>/publish", methods=["POST"])
@roles_required("coordinator")
def publish(practice_id):
    practice = _load(practice_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    return commit_then_redirect(services.publish_practice, practice, actor=current_user,
                                seen=seen_of(form),
                                done=_("The practice is published; the submitter is told."),
                                back=_back(practice))


def _decide(practice_id, call, message, decided):
    """A decision with a message to the submitter; refused, or sent by the language switch,
    the page again as the practice is now, with the message typed."""
    practice = _load(practice_id)
    form = DecisionForm()
    switching = resend_entries(form)
    if not form.validate_on_submit() or switching:
        return _detail_page(practice, form, decided), 400 if form.errors else 200
    ok, __ = commit_service(call, practice, form.text.data, actor=current_user,
                            seen=seen_of(form), form=form)
    if not ok:  # the page shows the practice as it is now: decided on, once read again
        showing(practice, form)
        return _detail_page(practice, form, decided)
    flash(message, "success")
    return redirect(_back(practice))


@bp.route("/<int:practice_id>/request-changes", methods=["POST"])
@roles_required("coordinator")
def request_changes(practice_id):
    return _decide(practice_id, services.request_changes,
                   _("The submitter is asked to change the practice."), "changes")


@bp.route("/<int:practice_id>/decline", methods=["POST"])
@roles_required("coordinator")
def decline(practice_id):
    return _decide(practice_id, services.decline_practice, _("The practice is declined."),
                   "decline")


@bp.route("/awards")
@public
def awards():
    language = current_language()
    years = queries.awards_by_year()
    citations = {a.id: choose_version(a, language) for __, group in years for a in group}
    return render_template("practices/awards.html", years=years, citations=citations,
                           language=language)

