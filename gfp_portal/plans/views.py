"""Implementation plan pages: the network view and list (the Office), one plan with what each
role may change there, the periods, and the documents' downloads."""

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.core import storage
from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required, signed_in
from gfp_portal.core.confirm import confirmation_step
from gfp_portal.core.downloads import send_download
from gfp_portal.core.edits import showing
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import (
    came_from,
    commit_then_redirect,
    found_or_404,
    paginate,
    resend_entries,
    save_form,
)
from gfp_portal.core.i18n import viewer_today
from gfp_portal.plans import queries, services
from gfp_portal.plans.forms import (
    DocumentForm,
    NoteForm,
    PeriodForm,
    PlanFilterForm,
    PlanForm,
    ResponsibleForm,
    StatusForm,
    TargetsForm,
)
from gfp_portal.plans.models import PlanStatus, Standing

bp = Blueprint("plans", __name__, url_prefix="/plans")

OFFICE = ("coordinator",)


@bp.route("/")
@roles_required(*OFFICE)
def index():
    today = viewer_today()
    periods = queries.periods()
    form = PlanFilterForm(request.args, periods=periods)
    form.validate()
    period = next((p for p in periods if str(p.id) == form.period.data), None) or \
        (periods[0] if periods else None)
    if period is None:
        return render_template("plans/index.html", form=form, period=None, periods=periods)
    form.period.data = str(period.id)
    rows, totals = queries.network_view(period, today)
    f = queries.PlanFilter(period_id=period.id, standing=form.status.data or None,
                           entity_type=form.type.data or None)
    page = paginate(queries.plans_query(f, today), count=queries.plans_count(f, today))
    return render_template("plans/index.html", form=form, period=period, periods=periods,
                           rows=rows, totals=totals, page=page, today=today,
                           standings=list(Standing))


@bp.route("/periods", methods=["GET", "POST"])
@roles_required(*OFFICE)
def periods():
    form = PeriodForm()
    return save_form(
        form, lambda: services.create_period({
            "name": form.name.data, "first_year": form.first_year.data,
            "last_year": form.last_year.data, "deadline": form.deadline.data},
            actor=current_user),
        done=lambda period: _("The period %(name)s is created.", name=period.label),
        to=url_for("plans.periods"),
    ) or render_template("plans/periods.html", form=form, periods=queries.periods())


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*OFFICE)
def create():
    periods = queries.periods()
    chosen = queries.period_by_id(request.values.get("period", type=int)) or \
        (periods[0] if periods else None)
    form = PlanForm(data={"period": chosen.id if chosen else None}, periods=periods,
                    entity_choices=queries.entities_without_plan(chosen) if chosen else ())

    def create_plan():
        entity = queries.entity_by_id(form.entity.data)
        period = queries.period_by_id(form.period.data)
        if entity is None or period is None:
            abort(400)
        return services.create_plan(entity, period, actor=current_user)

    return save_form(
        form, create_plan,
        done=lambda plan: _("The implementation plan of %(entity)s for %(period)s is created.",
                            entity=plan.entity.acronym, period=plan.period.label),
        to=lambda plan: url_for("plans.detail", plan_id=plan.id),
    ) or render_template("plans/new.html", form=form, periods=periods)


def _load(plan_id):
    """The plan if this viewer may see it; 404 when it does not exist, 403 otherwise."""
    plan = found_or_404(queries.plan_for_page(plan_id))
    if not services.may_view(current_user, plan):
        abort(403)
    return plan


def _forms(plan, **given):
    limit = storage.human_size(current_app.config["PLAN_DOCUMENT_MAX_BYTES"])
    forms = {
        "status_form": StatusForm(data={"status": plan.status.value}),
        "document_form": DocumentForm(limit_mb=limit,
                                      data={"language": current_user.locale or "en"}),
        "confirm": ConfirmForm(),
    }
    if current_user.is_staff:
        forms.update(
            responsible_form=ResponsibleForm(
                choices=queries.responsible_choices(plan),
                data={"people": [p.id for p in plan.responsible]}),
            targets_form=TargetsForm(data={"targets": [
                {"grade": t.grade, "year": t.year, "women_percent": t.women_percent}
                for t in plan.targets]}),
            note_form=NoteForm())
        showing(plan, *(forms[name] for name in ("responsible_form", "targets_form")
                        if name not in given))
    forms.update(given)
    return forms


