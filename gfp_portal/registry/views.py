"""Registry pages: the list, a person, appointment actions, the directory, import and export."""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.accounts.queries import visible_unct_choices, visible_unct_ids
from gfp_portal.attendance.records import learning_record
from gfp_portal.core import previews
from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import is_confirmed, went_back
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import (
    commit_service,
    found_or_404,
    job_page,
    paginate,
    paginate_ids,
    request_path,
    save_form,
    show_domain_error,
    with_query,
)
from gfp_portal.core.i18n import current_language, viewer_today
from gfp_portal.extensions import db
from gfp_portal.practices.queries import awards_of
from gfp_portal.privacy.anonymise import may_anonymise
from gfp_portal.reference.queries import (
    duty_station_by_id,
    duty_station_choices,
    entity_by_acronym,
    unct_of_scope,
)
from gfp_portal.registry import exports, queries, services
from gfp_portal.registry.forms import (
    AppointmentForm,
    EndAppointmentForm,
    ImportForm,
    PersonForm,
    RegistryFilterForm,
    RenewForm,
    ReplaceForm,
)
from gfp_portal.registry.imports import previewed
from gfp_portal.registry.imports.reading import APPOINTMENT_KEY, REQUIRED
from gfp_portal.registry.models import Appointment, Person
from gfp_portal.registry.policy import Policy

bp = Blueprint("registry", __name__, url_prefix="/registry")

READERS = ("coordinator", "resident_coordinator", "focal_point")


def registry_filter(form):
    return queries.RegistryFilter(
        q=form.q.data or None, entity=form.entity.data or None, unct=form.unct.data or None,
        region=form.region.data or None, role=form.role.data or None,
        status=form.status.data or "active", expiring_days=form.expiring.data,
        lapsed_days=form.lapsed.data,
        warning=bool(form.warning.data), sort=form.sort.data or "name",
        scope_unct_ids=visible_unct_ids(current_user))


def filter_form():
    form = RegistryFilterForm(request.args, entity_choices=queries.entity_acronyms(),
                              unct_choices=visible_unct_choices(current_user,
                                                                queries.unct_choices()))
    form.validate()
    return form


@bp.route("/")
@roles_required(*READERS)
def index():
    if not (current_user.is_staff or current_user.has_role("resident_coordinator")):
        return directory()
    form = filter_form()
    criteria = registry_filter(form)
    policy, today = Policy.current(), viewer_today()
    count = queries.people_total(criteria, today=today, policy=policy, now=utcnow())
    if criteria.sort in queries.INDEXED_SORTS:
        pagination = paginate(queries.people_query(criteria, today=today, policy=policy),
                              count=count)
    else:
        pagination = paginate_ids(queries.people_ids(criteria, today=today, policy=policy),
                                  queries.people_by_ids, count=count)
    return render_template("registry/index.html", form=form, pagination=pagination,
                           criteria=criteria, policy=policy, today=today,
                           matching=queries.matching_appointments,
                           read_only=not current_user.is_staff)


def directory():
    q = request.args.get("q", "").strip()[:200] or None
    entity = request.args.get("entity", "").strip()[:40] or None
    today = viewer_today()
    pagination = paginate(queries.directory_query(q, entity, today=today))
    return render_template("registry/directory.html", pagination=pagination, q=q or "",
                           entity=entity or "", entities=queries.entity_acronyms(),
                           today=today)


def _load_person_for_reader(person_id):
    person = found_or_404(queries.person_with_profile(person_id))
    scope = visible_unct_ids(current_user)
    if scope is not None and not queries.person_in_scope(person, scope):
        abort(403)
    return person


@bp.route("/people/<int:person_id>")
@roles_required("coordinator", "resident_coordinator")
def person(person_id):
    person = _load_person_for_reader(person_id)
    scope = visible_unct_ids(current_user)
    appointments = [a for a in person.appointments if scope is None or a.unct_id in scope]
    read_only = not current_user.is_staff
    return render_template("registry/person.html", person=person, appointments=appointments,
                           policy=Policy.current(), today=viewer_today(),
                           events=queries.person_history(person) if scope is None else [],
                           read_only=read_only,
                           # Offered only when anonymising would not be refused.
                           may_anonymise=not read_only and may_anonymise(person),
                           record=learning_record(person) if scope is None else None,
                           awards=awards_of(person), language=current_language())


