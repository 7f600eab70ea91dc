"""Training pages of the Office, a blueprint nested in the sessions one (sessions.manage.*):
create, edit, publish, duplicate and cancel sessions; the roster with the waiting list; adding
people one by one or as a filtered group; series."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from gfp_portal.attendance.queries import group_members
from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import (
    confirm_then_act,
    confirmation_page,
    confirmation_step,
    is_confirmed,
    went_back,
)
from gfp_portal.core.db import utcnow
from gfp_portal.core.edits import unless_crossed
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import (
    commit_service,
    commit_then_redirect,
    flash_saved,
    job_page,
    resend_entries,
    run_action,
    save_form,
)
from gfp_portal.core.i18n import current_language
from gfp_portal.core.timezones import from_wall_time, wall_time
from gfp_portal.extensions import db
from gfp_portal.reference.models import Region
from gfp_portal.registry import queries as registry_queries
from gfp_portal.registry.forms import role_choices
from gfp_portal.registry.services import find_person_by_email
from gfp_portal.sessions import hours, queries, registration, services, topics
from gfp_portal.sessions.forms import AddPersonForm, GroupForm, SeriesForm, SessionForm
from gfp_portal.sessions.models import Audience, Registration, RegistrationStatus, TrainingSession

bp = Blueprint("manage", __name__)


def _to_job_or(job, url):
    """To the page of the job doing the rest of the work, if there is one, else to `url`."""
    return redirect(job_page(job) if job is not None else url)


def _session_form(session=None):
    """The session form, filled in from `session` (to edit or duplicate it) or with the
    defaults of a new one."""
    return SessionForm(series_choices=queries.series_choices(),
                       topic_choices=topics.topic_choices(
                           current_language(), active_only=True,
                           keep=session.topic if session is not None else None),
                       data=_form_data_of(session) if session is not None else {
                           "time_zone": "Europe/Zurich", "languages": ["en"], "capacity": 100,
                           "audience": "both", "format": "virtual",
                           "waitlist_policy": "first_come"})


def _form_data_of(session):
    zone = session.time_zone
    data = {f: getattr(session, f) for f in services.TEXT_FIELDS}
    data.update(topic=session.topic, format=session.format.value, time_zone=zone,
                starts_at=wall_time(session.starts_at, zone),
                ends_at=wall_time(session.ends_at, zone),
                join_url=session.join_url, venue=session.venue,
                languages=session.language_codes, capacity=session.capacity,
                registration_opens_at=wall_time(session.registration_opens_at, zone),
                registration_closes_at=wall_time(session.registration_closes_at, zone),
                audience=session.audience.value, series=session.series_id or 0,
                waitlist_policy=session.waitlist_policy.value)
    return data


def _wants_saving(form):
    """The form was sent to be saved (not only to check the hours) and is valid."""
    return not form.check_hours.data and form.validate_on_submit()


def _save_session(form, save, **answer):
    """save_form, unless the form was sent only to check the hours: then it is shown again
    (its entries sent again by the language switch)."""
    if form.check_hours.data:
        resend_entries(form)
        return None
    return save_form(form, save, **answer)


def _hours(form, shown=None):
    """The fair-hours check of the time the form holds, if it holds a valid one (`shown`: the
    session the form was filled in from)."""
    fields = (form.time_zone, form.starts_at, form.ends_at, form.audience, form.hours_region)
    # Sent to check the hours, the form is not validated as a whole: these fields are, here.
    # Otherwise their errors are those of the validation the view ran (or none, unsent).
    valid = all([field.validate(form) for field in fields]) if form.check_hours.data else \
        not any(field.errors for field in fields)
    if not valid or form.starts_at.data is None or form.ends_at.data is None:
        return None
    if form.ends_at.data <= form.starts_at.data:
        if form.check_hours.data:
            form.ends_at.errors.append(_("The session must end after it starts."))
        return None
    zone = form.time_zone.data
    return hours.check(_moment(form, "starts_at", shown), _moment(form, "ends_at", shown), zone,
                       Audience(form.audience.data).roles, region=form.hours_region.data or None)


def _form_page(form, **context):
    shown = context.get("session") or context.get("original")
    return render_template("sessions/form.html", form=form, hours=_hours(form, shown),
                           **context)


def _moment(form, field, shown=None):
    """The moment of the form's time `field` in its time zone. A time sent back as the form
    showed it from `shown` (the session edited or copied) is that session's moment, also when
    the clocks show it twice (and would otherwise read the first)."""
    return from_wall_time(getattr(form, field).data, form.time_zone.data,
                          keep=getattr(shown, field, None))


def _data(form, shown=None):
    zone = form.time_zone.data
    data = {f: getattr(form, f).data for f in services.TEXT_FIELDS}
    data.update(topic=form.topic.data, format=form.format.data, time_zone=zone,
                starts_at=_moment(form, "starts_at", shown),
                ends_at=_moment(form, "ends_at", shown),
                join_url=form.join_url.data, venue=form.venue.data,
                languages=" ".join(form.languages.data or []), capacity=form.capacity.data,
                registration_opens_at=_moment(form, "registration_opens_at", shown),
                registration_closes_at=_moment(form, "registration_closes_at", shown),
                audience=form.audience.data, series_id=form.series.data or None,
                waitlist_policy=form.waitlist_policy.data)
    return data


@bp.route("/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create():
    form = _session_form()
    return _save_session(
        form, lambda: services.create_session(_data(form), actor=current_user),
        done=_("The session is saved as a draft. Publish it to open registration."),
        to=lambda session: url_for("sessions.detail", session_id=session.id),
    ) or _form_page(form, session=None)


@bp.route("/fair-hours")
@roles_required("coordinator")
def fair_hours():
    return render_template("sessions/fair_hours.html", years=hours.offered_by_year(),
                           regions=[*(region.value for region in Region), hours.HEADQUARTERS],
                           region_titles={**{r.value: r.title for r in Region},
                                          hours.HEADQUARTERS: _("Headquarters")})


@bp.route("/<int:session_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = _session_form(session)
    save = unless_crossed(
        form, session, lambda: services.update_session(session, _data(form, session),
                                                       actor=current_user),
        changes_of=lambda result: result[0])
    switching = resend_entries(form)  # checked and shown again, never saved
    if _wants_saving(form) and not switching:
        ok, result = commit_service(save, form=form)
        if ok:
            changes, notified, job = result
            flash_saved(changes, _saved(notified))
            return _to_job_or(job, url_for("sessions.detail", session_id=session.id))
    return _form_page(form, session=session, notified=services.notified_by_change(session))


def _saved(notified):
    """The message after saving a session, saying whom the updated invitation reaches."""
    if notified.guests:
        return _("The session is saved; %(people)s and %(guests)s get the updated "
                 "invitation.", **notified.counted())
    if notified.people:
        return ngettext(
            "The session is saved; %(num)s registered person gets the updated invitation.",
            "The session is saved; %(num)s registered people get the updated invitation.",
            notified.people)
    return _("The session is saved.")


@bp.route("/<int:session_id>/duplicate", methods=["GET", "POST"])
@roles_required("coordinator")
def duplicate(session_id):
    original = db.get_or_404(TrainingSession, session_id)
    form = _session_form(original)
    return _save_session(
        form, lambda: services.duplicate_session(original, _data(form, original),
                                                 actor=current_user),
        done=_("The copy is saved as a draft."),
        to=lambda copy: url_for("sessions.detail", session_id=copy.id),
    ) or _form_page(form, session=None, original=original)


@bp.route("/<int:session_id>/publish", methods=["POST"])
@roles_required("coordinator")
def publish(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    return run_action(services.publish_session, session, actor=current_user,
                      done=_("The session is published: registration is open."),
                      back=url_for("sessions.detail", session_id=session.id))


@bp.route("/<int:session_id>/cancel", methods=["POST"])
@roles_required("coordinator")
def cancel(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    back = url_for("sessions.detail", session_id=session.id)
    if went_back():  # no reason needed to change one's mind
        return redirect(back)
    form = ConfirmForm()
    # A reason that fails its check is shown on the confirmation page, as the service's is.
    if not form.validate_on_submit() and set(form.errors) != {"reason"}:
        abort(400)
    if is_confirmed() and not form.reason.errors:
        ok, result = commit_service(services.cancel_session, session, reason=form.reason.data,
                                    actor=current_user, form=form)
        if ok:
            notified, job = result
            flash(_("The session is cancelled; %(people)s and %(guests)s are told.",
                    **notified.counted()) if notified.guests else
                  ngettext("The session is cancelled; %(num)s registered person is told.",
                           "The session is cancelled; %(num)s registered people are told.",
                           notified.people), "success")
            return _to_job_or(job, back)
        if not form.reason.errors:
            return redirect(back)
    notified = services.notified_by_change(session)
    return confirmation_page(_("Cancel the session for everyone"), [
        _("%(people)s and %(guests)s will be told and emailed the cancellation.",
          **notified.counted()) if notified.guests else
        ngettext("%(num)s registered person will be told and emailed the cancellation.",
                 "%(num)s registered people will be told and emailed the cancellation.",
                 notified.people),
        _("The waiting list is closed; nobody can register any more.")],
        form=form, with_reason=True,
        reason_label=_("Reason (required, kept in the history)"),
        status=400 if form.reason.errors else 200)


@bp.route("/<int:session_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    return confirm_then_act(
        services.delete_draft, session, actor=current_user,
        confirmation=lambda: _delete_confirmation(session), done=_("The draft is deleted."),
        back=url_for("sessions.detail", session_id=session.id), to=url_for("sessions.index"))


def _delete_confirmation(session):
    services.check_deletable(session)
    return _("Delete the draft"), [_(
        "The draft is deleted for good, with its agenda and its guest invitation links; nobody "
        "is registered, no email is sent.")]


@bp.route("/<int:session_id>/roster")
@roles_required("coordinator")
def roster(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    rows, today = queries.roster(session), utcnow().date()
    positions, passed_over = registration.waitlist_standing(session, today=today)
    return render_template(
        "sessions/roster.html", session=session, rows=rows, positions=positions,
        passed_over=passed_over, today=today,
        taken=sum(r.status == RegistrationStatus.registered for r in rows),
        waiting=sum(r.status == RegistrationStatus.waitlisted for r in rows),
        add_form=AddPersonForm(), group_form=_group_form(), confirm=ConfirmForm())


def _group_form(**kwargs):
    return GroupForm(entity_choices=registry_queries.entity_acronyms(),
                     region_choices=[(r.value, r.title) for r in Region],
                     role_choices=role_choices(),
                     unct_choices=registry_queries.unct_choices(),
                     topic_choices=topics.topic_choices(current_language()), **kwargs)


@bp.route("/<int:session_id>/roster/add", methods=["POST"])
@roles_required("coordinator")
def add_person(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = AddPersonForm()
    if form.validate_on_submit():
        person = find_person_by_email(form.email.data)
        if person is None:
            flash(_("Nobody in the registry has the address %(email)s.",
                    email=form.email.data), "danger")
        else:
            ok, result = commit_service(registration.register, session, person,
                                        actor=current_user, by_coordinator=True)
            if ok:
                flash(_("%(name)s: %(status)s.", name=person.full_name,
                        status=result.status.title), "success")
    return redirect(url_for("sessions.manage.roster", session_id=session.id))


@bp.route("/<int:session_id>/roster/group", methods=["POST"])
@roles_required("coordinator")
def add_group(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = _group_form()
    back = url_for("sessions.manage.roster", session_id=session.id)
    if not form.validate_on_submit():
        return redirect(back)
    people = group_members(roles=session.audience.roles, role=form.role.data,
                           entity=form.entity.data, unct=form.unct.data,
                           region=form.region.data, not_attended=form.not_attended.data)
    return confirmation_step(lambda: _group_confirmation(session, people), back=back) or \
        commit_then_redirect(registration.queue_group, session, people, actor=current_user,
                             back=back, to=job_page)


def _group_confirmation(session, people):
    counts = registration.preview_group(session, people)
    lines = [
        ngettext("%(num)s person matches; %(seats)s: %(registered)s will be registered, "
                 "%(waitlisted)s waitlisted.",
                 "%(num)s people match; %(seats)s: %(registered)s will be registered, "
                 "%(waitlisted)s waitlisted.", counts["matching"],
                 seats=ngettext("%(num)s seat left", "%(num)s seats left", counts["seats_left"]),
                 registered=counts["registered"], waitlisted=counts["waitlisted"]),
        ngettext("%(num)s invitation will be emailed.", "%(num)s invitations will be emailed.",
                 counts["invitations"])]
    if counts["term_ends_before"]:
        lines.append(ngettext(
            "%(num)s person is left out: their term ends before the session.",
            "%(num)s people are left out: their terms end before the session.",
            counts["term_ends_before"]))
    return _("Register the group"), lines


@bp.route("/registrations/<int:registration_id>/remove", methods=["POST"])
@roles_required("coordinator")
def remove(registration_id):
    row = db.get_or_404(Registration, registration_id)
    return confirm_then_act(
        registration.cancel, row, actor=current_user, reason=ConfirmForm().reason.data,
        by_coordinator=True, confirmation=lambda: _removal_confirmation(row),
        done=_("%(name)s is removed from the session.", name=row.person.full_name),
        back=url_for("sessions.manage.roster", session_id=row.session_id))


def _removal_confirmation(row):
    preview, name = registration.removal_preview(row), row.person.full_name
    lines = [_("%(name)s loses their seat and is sent an email that removes the session from "
               "their calendar.", name=name) if preview["emailed"] else
             _("%(name)s is taken off the list; no email is sent.", name=name)]
    if preview["successor"] is not None:
        lines.append(_("The seat goes to %(name)s, first on the waiting list, who is told by "
                       "email.", name=preview["successor"].full_name))
    return _("Remove %(name)s from the session", name=name), lines


@bp.route("/series/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create_series():
    form = SeriesForm()
    return save_form(
        form, lambda: services.create_series({
            f"title_{lang}": getattr(form, f"title_{lang}").data
            for lang in ("en", "fr", "es", "ar")}, actor=current_user),
        done=lambda series: _("The series “%(title)s” is created; choose it in the form of "
                              "each of its sessions.",
                              title=series.text("title", current_language())),
        to=url_for("sessions.manage.create"),
    ) or render_template("sessions/series_form.html", form=form)