def _render(plan, status=200, **given):
    today = viewer_today()
    years = plan.period.years
    grades = sorted({t.grade for t in plan.targets}, key=str.casefold)
    cells = {(t.grade, t.year): t.women_percent for t in plan.targets}
    return render_template(
        "plans/detail.html", plan=plan, today=today, standing=plan.standing(today),
        current=plan.current_documents(), years=years, grades=grades, cells=cells,
        may_work=services.may_work_on(current_user, plan),
        events=events_for("implementation_plans", plan.id, limit=50) if current_user.is_staff
        else [], **_forms(plan, **given)), status


@bp.route("/<int:plan_id>")
@signed_in
def detail(plan_id):
    return _render(_load(plan_id))[0]


def _back(plan):
    """The plan's page, still leading back to the page of the plans it was opened from."""
    return url_for("plans.detail", plan_id=plan.id, back=came_from("plans.index"))


def _plan_form(plan, form, name, save, **answer):
    """A form of the plan's page posted, saved as save_form saves it (`answer`: its `done` or
    `saved`, and the plan as its `record` for a form that edits it) and back to the page;
    else the page again with the form's errors."""
    return save_form(form, save, to=_back(plan), **answer) or \
        _render(plan, 200, **{name: form})


def _set_status(plan, status, title, consequence, done):
    """Change the plan's status once confirmed; before, the confirmation page says
    `consequence`."""
    return confirmation_step(lambda: (title, [consequence]), back=_back(plan)) or \
        commit_then_redirect(services.change_status, plan, status, actor=current_user,
                             saved=done, back=_back(plan))


@bp.route("/<int:plan_id>/status", methods=["POST"])
@roles_required(*OFFICE)
def change_status(plan_id):
    plan = _load(plan_id)
    form = StatusForm()
    switching = resend_entries(form)  # shown again in another language, never confirmed
    if not form.validate_on_submit() or switching:
        return _render(plan, 400 if form.errors else 200, status_form=form)
    status = PlanStatus(form.status.data)
    return _set_status(plan, status, _("Change the status"), _(
        "The implementation plan of %(entity)s for %(period)s becomes “%(status)s” (now "
        "“%(current)s”).", entity=plan.entity.acronym, period=plan.period.label,
        status=status.title, current=plan.status.title), _("The status is changed."))


@bp.route("/<int:plan_id>/submit", methods=["POST"])
@signed_in
def submit(plan_id):
    """A responsible focal point marks the plan submitted."""
    plan = _load(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _set_status(plan, PlanStatus.submitted, _("Mark the plan as submitted"), _(
        "The implementation plan of %(entity)s for %(period)s is recorded as submitted to the "
        "Office.", entity=plan.entity.acronym, period=plan.period.label),
        _("The plan is marked as submitted."))


@bp.route("/<int:plan_id>/responsible", methods=["POST"])
@roles_required(*OFFICE)
def responsible(plan_id):
    plan = _load(plan_id)
    form = ResponsibleForm(choices=queries.responsible_choices(plan))
    return _plan_form(plan, form, "responsible_form", lambda: services.set_responsible(
        plan, queries.people_by_ids(form.people.data or []), actor=current_user),
        saved=_("The responsible focal points are saved."), record=plan)


@bp.route("/<int:plan_id>/documents", methods=["POST"])
@signed_in
def upload(plan_id):
    plan = _load(plan_id)
    if not services.may_work_on(current_user, plan):
        abort(403)
    form = DocumentForm()
    return _plan_form(plan, form, "document_form", lambda: services.add_document(
        plan, form.language.data, form.file.data, actor=current_user),
        done=_("The document is uploaded."))


@bp.route("/<int:plan_id>/documents/<int:document_id>")
@signed_in
def download(plan_id, document_id):
    plan = _load(plan_id)
    document = found_or_404(queries.document_of(plan, document_id))
    content = found_or_404(storage.stream(document.file_key))
    return send_download(content, document.filename, content_type=document.content_type,
                         etag=document.sha256)


@bp.route("/<int:plan_id>/targets", methods=["POST"])
@roles_required(*OFFICE)
def targets(plan_id):
    plan = _load(plan_id)
    form = TargetsForm()
    return _plan_form(plan, form, "targets_form", lambda: services.set_targets(
        plan, form.targets.data, actor=current_user), saved=_("The targets are saved."),
        record=plan)


@bp.route("/<int:plan_id>/notes", methods=["POST"])
@roles_required(*OFFICE)
def add_note(plan_id):
    plan = _load(plan_id)
    form = NoteForm()
    return _plan_form(plan, form, "note_form", lambda: services.add_note(
        plan, form.text.data, actor=current_user),
        done=lambda added: _("The note is added; the responsible focal points are told by "
                             "email.") if added[1] else _(
            "The note is added. No focal point is responsible for this plan: nobody was "
            "emailed."))
