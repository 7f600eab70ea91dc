"""Admin pages: dashboard, users and settings (admins), outbox and audit log (coordinators)."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from gfp_portal.accounts import services as accounts
from gfp_portal.accounts.models import User
from gfp_portal.admin import queries
from gfp_portal.admin.forms import (
    AuditFilterForm,
    EditRolesForm,
    InviteUserForm,
    OutboxFilterForm,
    UserFilterForm,
)
from gfp_portal.admin.settings_forms import SettingsForm
from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import roles_required
from gfp_portal.core.confirm import confirmation_page, is_confirmed, went_back
from gfp_portal.core.db import utcnow
from gfp_portal.core.edits import unless_crossed
from gfp_portal.core.engine import engine
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.history import object_titles, record_pages
from gfp_portal.core.http import (
    commit_service,
    next_from_request,
    paginate,
    resend_entries,
    save_form,
)
from gfp_portal.core.jobs import queue_run_again, shown_error
from gfp_portal.core.outbox import MailStatus, OutboxMessage, retry_message
from gfp_portal.core.settings import ALL_SETTINGS, all_settings, update_settings
from gfp_portal.core.timezones import moment_reading
from gfp_portal.extensions import db
from gfp_portal.privacy import retention
from gfp_portal.reference.queries import unct_id_choices, uncts_by_ids
from gfp_portal.resources import analytics as resource_analytics

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@roles_required("coordinator")
def index():
    return render_template("admin/index.html", counts=queries.dashboard_counts(),
                           downloads=resource_analytics.downloads_table(utcnow().date()),
                           gaps=resource_analytics.gap_counts())


@bp.route("/users/")
@roles_required("admin")
def users():
    form = UserFilterForm(request.args)
    form.validate()
    pagination = paginate(queries.users_query(form.q.data, form.role.data or None,
                                               form.status.data or None))
    return render_template("admin/users.html", form=form, pagination=pagination)


@bp.route("/users/new", methods=["GET", "POST"])
@roles_required("admin")
def invite_user():
    form = InviteUserForm(unct_choices=unct_id_choices())
    return save_form(
        form, lambda: accounts.invite_user({
            "email": form.email.data, "given_name": form.given_name.data,
            "family_name": form.family_name.data, "roles": form.roles.data,
            "uncts": uncts_by_ids(form.uncts.data), "locale": form.locale.data,
            "time_zone": form.time_zone.data}, actor=current_user),
        done=lambda user: _("The invitation to %(email)s is on its way.", email=user.email),
        to=lambda user: url_for("admin.user_detail", user_id=user.id),
    ) or render_template("admin/user_invite.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def user_detail(user_id):
    user = db.get_or_404(User, user_id)
    form = EditRolesForm(unct_choices=unct_id_choices(),
                         data={"roles": [r.value for r in user.roles],
                               "uncts": [u.id for u in user.uncts]})
    return save_form(
        form, lambda: accounts.update_roles(user, roles=form.roles.data,
                                            uncts=uncts_by_ids(form.uncts.data),
                                            actor=current_user),
        saved=_("The roles of %(email)s are saved.", email=user.email),
        to=url_for("admin.user_detail", user_id=user.id), record=user,
    ) or render_template("admin/user_detail.html", user=user, form=form,
                         confirm=ConfirmForm(), events=events_for("users", user.id))


_USER_ACTIONS = {
    "deactivate": lambda user, reason: accounts.deactivate_user(
        user, actor=current_user, reason=reason),
    "reactivate": lambda user, reason: accounts.reactivate_user(user, actor=current_user),
    "resend": lambda user, reason: accounts.resend_invitation(user, actor=current_user),
}


@bp.route("/users/<int:user_id>/<any(deactivate, reactivate, resend):action>",
          methods=["POST"])
@roles_required("admin")
def user_action(user_id, action):
    user = db.get_or_404(User, user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    invited = user.status == "invited"
    if went_back():
        return redirect(url_for("admin.user_detail", user_id=user.id))
    if action == "deactivate" and not is_confirmed():
        if invited:
            return confirmation_page(_("Withdraw the invitation"), [_(
                "The invitation link sent to %(email)s stops working: the account cannot be "
                "activated. No email is sent.", email=user.email)])
        return confirmation_page(_("Deactivate the account"), [_(
            "%(email)s can no longer sign in: their open links and calendar feed stop "
            "working. No email is sent.", email=user.email)])
    ok, __ = commit_service(_USER_ACTIONS[action], user, form.reason.data or None)
    if ok:
        flash(_("The invitation of %(email)s is withdrawn.", email=user.email)
              if action == "deactivate" and invited
              else _translated_action_message(action, user), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _translated_action_message(action, user):
    email = user.email
    if action == "deactivate":
        return _("The account of %(email)s is deactivated.", email=email)
    if action == "reactivate" and user.is_active:
        return _("The account of %(email)s is active again: they can sign in again with their "
                 "password, and have been told so by email.", email=email)
    if action == "reactivate":
        return _("A new activation link has been sent to %(email)s.", email=email)
    return _("The invitation has been sent again to %(email)s.", email=email)


@bp.route("/outbox/")
@roles_required("coordinator")
def outbox():
    form = OutboxFilterForm(request.args)
    form.validate()
    pagination = paginate(queries.outbox_query(form.status.data or None,
                                                form.template.data or None))
    return render_template("admin/outbox.html", form=form, pagination=pagination,
                           confirm=ConfirmForm(), MailStatus=MailStatus)


@bp.route("/outbox/<int:message_id>")
@roles_required("coordinator")
def outbox_detail(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_detail.html", message=message, confirm=ConfirmForm(),
                           MailStatus=MailStatus)


@bp.route("/outbox/<int:message_id>/retry", methods=["POST"])
@roles_required("coordinator")
def outbox_retry(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if message.status == MailStatus.sent:
        flash(_("This message has already been sent."), "warning")
    else:
        ok, __ = commit_service(retry_message, message, actor=current_user)
        if ok:
            flash(_("The message is queued again and will be sent shortly."), "success")
    return redirect(next_from_request(url_for("admin.outbox")))


@bp.route("/jobs")
@roles_required("coordinator")
def jobs():
    return render_template("admin/jobs.html",
                           scheduled=queries.scheduled_work(
                               engine().schedules, now=utcnow(),
                               attempts=current_app.config["JOBS_RUN_ATTEMPTS"]),
                           recent=queries.recent_jobs(engine().progress),
                           describe_schedule=queries.describe_schedule, shown_error=shown_error,
                           confirm=ConfirmForm())


@bp.route("/jobs/<name>/run-again", methods=["POST"])
@roles_required("coordinator")
def run_again(name):
    if name not in engine().schedules:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ok, __ = commit_service(queue_run_again, name, actor=current_user, now=utcnow())
    if ok:
        flash(_("The work is queued to run again for the same period; its line below shows "
                "how it ends."), "success")
    return redirect(url_for("admin.jobs"))


@bp.route("/audit/")
@roles_required("coordinator")
def audit():
    form = AuditFilterForm(request.args, object_types=object_titles())
    filters = form.filters()
    pagination = paginate(queries.audit_query(**filters, zone=current_user.time_zone))
    return render_template("admin/audit.html", form=form, pagination=pagination,
                           filtered=any(filters.values()),
                           pages=record_pages(pagination.items))


@bp.route("/settings", methods=["GET", "POST"])
@roles_required("admin")
def settings():
    form = SettingsForm.from_settings(all_settings())
    save = unless_crossed(form, ALL_SETTINGS, lambda: update_settings(
        form.settings_values(), actor=current_user))
    # Gone back from the confirmation, or sent by the language switch: the form again, as
    # it was filled in.
    switching = resend_entries(form)
    if not went_back() and form.validate_on_submit() and not switching:
        now = utcnow()
        erased = {} if is_confirmed() else retention.newly_erased(
            form.settings_values(), now=now)
        if erased:
            return confirmation_page(_("Save these retention periods"), [
                *_erasures(erased, form.settings_values()), *_next_run(now)])
        ok, changes = commit_service(save, form=form)
        if ok:
            flash(_("The settings are saved.") if changes else _("Nothing has changed."),
                  "success" if changes else "info")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, events=queries.settings_events())


def _days(values, key):
    """The period of setting `key` in `values`, as the language counts days ("1 day")."""
    return ngettext("%(num)s day", "%(num)s days", int(values[key]))


def _next_run(now):
    """When the next daily run, which erases what the other sentences count, is due (none
    when its schedule names no moment within a year)."""
    when = retention.next_run(now)
    return [_("The next daily run is on %(when)s.", when=moment_reading(when))] if when else []


def _erasures(erased, values):
    """The sentences of what shorter retention periods erase at the next daily run."""
    sentences = []
    if requests := erased.get("privacy.unconfirmed_request_days"):
        sentences.append(ngettext(
            "%(num)s request to join never confirmed, made more than %(days)s ago, is deleted "
            "at the next daily run, for good, with its memo or letter and the emails sent "
            "about it, even if its confirmation link still works.",
            "%(num)s requests to join never confirmed, made more than %(days)s ago, are "
            "deleted at the next daily run, for good, with their memos or letters and the "
            "emails sent about them, even if their confirmation links still work.",
            requests, days=_days(values, "privacy.unconfirmed_request_days")))
    if people := erased.get("privacy.contact_data_days"):
        sentences.append(ngettext(
            "%(num)s person who left more than %(days)s ago is anonymised at the next daily "
            "run: their name and contact details are erased for good; their appointments, "
            "registrations and attendance stay in the figures.",
            "%(num)s people who left more than %(days)s ago are anonymised at the next daily "
            "run: their names and contact details are erased for good; their appointments, "
            "registrations and attendance stay in the figures.",
            people, days=_days(values, "privacy.contact_data_days")))
    if guests := erased.get("privacy.guest_data_days"):
        sentences.append(ngettext(
            "%(num)s guest whose sessions ended more than %(days)s ago is anonymised at the "
            "next daily run: their name and address are erased for good.",
            "%(num)s guests whose sessions ended more than %(days)s ago are anonymised at the "
            "next daily run: their names and addresses are erased for good.",
            guests, days=_days(values, "privacy.guest_data_days")))
    if events := erased.get("privacy.audit_detail_days"):
        sentences.append(ngettext(
            "%(num)s entry of the audit log older than %(days)s loses its changed values and "
            "its reason at the next daily run, for good; who did what, and when, stays.",
            "%(num)s entries of the audit log older than %(days)s lose their changed values "
            "and their reasons at the next daily run, for good; who did what, and when, "
            "stays.",
            events, days=_days(values, "privacy.audit_detail_days")))
    if mails := erased.get("privacy.mail_body_days"):
        sentences.append(ngettext(
            "%(num)s email sent more than %(days)s ago loses its text and attachments at the "
            "next daily run, for good; its recipient, subject and date stay.",
            "%(num)s emails sent more than %(days)s ago lose their text and attachments at the "
            "next daily run, for good; their recipients, subjects and dates stay.",
            mails, days=_days(values, "privacy.mail_body_days")))
    return sentences
