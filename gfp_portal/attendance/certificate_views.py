"""Certificates of attendance: a participant's own, and the public verification page where a
coordinator may revoke one."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.attendance import certificates
from gfp_portal.attendance.forms import RevokeForm
from gfp_portal.core.auth import public, roles_required, signed_in
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import found_or_404, run_action, save_form, show_domain_error
from gfp_portal.core.i18n import current_language
from gfp_portal.core.timezones import wall_time
from gfp_portal.extensions import db, limiter
from gfp_portal.programme import guests
from gfp_portal.sessions.models import TrainingSession
from gfp_portal.sessions.times import spans

bp = Blueprint("certificates", __name__)


@bp.route("/sessions/<int:session_id>/certificate", methods=["GET", "POST"])
@signed_in
def mine(session_id):
    """The person's certificate; one earned but not issued yet is issued by a POST from the
    page (opening a link writes nothing)."""
    session = db.get_or_404(TrainingSession, session_id)
    if current_user.person is None:
        abort(403)
    session_page = url_for("sessions.detail", session_id=session.id)
    if request.method == "POST":
        return run_action(certificates.certificate_for, session, current_user.person,
                          back=session_page, to=request.path)
    try:
        certificate = certificates.issued_certificate(session, current_user.person)
    except DomainError as error:  # shown as the button's refusal is (run_action)
        show_domain_error(error)
        return redirect(session_page)
    if certificate is None:
        return render_template("attendance/certificate_issue.html", session=session,
                               language=current_language(), form=ConfirmForm(),
                               back=session_page)
    return render_template("attendance/certificate.html", certificate=certificate,
                           session=session, language=current_language(),
                           readings=spans(session, session.time_zone, current_language()),
                           verify_url=url_for("certificates.verify", code=certificate.code,
                                              _external=True))


@bp.route("/certificates/<code>")
@public
@limiter.limit(lambda: current_app.config["CHECK_IN_RATE_LIMIT"])
def verify(code):
    """Public: says whether the certificate exists and is valid, with the name, the session
    and the date — nothing else."""
    certificate = certificates.find(code)
    # A guest's certificate (programme) is verified by the same page; it has no revocation.
    guest_certificate = None if certificate else guests.find_certificate(code)
    return _verify_page(certificate or guest_certificate, code, RevokeForm()
                        if certificate and current_user.is_authenticated and
                        current_user.is_staff else None)


def _verify_page(certificate, code, revoke_form):
    # The day the session was held where it was held: the day the certificate bears.
    held_on = certificate and wall_time(certificate.session.starts_at,
                                        certificate.session.time_zone).date()
    return render_template("attendance/verify.html", certificate=certificate, code=code,
                           held_on=held_on, language=current_language(),
                           revoke_form=revoke_form), 200 if certificate else 404


@bp.route("/certificates/<code>/revoke", methods=["POST"])
@roles_required("coordinator")
def revoke(code):
    """A refused revocation shows the page again with the reason typed and what is wrong."""
    certificate = found_or_404(certificates.find(code))
    form = RevokeForm()
    return save_form(
        form, lambda: certificates.revoke(certificate, form.reason.data, actor=current_user),
        done=_("The certificate is revoked; its verification page says so."),
        to=url_for("certificates.verify", code=certificate.code),
    ) or _verify_page(certificate, certificate.code, form)