# --- people ---------------------------------------------------------------------------------

def _person_form(**kwargs):
    return PersonForm(entity_choices=queries.entity_acronyms(),
                      station_choices=duty_station_choices(), **kwargs)


def _person_data(form):
    return {"given_name": form.given_name.data, "family_name": form.family_name.data,
            "email": form.email.data, "phone": form.phone.data,
            "position_title": form.position_title.data, "grade": form.grade.data,
            "entity": entity_by_acronym(form.entity.data),
            "duty_station": duty_station_by_id(form.duty_station.data),
            "preferred_language": form.preferred_language.data,
            "time_zone": form.time_zone.data, "directory_consent": form.directory_consent.data}


@bp.route("/people/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create_person():
    form = _person_form()
    del form.reason
    return save_form(
        form, lambda: services.create_person(_person_data(form), actor=current_user),
        done=lambda person: _("%(name)s is added to the registry.", name=person.full_name),
        to=lambda person: url_for("registry.person", person_id=person.id),
    ) or render_template("registry/person_form.html", form=form, person=None)


def _unless_refused(person):
    """Asked for a page that changes `person` (their record, a new term): back to their page,
    which says why, when the registry refuses any change of them (anonymised). A form sent
    is refused by the service on its page, with what was typed kept."""
    if request.method != "GET":
        return None
    try:
        services.check_changeable(person)
    except DomainError as error:
        show_domain_error(error)
        return redirect(url_for("registry.person", person_id=person.id))
    return None


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit_person(person_id):
    person = db.get_or_404(Person, person_id)
    if refused := _unless_refused(person):
        return refused
    form = _person_form(data={
        "given_name": person.given_name, "family_name": person.family_name,
        "email": person.email, "phone": person.phone, "position_title": person.position_title,
        "grade": person.grade, "entity": person.entity.acronym if person.entity else "",
        "duty_station": person.duty_station_id or 0,
        "preferred_language": person.preferred_language, "time_zone": person.time_zone,
        "directory_consent": person.directory_consent})
    return save_form(
        form, lambda: services.update_person(person, _person_data(form), actor=current_user,
                                             reason=form.reason.data or None),
        saved=lambda __: _("The record of %(name)s is saved.", name=person.full_name),
        to=url_for("registry.person", person_id=person.id), record=person,
    ) or render_template("registry/person_form.html", form=form, person=person)


# --- appointments ---------------------------------------------------------------------------

def _scope_choices():
    return queries.unct_choices()


def _appointment_data(form, *, with_scope=True):
    data = {"start_date": form.start_date.data, "end_date": form.end_date.data,
            "time_share": form.time_share.data, "tor_on_file": form.tor_on_file.data,
            "appointed_by_name": form.appointed_by_name.data,
            "appointed_by_title": form.appointed_by_title.data}
    if with_scope:
        data["role"] = form.role.data
        data["entity"] = entity_by_acronym(form.entity.data)
        data["unct"] = unct_of_scope(form.scope.data)
    return data


@bp.route("/people/<int:person_id>/appointments/new", methods=["GET", "POST"])
@roles_required("coordinator")
def appoint(person_id):
    person = db.get_or_404(Person, person_id)
    if refused := _unless_refused(person):
        return refused
    form = AppointmentForm(entity_choices=queries.entity_acronyms(),
                           scope_choices=_scope_choices(),
                           data={"start_date": viewer_today(), "entity": request.args.get(
                               "entity", person.entity.acronym if person.entity else ""),
                               "scope": request.args.get("scope", "HQ"),
                               "role": request.args.get("role", "focal_point")})
    holder = None

    def save():
        nonlocal holder
        try:
            return services.appoint(person, _appointment_data(form), actor=current_user)
        except DomainError as error:
            holder = getattr(error, "holder", None)  # the page offers to replace them
            raise

    return save_form(
        form, save, done=lambda appointment: _(
            "%(name)s is appointed %(role)s.", name=person.full_name,
            role=appointment.role.in_sentence),
        to=url_for("registry.person", person_id=person.id),
    ) or render_template("registry/appointment_form.html", form=form, person=person,
                         holder=holder)


def _appointment_action(appointment, form, title, save, **answer):
    """The page of one action on an appointment, saved as save_form saves it (`answer`: its
    `done` and `to`)."""
    return save_form(form, save, **answer) or render_template(
        "registry/appointment_action.html", form=form, appointment=appointment, title=title)


@bp.route("/appointments/<int:appointment_id>/renew", methods=["GET", "POST"])
@roles_required("coordinator")
def renew(appointment_id):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = RenewForm()
    return _appointment_action(
        appointment, form, _("Renew the appointment"),
        lambda: services.renew(appointment, end_date=form.end_date.data, actor=current_user),
        done=lambda renewed: _("The appointment is renewed until %(date)s.",
                               date=format_date(renewed.end_date, "long")),
        to=url_for("registry.person", person_id=appointment.person_id))


@bp.route("/appointments/<int:appointment_id>/end", methods=["GET", "POST"])
@roles_required("coordinator")
def end(appointment_id):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = EndAppointmentForm(data={"ended_on": viewer_today()})
    return _appointment_action(
        appointment, form, _("End the appointment"),
        lambda: services.end_appointment(appointment, reason=form.reason.data,
                                         ended_on=form.ended_on.data,
                                         note=form.note.data or None, actor=current_user),
        done=_("The appointment has ended."),
        to=url_for("registry.person", person_id=appointment.person_id))


@bp.route("/appointments/<int:appointment_id>/replace", methods=["GET", "POST"])
@roles_required("coordinator")
def replace(appointment_id):
    appointment = db.get_or_404(Appointment, appointment_id)
    form = ReplaceForm(data={"start_date": viewer_today(), "email": request.args.get("email", ""),
                             "time_share": appointment.time_share})
    return _appointment_action(
        appointment, form, _("Replace the holder"), lambda: _replace(appointment, form),
        done=lambda successor: _("%(name)s now holds the appointment.",
                                 name=successor.person.full_name),
        to=lambda successor: url_for("registry.person", person_id=successor.person_id))


def _replace(appointment, form):
    newcomer = services.find_person_by_email(form.email.data)
    if newcomer is None:
        newcomer = services.create_person({
            "given_name": form.given_name.data, "family_name": form.family_name.data,
            "email": form.email.data, "entity": appointment.entity}, actor=current_user)
    data = _appointment_data(form, with_scope=False)
    data["reason"] = form.reason.data or None
    return services.replace(appointment, newcomer, data, actor=current_user)



# --- export and import ----------------------------------------------------------------------

@bp.route("/export.<any(csv, xlsx):fmt>", methods=["GET", "POST"])
@roles_required("coordinator", "resident_coordinator")
def export(fmt):
    if went_back():  # from the confirmation of a large export: to the filters it was of
        return redirect(with_query(url_for("registry.index"), request.args))
    criteria, today = registry_filter(filter_form()), viewer_today()
    people = queries.count_people(criteria, today=today)
    if people <= current_app.config["REGISTRY_EXPORT_INLINE_MAX"]:
        data, _people = exports.registry_file(criteria, fmt, today=today)
        return send_download(data, exports.file_name(fmt, today),
                             content_type=exports.CONTENT_TYPES[fmt])
    # A large file is prepared in the background: a click shows what will happen, the
    # confirmation (a POST) starts the job and opens its page, which offers the file.
    if request.method == "POST" and is_confirmed():
        if not ConfirmForm().validate_on_submit():
            abort(400)
        ok, job = commit_service(exports.queue_export, criteria, fmt, today=today,
                                 actor=current_user)
        if ok:
            return redirect(job_page(job))
    title = _("Prepare the registry export")
    return render_template(
        "confirm.html", title=title, action=with_query(request_path(), request.args),
        carried=[], form=ConfirmForm(),
        consequences=[
            ngettext("%(num)s person matches these filters.",
                     "%(num)s people match these filters.", people),
            _("The file is prepared in the background; its page shows the progress and "
              "offers the file for download when it is ready.")])


@bp.route("/import", methods=["GET", "POST"])
@roles_required("coordinator")
def import_file():
    return previews.upload_page(ImportForm(), previewed.start_preview, "registry/import.html",
                                required=REQUIRED, appointment_key=APPOINTMENT_KEY)


@bp.route("/import/confirm", methods=["POST"])
@roles_required("coordinator")
def import_confirm():
    return previews.confirm_page(previewed.start_apply, "registry.import_file")
