"""Attendance pages: the register of a session (marks, walk-ins, the check-in code), self
check-in, and the attendance figures. The evaluation, certificates and meeting-report imports
have their own view modules."""
from functools import lru_cache

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup

from gfp_portal.attendance import imports, queries, records, services, walk_ins
from gfp_portal.attendance.forms import CheckInForm, ReportForm
from gfp_portal.attendance.models import AttendanceStatus
from gfp_portal.attendance.register import (
    check_all_present,
    mark_all_present,
    mark_register,
    register_entries,
)
from gfp_portal.core import tables
from gfp_portal.core.auth import roles_required, signed_in
from gfp_portal.core.confirm import confirm_then_act
from gfp_portal.core.db import utcnow
from gfp_portal.core.downloads import send_download
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import (
    came_from,
    commit,
    commit_service,
    paginate_counted_in_rows,
    resend_entries,
    run_action,
    save_form,
    switching_language,
)
from gfp_portal.core.i18n import current_language, viewer_today
from gfp_portal.extensions import db, limiter
from gfp_portal.programme import queries as programme_queries
from gfp_portal.registry.queries import person_by_id
from gfp_portal.sessions.models import SessionStatus, TrainingSession

bp = Blueprint("attendance", __name__)


def _session(session_id):
    return db.get_or_404(TrainingSession, session_id)


def session_for_participant(session_id):
    """The session of a participant's page (check-in, evaluation): 404 for a draft unless the
    viewer is of the Office, as on the session's own page."""
    session = _session(session_id)
    if session.status == SessionStatus.draft and not current_user.is_staff:
        abort(404)
    return session


@lru_cache(maxsize=256)
def _qr_svg(url):
    """The check-in address as an inline SVG QR code (scanned from the host's screen), drawn
    once per process for each address (it changes only when the code does)."""
    # segno writes the SVG itself from our own URL: nothing a user typed is in it.
    return Markup(segno.make(url, error="m").svg_inline(scale=5, dark="#1f2933"))  # noqa: S704


def _register_sent(rows):
    """What the register sent: (status, minutes typed) by registration id, and the marks its
    page showed (a row sent without its mark, from a page older than this check, is judged
    against its mark as it is now)."""
    form = request.form
    wanted = {row.id: (form.get(f"status-{row.id}"), form.get(f"minutes-{row.id}"))
              for row in rows}
    shown = {row.id: (form.get(f"shown-status-{row.id}", ""),
                      form.get(f"shown-minutes-{row.id}", ""))
             for row in rows if f"shown-status-{row.id}" in form}
    return wanted, shown


def register_page(session):
    """The session's attendance register, still leading back to the page of the attendance
    figures it was opened from."""
    return url_for("attendance.register", session_id=session.id,
                   back=came_from("attendance.figures"))


@bp.route("/sessions/<int:session_id>/attendance", methods=["GET", "POST"])
@roles_required("coordinator")
def register(session_id):
    session = _session(session_id)
    code = services.check_in_code(session)
    rows, marks = queries.register_rows(session)
    wanted = shown = refusal = None
    # Sent by the language switch: the register again with what was typed, nothing recorded.
    switching = resend_entries()
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        wanted, shown = _register_sent(rows)
    if request.method == "POST" and not switching:
        try:
            changed = mark_register(session, rows, wanted, shown=shown, actor=current_user,
                                    reason=request.form.get("reason") or None)
        except DomainError as error:
            db.session.rollback()
            # The register again with what was typed in it and the marks as they are now,
            # the refused rows marked: nothing typed is lost.
            refusal = error
            rows, marks = queries.register_rows(session)
        else:
            commit()
            flash(ngettext("%(num)s attendance recorded.", "%(num)s attendances recorded.",
                           changed), "success")
            return redirect(register_page(session))
    check_in_url = url_for("attendance.check_in", session_id=session.id, _external=True)
    opens, closes = services.check_in_window(session)
    walk_in = request.args.get("walk_in", "")[:100]
    started = session.starts_at <= utcnow()
    return render_template(
        "attendance/register.html", session=session, rows=rows, marks=marks,
        statuses=list(AttendanceStatus), confirm=ConfirmForm(), report_form=ReportForm(),
        code=code, qr=_qr_svg(check_in_url), check_in_url=check_in_url, opens=opens,
        closes=closes, reports=imports.imports_of(session), language=current_language(),
        started=started, walk_in=walk_in, refusal=refusal,
        entries=register_entries(rows, marks, wanted, shown, refusal),
        reason=request.form.get("reason", "") if refusal is not None or switching else "",
        guests=programme_queries.guests_of(session, registered_only=True),
        candidates=walk_ins.candidates(session, walk_in) if started else [])


