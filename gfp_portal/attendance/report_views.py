"""A meeting tool's attendance report (Teams, Zoom): uploaded, previewed against the register,
then applied by a job once the coordinator confirms the matches."""
from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.attendance import imports, queries
from gfp_portal.attendance.forms import ReportForm
from gfp_portal.attendance.views import register_page
from gfp_portal.core import storage
from gfp_portal.core.auth import roles_required
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import commit, commit_then_redirect, job_page
from gfp_portal.core.text import uploaded_name
from gfp_portal.extensions import db
from gfp_portal.sessions.models import TrainingSession

bp = Blueprint("meeting_reports", __name__)
REPORT_MAX_BYTES = 2 * 1024 * 1024


@bp.route("/sessions/<int:session_id>/attendance/import", methods=["POST"])
@roles_required("coordinator")
def upload(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    form = ReportForm()
    if form.validate_on_submit():
        data = form.file.data.read(REPORT_MAX_BYTES + 1)
        filename = uploaded_name(form.file.data.filename, "report.csv")
        try:
            if len(data) > REPORT_MAX_BYTES:
                raise DomainError("file_too_large", _("The report is larger than 2 MB."))
            earlier = imports.previous_import(session, data)
            _report, lines = imports.plan(session, data)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "danger")
        else:
            db.session.rollback()  # the preview writes nothing but the kept report
            token = storage.keep_pending(data)
            commit()
            return render_template(
                "attendance/import_preview.html", session=session, lines=lines,
                earlier=earlier, filename=filename, token=token,
                confirm=ConfirmForm(), marks=queries.register_rows(session)[1])
    else:
        for error in form.file.errors:
            flash(str(error), "danger")
    return redirect(register_page(session))


@bp.route("/sessions/<int:session_id>/attendance/import/confirm", methods=["POST"])
@roles_required("coordinator")
def confirm(session_id):
    session = db.get_or_404(TrainingSession, session_id)
    token = request.form.get("token")
    data = storage.pending(token)
    if data is None or not ConfirmForm().validate_on_submit():
        flash(_("This preview has expired; upload the report again."), "danger")
        return redirect(register_page(session))
    confirmed, walk_in = {}, {}
    for key, value in request.form.items():
        for prefix, chosen in (("match-", confirmed), ("walk-in-", walk_in)):
            if key.startswith(prefix) and value.isdecimal() and \
                    key.removeprefix(prefix).isdecimal():
                chosen[int(key.removeprefix(prefix))] = int(value)
    # The report is applied by a job; its page shows the progress and what was recorded.
    return commit_then_redirect(
        imports.queue_apply, session, token, filename=request.form.get("filename"),
        confirmed=confirmed, walk_ins=walk_in, actor=current_user,
        back=register_page(session), to=job_page)
