"""Messages to the network: the archive, the Office's composer with its preview and
confirmation, sending again a message whose sending stopped, and the newsletter preference
and unsubscribe link.

The archive shows every sent message to every focal point and alternate, whoever it was
addressed to: the Office's messages are open to the whole network (an audience follows
appointments, which change), and only the Office sees each one's audience, counts and
delivery."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from gfp_portal.core.audit import events_for
from gfp_portal.core.auth import public, roles_required, signed_in
from gfp_portal.core.confirm import confirm_then_act, confirmation_step
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import commit_service, commit_then_redirect, job_page, paginate, save_form
from gfp_portal.core.i18n import current_language
from gfp_portal.extensions import csrf, db
from gfp_portal.messages import queries, services
from gfp_portal.messages.forms import (
    MessageForm,
    NewsletterForm,
    ResubscribeForm,
    SendForm,
    UnsubscribeForm,
)
from gfp_portal.messages.models import LANGUAGES, MessageStatus, NetworkMessage
from gfp_portal.reference.queries import entity_choices
from gfp_portal.registry.forms import role_choices
from gfp_portal.registry.queries import unct_choices
from gfp_portal.sessions import topics

bp = Blueprint("messages", __name__, url_prefix="/messages")

def _form(**kwargs):
    return MessageForm(entity_choices=entity_choices(), unct_choices=unct_choices(),
                       role_choices=role_choices(),
                       topic_choices=topics.topic_choices(current_language()), **kwargs)


def _draft_or_404(message_id):
    message = db.get_or_404(NetworkMessage, message_id)
    if message.status != MessageStatus.draft:
        abort(404)
    return message


@bp.route("/")
@roles_required(*queries.READERS)
def index():
    pagination = paginate(queries.sent_messages())
    staff = current_user.is_staff
    return render_template(
        "messages/index.html", pagination=pagination, language=current_language(),
        drafts=queries.drafts() if staff else [],
        delivery=queries.delivery([m.id for m in pagination.items]) if staff else {},
        stopped=queries.stopped([m.id for m in pagination.items]) if staff else set())


@bp.route("/<int:message_id>")
@roles_required(*queries.READERS)
def detail(message_id):
    message = db.get_or_404(NetworkMessage, message_id)
    staff = current_user.is_staff
    if message.status == MessageStatus.draft:
        if not staff:
            abort(404)
        return redirect(url_for("messages.preview", message_id=message.id))
    stopped = staff and message.status == MessageStatus.sending and \
        services.sending_stopped(message, queries.sending_job(message))
    queued = queries.queued_count(message) if stopped else 0
    pending = queries.pending_count(message) if stopped else 0
    return render_template(
        "messages/detail.html", message=message, language=current_language(),
        delivery=queries.delivery([message.id])[message.id] if staff else None,
        audience=queries.audience_lines(message.audience) if staff else [],
        stopped=stopped, queued=queued, pending=pending,
        retry=SendForm(data={"expected": pending}) if stopped else None,
        events=events_for("network_messages", message.id) if staff else None)


def _compose(message):
    form = _form(data=None if message is None else MessageForm.data_of(
        message, services.version_of(message)))
    saved = save_form(
        form, lambda: services.save_draft(message, form.message_data(), actor=current_user,
                                          shown=form.version.data or None),
        done=_("The draft is saved. Check the preview before sending."),
        to=lambda draft: url_for("messages.preview", message_id=draft.id))
    if saved:
        return saved
    if message is not None:  # saved again, what is typed goes over the draft as it is now
        form.version.data = services.version_of(message)
    return render_template("messages/form.html", form=form, message=message), \
        400 if request.method == "POST" else 200


@bp.route("/new", methods=["GET", "POST"])
@roles_required("coordinator")
def create():
    return _compose(None)


@bp.route("/<int:message_id>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(message_id):
    message = db.get_or_404(NetworkMessage, message_id)
    if message.status != MessageStatus.draft and request.method == "GET":
        return _already_sent(message)
    return _compose(message)  # a save refused as sent keeps what was typed


def _already_sent(message):
    flash(_("This message has already been sent."), "info")
    return redirect(url_for("messages.detail", message_id=message.id))


@bp.route("/<int:message_id>/preview")
@roles_required("coordinator")
def preview(message_id):
    message = _draft_or_404(message_id)
    counts = queries.preview(message)
    return render_template("messages/preview.html", message=message, counts=counts,
                           languages=LANGUAGES, audience=queries.audience_lines(message.audience),
                           form=SendForm(data={"expected": counts.total,
                                               "shown": services.version_of(message)}),
                           confirm=ConfirmForm())


@bp.route("/<int:message_id>/send", methods=["POST"])
@roles_required("coordinator")
def send(message_id):
    message = db.get_or_404(NetworkMessage, message_id)
    if message.status != MessageStatus.draft:  # a second click, or a colleague's
        return _already_sent(message)
    form = SendForm()
    back = url_for("messages.preview", message_id=message.id)
    if not form.validate_on_submit():
        flash(_("Check the preview and confirm again."), "danger")
        return redirect(back)
    return commit_then_redirect(services.send_message, message, actor=current_user,
                                expected=form.expected.data, shown=form.shown.data or None,
                                done=_("The message is being sent."), back=back, to=job_page)


@bp.route("/<int:message_id>/retry", methods=["POST"])
@roles_required("coordinator")
def retry(message_id):
    """Send again a message whose sending stopped, once confirmed: only to the people of its
    audience who have not been queued it."""
    message = db.get_or_404(NetworkMessage, message_id)
    if message.status == MessageStatus.draft:
        abort(404)
    back = url_for("messages.detail", message_id=message.id)
    form = SendForm()
    if not form.validate_on_submit():
        flash(_("Check the page of the message and confirm again."), "danger")
        return redirect(back)
    return confirmation_step(lambda: _retry_confirmation(message, form.expected.data),
                             back=back) or \
        commit_then_redirect(services.retry_message, message, actor=current_user,
                             expected=form.expected.data,
                             done=_("The message is being sent again."), back=back, to=job_page)


def _retry_confirmation(message, expected):
    pending = services.check_retry(message, expected=expected)
    return _("Send the message again"), [
        ngettext("The message will be emailed to %(num)s person who has not received it, "
                 "in their language; this cannot be undone.",
                 "The message will be emailed to %(num)s people who have not received "
                 "it, each in their language; this cannot be undone.", pending),
        _("Nobody who has already received it gets it twice.")]


@bp.route("/<int:message_id>/delete", methods=["POST"])
@roles_required("coordinator")
def delete(message_id):
    message = _draft_or_404(message_id)
    return confirm_then_act(
        services.delete_draft, message, actor=current_user,
        confirmation=lambda: (_("Delete the draft"), [_(
            "The draft is deleted for good; no email is sent.")]),
        done=_("The draft is deleted."),
        back=url_for("messages.preview", message_id=message.id), to=url_for("messages.index"))


@bp.route("/newsletter", methods=["POST"])
@signed_in
def newsletter():
    person = current_user.person
    if person is None:
        abort(403)
    form = NewsletterForm(prefix="news")
    if not form.validate_on_submit():
        abort(400)
    ok, changed = commit_service(services.set_newsletter, person, form.receive.data,
                                 actor=current_user)
    if ok:
        flash(_("You will receive the newsletter.") if form.receive.data else
              _("You will no longer receive the newsletter. Mandatory notices still reach "
                "you."), "success" if changed else "info")
    return redirect(url_for("accounts.me") + "#newsletter")


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # the signed token names the person; the page's own forms still check their own
def unsubscribe(token):
    """The link of a newsletter email: a page that asks, then the change (a mail scanner
    opening the link changes nothing); or the one-click answer a mail programme posts for its
    own "Unsubscribe" button (RFC 8058). Once left, the page offers the way back."""
    person = services.person_of_token(token)
    if person is None:
        return render_template("messages/unsubscribe.html", person=None, form=None), 404
    form, again = UnsubscribeForm(), ResubscribeForm()
    done = resubscribed = False
    one_click = request.method == "POST" and "List-Unsubscribe" in request.form
    if one_click and request.form["List-Unsubscribe"] != "One-Click":
        abort(400)
    if not one_click and "receive" in request.form:
        if again.validate_on_submit():
            resubscribed, _changed = commit_service(services.set_newsletter, person, True,
                                                    actor=None)
    elif one_click or form.validate_on_submit():
        done, _changed = commit_service(services.set_newsletter, person, False, actor=None,
                                        source="one-click" if one_click else "link")
    return render_template("messages/unsubscribe.html", person=person, form=form, again=again,
                           done=done, resubscribed=resubscribed,
                           opted_out=queries.is_opted_out(person))