@bp.route("/sessions/<int:session_id>/attendance/walk-in", methods=["POST"])
@roles_required("coordinator")
def add_walk_in(session_id):
    session = _session(session_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person = person_by_id(request.form.get("person", type=int))
    if person is None:
        flash(_("Choose the person to add from the search results."), "danger")
    else:
        ok, _result = commit_service(walk_ins.add_walk_in, session, person, actor=current_user)
        if ok:
            flash(_("%(name)s is added as a walk-in and marked present.",
                    name=person.full_name), "success")
    return redirect(register_page(session) + "#walk-in")


@bp.route("/sessions/<int:session_id>/attendance/all-present", methods=["POST"])
@roles_required("coordinator")
def all_present(session_id):
    session = _session(session_id)
    return confirm_then_act(
        mark_all_present, session, actor=current_user,
        confirmation=lambda: (_("Mark everyone registered as present"), [ngettext(
            "%(num)s person registered and not yet marked is recorded as present for the "
            "whole session.",
            "%(num)s people registered and not yet marked are recorded as present for the "
            "whole session.", check_all_present(session)),
            _("The marks already recorded stay as they are; correct the exceptions "
              "afterwards.")]),
        done=lambda marked: ngettext("%(num)s person marked present.",
                                     "%(num)s people marked present.", marked),
        back=register_page(session))


@bp.route("/sessions/<int:session_id>/attendance/rotate-code", methods=["POST"])
@roles_required("coordinator")
def rotate_code(session_id):
    session = _session(session_id)
    return run_action(services.rotate_code, session, actor=current_user,
                      done=_("A new check-in code is shown; the previous one no longer works."),
                      back=register_page(session) + "#check-in")


@bp.route("/sessions/<int:session_id>/check-in", methods=["GET", "POST"])
@signed_in
# The language switch of a refused code checks no code: it is not counted.
@limiter.limit(lambda: current_app.config["CHECK_IN_RATE_LIMIT"], methods=["POST"],
               exempt_when=switching_language)
def check_in(session_id):
    session = session_for_participant(session_id)
    person = current_user.person
    if person is None:
        abort(403)
    form = CheckInForm()
    return save_form(
        form, lambda: services.check_in(session, person, form.code.data),
        done=_("You are checked in. Welcome!"),
        to=url_for("sessions.detail", session_id=session.id),
    ) or render_template("attendance/check_in.html", session=session, form=form,
                         language=current_language())


@bp.route("/sessions/attendance-figures")
@roles_required("coordinator")
def figures():
    by = request.args.get("by") if request.args.get("by") in records.GROUPS else "session"
    if by == "session":
        page = paginate_counted_in_rows(records.trained_sessions())
        table = records.session_figures(page.items)
    else:
        page, table = None, records.figures(by)
    return render_template("attendance/figures.html", table=table, page=page, by=by,
                           groups=records.GROUPS, language=current_language())


@bp.route("/sessions/attendance-figures.<any(csv, xlsx):fmt>")
@roles_required("coordinator")
def figures_export(fmt):
    by = request.args.get("by") if request.args.get("by") in records.GROUPS else "session"
    # Counts stay numbers and days stay dates: the workbook is there to be added up.
    table = records.figures(by)
    data = tables.to_csv(table) if fmt == "csv" else tables.to_xlsx(
        table, title=records.sheet_name(by))
    return send_download(data, records.file_name(by, fmt, viewer_today()),
                         content_type=tables.CONTENT_TYPES[fmt])
