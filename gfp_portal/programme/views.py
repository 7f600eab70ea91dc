"""The programme's pages: the Office's agenda and guests of a session, and the public pages of
a guest (asking for a place through an invitation link, confirming it, the certificate, the
evaluation).

Every answer after a guest's request is the same page, whatever the address: it never tells
whether the address already has a place (the email says it instead)."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from gfp_portal.attendance import evaluations
from gfp_portal.attendance.forms import EvaluationForm
from gfp_portal.core.auth import public, roles_required
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import commit, found_or_404, run_action, save_form, switching_language
from gfp_portal.core.i18n import current_language
from gfp_portal.core.text import email_address
from gfp_portal.core.timezones import from_wall_time, wall_time
from gfp_portal.extensions import db, limiter
from gfp_portal.programme import agenda, guest_evaluations, guests, queries
from gfp_portal.programme.forms import AgendaItemForm, GuestRequestForm, InvitationForm
from gfp_portal.sessions.models import TrainingSession
from gfp_portal.sessions.times import spans

bp = Blueprint("programme", __name__)


def _session(session_id):
    return db.get_or_404(TrainingSession, session_id)


# --- the agenda (the Office) ------------------------------------------------------------------

def _item_form(session, item=None):
    data = None
    if item is not None:
        data = {f: getattr(item, f) for f in agenda.TEXT_FIELDS}
        data.update(starts_at=wall_time(item.starts_at, item.session.time_zone),
                    staff=[p.user_id for p in item.presenters if p.user_id],
                    guests=[p.guest_id for p in item.presenters if p.guest_id],
                    people="\n".join(p.person.email for p in item.presenters if p.person))
    elif request.method == "GET":
        data = {"starts_at": wall_time(session.starts_at, session.time_zone)}
    return AgendaItemForm(time_zone=session.time_zone, staff_choices=queries.staff_choices(),
                          guest_choices=queries.guest_choices(session), data=data)


def _item_data(form, session, item=None):
    """The item's data and its presenters, from the form (of `item`, when it edits one); a
    DomainError names a wrong field."""
    data = {f: getattr(form, f).data for f in agenda.TEXT_FIELDS}
    # Its time sent back as the form showed it is the item's, also in an hour shown twice.
    data["starts_at"] = from_wall_time(form.starts_at.data, session.time_zone,
                                       keep=getattr(item, "starts_at", None))
    presenters = [agenda.presenter(user=u) for u in queries.users_by_ids(form.staff.data)]
    presenters += [agenda.presenter(guest=g) for g in queries.guests_by_ids(form.guests.data)]
    presenters += agenda.people_presenting(form.people.data)
    if form.guest_name.data or form.guest_organisation.data:
        guest = agenda.add_guest_presenter(form.guest_name.data, form.guest_organisation.data,
                                           form.guest_sector.data, actor=current_user)
        presenters.append(agenda.presenter(guest=guest))
    return data, presenters


@bp.route("/sessions/<int:session_id>/agenda", methods=["GET", "POST"])
@roles_required("coordinator")
def agenda_manage(session_id):
    session = _session(session_id)
    form = _item_form(session)
    return save_form(
        form, lambda: agenda.add_item(session, *_item_data(form, session), actor=current_user),
        done=_("The item is added to the agenda."),
        to=url_for("programme.agenda_manage", session_id=session.id),
    ) or render_template("programme/agenda_manage.html", session=session, form=form,
                         items=queries.agenda_of(session), confirm=ConfirmForm(),
                         language=current_language(), zone=session.time_zone,
                         agenda_times=agenda.readings)


@bp.route("/sessions/<int:session_id>/agenda/<int:item_id>", methods=["GET", "POST"])
@roles_required("coordinator")
def agenda_edit(session_id, item_id):
    session = _session(session_id)
    item = found_or_404(queries.item_of(session, item_id))
    form = _item_form(session, item if request.method == "GET" else None)
    return save_form(
        form, lambda: agenda.update_item(item, *_item_data(form, session, item),
                                         actor=current_user),
        saved=_("The item is saved."),
        to=url_for("programme.agenda_manage", session_id=session.id), record=item,
    ) or render_template("programme/agenda_edit.html", session=session, item=item,
                         form=form, language=current_language())


@bp.route("/sessions/<int:session_id>/agenda/<int:item_id>/move", methods=["POST"])
@roles_required("coordinator")
def agenda_move(session_id, item_id):
    session = _session(session_id)
    item = found_or_404(queries.item_of(session, item_id))
    return run_action(agenda.move_item, item, request.form.get("direction", ""),
                      actor=current_user, done=_("The agenda's order is saved."),
                      back=url_for("programme.agenda_manage", session_id=session.id))


@bp.route("/sessions/<int:session_id>/agenda/<int:item_id>/delete", methods=["POST"])
@roles_required("coordinator")
def agenda_delete(session_id, item_id):
    session = _session(session_id)
    item = found_or_404(queries.item_of(session, item_id))
    return confirm_then_act(
        agenda.delete_item, item, actor=current_user,
        confirmation=lambda: (_("Delete the item “%(title)s”",
                                title=item.text("title", current_language())), [
            _("The item and its presenters are removed from the agenda; nobody is emailed.")]),
        done=_("The item is deleted from the agenda."),
        back=url_for("programme.agenda_manage", session_id=session.id))


# --- guests (the Office) ----------------------------------------------------------------------

@bp.route("/sessions/<int:session_id>/guests", methods=["GET", "POST"])
@roles_required("coordinator")
def guests_manage(session_id):
    session = _session(session_id)
    form = InvitationForm()
    return save_form(
        form, lambda: guests.create_invitation(session, form.places.data, actor=current_user),
        done=_("The invitation link is ready: copy it from the list and send it to the "
               "guests."), to=url_for("programme.guests_manage", session_id=session.id),
    ) or render_template("programme/guests_manage.html", session=session, form=form,
                         invitations=queries.invitations_of(session),
                         guests=queries.guests_of(session), confirm=ConfirmForm(),
                         language=current_language())


@bp.route("/sessions/<int:session_id>/guests/invitations/<int:invitation_id>/revoke",
          methods=["POST"])
@roles_required("coordinator")
def invitation_revoke(session_id, invitation_id):
    session = _session(session_id)
    invitation = found_or_404(queries.invitation_of(session, invitation_id))
    return confirm_then_act(
        guests.revoke_invitation, invitation, actor=current_user,
        confirmation=lambda: (_("Revoke the invitation link"), [
            _("Nobody can ask for a place through this link any more, and requests not yet "
              "confirmed through it cannot be confirmed."),
            _("Guests already registered keep their places.")]),
        done=_("The invitation link is revoked."),
        back=url_for("programme.guests_manage", session_id=session.id))


@bp.route("/sessions/<int:session_id>/guests/<int:place_id>/cancel", methods=["POST"])
@roles_required("coordinator")
def guest_cancel(session_id, place_id):
    session = _session(session_id)
    place = found_or_404(queries.guest_place(session, place_id))
    return confirm_then_act(
        guests.cancel_place, place, actor=current_user,
        confirmation=lambda: (_("Cancel the place of %(name)s", name=place.guest.name), [
            _("The guest's place is cancelled; a registered guest is emailed the "
              "cancellation.")]),
        done=_("The guest's place is cancelled."),
        back=url_for("programme.guests_manage", session_id=session.id))


@bp.route("/sessions/<int:session_id>/attendance/guests", methods=["POST"])
@roles_required("coordinator")
def guests_mark(session_id):
    session = _session(session_id)
    places = queries.guests_of(session, registered_only=True)
    return run_action(
        guests.mark_guests, places,
        {place.id: request.form.get(f"guest-{place.id}") for place in places},
        actor=current_user, done=lambda changed: ngettext(
            "%(num)s attendance recorded.", "%(num)s attendances recorded.", changed),
        back=url_for("attendance.register", session_id=session.id) + "#guests")


# --- a guest's own pages (no account) ---------------------------------------------------------

def _ip_limit():
    return current_app.config["GUEST_RATE_LIMIT"]


def _email_limit():
    return current_app.config["GUEST_EMAIL_RATE_LIMIT"]


def _email_key():
    return "guest-email:" + email_address(request.form.get("email") or "").lower()[:320]


def _invalid(error):
    return render_template("programme/link_invalid.html", error=error), 404


@bp.route("/guests/invitation/<token>", methods=["GET", "POST"])
@public
# The language switch of a refused request sends nothing: it is not counted.
@limiter.limit(_ip_limit, methods=["POST"], exempt_when=switching_language)
@limiter.limit(_email_limit, methods=["POST"], key_func=_email_key,
               exempt_when=switching_language)
def invitation(token):
    try:
        invitation, full = guests.invitation_page(token)
    except DomainError as error:
        return _invalid(error)
    session = invitation.session
    form = GuestRequestForm(data={"preferred_language": current_language()}
                            if request.method == "GET" else None)
    language = current_language()
    # A full invitation answers every address alike: only one that holds a place gets mail.
    return save_form(form, lambda: guests.request_place(token, form.data),
                     to=url_for("programme.sent", again=1) if full
                     else url_for("programme.sent")) or render_template(
        "programme/invitation.html", session=session, form=form, language=language, full=full,
        agenda=queries.agenda_of(session), zone=session.time_zone,
        agenda_times=agenda.readings, readings=spans(session, session.time_zone, language))


@bp.route("/guests/sent")
@public
def sent():
    return render_template("programme/sent.html", days=guests.CONFIRM_DAYS,
                           again=request.args.get("again") == "1")


@bp.route("/guests/place/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def place(token):
    """GET shows the place (and a button to confirm it: mail scanners that open links must
    not confirm anything)."""
    try:
        registration = guests.place_for_token(token)
    except DomainError as error:
        return _invalid(error)
    if request.method == "POST":
        try:
            registration = guests.confirm_place(token)
        except DomainError as error:
            db.session.rollback()
            return _invalid(error)
        commit()
        flash(_("Your place is confirmed. The invitation is on its way to your mailbox."),
              "success")
        return redirect(url_for("programme.place", token=token))
    session, language, now = registration.session, current_language(), utcnow()
    return render_template("programme/place.html", registration=registration, session=session,
                           token=token, language=language, now=now,
                           agenda=queries.agenda_of(session), zone=session.time_zone,
                           agenda_times=agenda.readings,
                           has_certificate=guests.certificate_refusal(
                               registration, now=now) is None,
                           evaluation=guest_evaluations.place_notice(registration, now=now),
                           readings=spans(session, session.time_zone, language))


@bp.route("/guests/place/<token>/certificate", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"])
def certificate(token):
    """The guest's certificate; one earned but not issued yet is issued by a POST from the
    page (opening a link writes nothing)."""
    try:
        registration = guests.place_for_token(token)
    except DomainError as error:
        return _invalid(error)
    place_page = url_for("programme.place", token=token)
    if request.method == "POST":
        return run_action(guests.issue_certificate, registration, back=place_page,
                          to=request.path)
    try:
        issued = guests.certificate_issued(registration)
    except DomainError as error:
        flash(str(error.message), "warning")
        return redirect(place_page)
    session, language = registration.session, current_language()
    if not issued:
        return render_template("attendance/certificate_issue.html", session=session,
                               language=language, form=ConfirmForm(), back=place_page)
    return render_template("attendance/certificate.html", certificate=registration,
                           session=session, language=language,
                           readings=spans(session, session.time_zone, language),
                           verify_url=url_for("certificates.verify",
                                              code=registration.certificate_code,
                                              _external=True))


@bp.route("/guests/evaluation/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_ip_limit, methods=["POST"], exempt_when=switching_language)
def evaluation(token):
    """The evaluation of a session by a guest who attended it, through their own link."""
    try:
        place = guest_evaluations.place_for_evaluation(token)
    except DomainError as error:
        return _invalid(error)
    form = EvaluationForm()
    return save_form(
        form, lambda: guest_evaluations.submit(token, {
            "applicable": form.applicable.data == "yes", "rating": form.rating.data,
            "belonging": form.belonging.data == "yes", "empowered": form.empowered.data == "yes",
            "comment": form.comment.data}),
        done=_("Thank you: your evaluation is recorded, without your name."),
        to=url_for("programme.evaluation", token=token),
    ) or _evaluation_page(place, form)


def _evaluation_page(place, form):
    session, now = place.session, utcnow()
    refused = guest_evaluations.refusal(place, now=now)
    return render_template(
        "programme/evaluation.html", session=session, form=form,
        closes=evaluations.window(session)[1], refused=refused,
        answered=place.evaluated_on is not None, language=current_language(),
        readings=spans(session, session.time_zone, current_language()))
