"""Attendance's jobs: applying a meeting report; and the periodic one, which reminds those who
attended to evaluate the session."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from gfp_portal.accounts.models import User
from gfp_portal.attendance import imports
from gfp_portal.attendance.evaluations import send_reminders
from gfp_portal.core import storage
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import current_language
from gfp_portal.core.jobs import JobPage, job, periodic
from gfp_portal.extensions import db
from gfp_portal.sessions.models import TrainingSession


def _import_outcome(result):
    return [ngettext("The report is imported: %(num)s attendance recorded.",
                     "The report is imported: %(num)s attendances recorded.", result["marked"])]


def _back_to_register(params):
    session = db.session.get(TrainingSession, params["session_id"])
    if session is None:
        return None
    language = current_language()
    return (url_for("attendance.register", session_id=session.id), session.text("title", language),
            session.text_language("title", language))


@job("attendance.import-report", JobPage(_l("Import a meeting report"), _import_outcome,
                                         _back_to_register))
def import_report(run, *, session_id, token, filename, confirmed, walk_ins):
    """Apply the report kept under `token` as previewed, all or nothing; the kept report is
    removed once the attendance is committed."""
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        raise DomainError("no_session", _l("This session no longer exists."))
    data = storage.pending(token)
    if data is None:
        raise DomainError("preview_expired",
                          _l("This preview has expired; upload the report again."))
    actor = db.session.get(User, run.actor_id) if run.actor_id else None
    record, marked = imports.apply(
        session, data, filename=filename, actor=actor, now=run.now, progress=run.progress,
        confirmed={int(line): value for line, value in confirmed.items()},
        walk_ins={int(line): value for line, value in walk_ins.items()})
    run.after_commit(lambda: storage.drop_pending(token))
    return {"session_id": session_id, "import_id": record.id, "marked": marked}


def _outcome(result):
    return [ngettext("%(num)s evaluation reminder sent.", "%(num)s evaluation reminders sent.",
                     result.get("reminders", 0))]


@periodic("sessions.send-evaluation-reminders", JobPage(_l("Evaluation reminders"), _outcome))
def evaluation_reminders(run):
    return {"reminders": send_reminders(now=run.now)}
