"""The evaluation of a session: the anonymous form for those who attended, the results of one
session and the overview of all sessions for the Office."""
from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from gfp_portal.attendance import evaluations
from gfp_portal.attendance.forms import EvaluationForm
from gfp_portal.attendance.views import session_for_participant
from gfp_portal.core.auth import roles_required, signed_in
from gfp_portal.core.db import utcnow
from gfp_portal.core.http import paginate_counted_in_rows, save_form
from gfp_portal.core.i18n import current_language

bp = Blueprint("evaluations", __name__)


@bp.route("/sessions/<int:session_id>/evaluation", methods=["GET", "POST"])
@signed_in
def detail(session_id):
    session = session_for_participant(session_id)
    person = current_user.person
    # The Office reads the results, unless one of its own attended and may still answer.
    if current_user.is_staff and not (person and evaluations.can_answer(session, person)):
        return render_template("attendance/results.html", session=session,
                               results=evaluations.results([session.id]),
                               response=evaluations.response(session),
                               questions=evaluations.QUESTIONS,
                               ratings=evaluations.RATING_TITLES, language=current_language(),
                               minimum=evaluations.MIN_ANSWERS)
    if person is None:
        abort(403)
    form = EvaluationForm()
    return save_form(
        form, lambda: evaluations.submit(session, person, {
            "applicable": form.applicable.data == "yes", "rating": form.rating.data,
            "belonging": form.belonging.data == "yes", "empowered": form.empowered.data == "yes",
            "comment": form.comment.data}),
        done=_("Thank you: your evaluation is recorded, without your name."),
        to=url_for("sessions.detail", session_id=session.id),
    ) or _evaluation_page(session, person, form)


def _evaluation_page(session, person, form):
    opens, closes = evaluations.window(session)
    return render_template(
        "attendance/evaluation.html", session=session, form=form, opens=opens, closes=closes,
        now=utcnow(), attended=evaluations.attended(session, person),
        answered=evaluations.has_answered(session, person), language=current_language())


@bp.route("/sessions/evaluations")
@roles_required("coordinator")
def index():
    page = paginate_counted_in_rows(evaluations.answered_sessions())
    return render_template("attendance/overview.html", overview=evaluations.overview(),
                           page=page, sessions=evaluations.results_of(page.items),
                           questions=evaluations.QUESTIONS, ratings=evaluations.RATING_TITLES,
                           minimum=evaluations.MIN_ANSWERS, language=current_language())

