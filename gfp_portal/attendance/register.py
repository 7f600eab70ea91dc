"""The attendance register of a session: what its page shows in each row, its save (the marks
the host changed, refused whole when a row's mark changed since the page was shown), and
everyone registered marked present at once. Each mark is recorded by services.mark."""
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from gfp_portal.attendance.models import Attendance, AttendanceSource, AttendanceStatus
from gfp_portal.attendance.services import mark, refuse_if_cancelled
from gfp_portal.core.db import utcnow
from gfp_portal.core.edits import crossed_message, field_now, hold
from gfp_portal.core.errors import DomainError
from gfp_portal.core.i18n import isolated
from gfp_portal.extensions import db
from gfp_portal.sessions.models import Registration, RegistrationStatus


def _typed_minutes(text):
    """The minutes attended as typed in the register: none when left empty, else a whole
    number (a number the browser let through, "45.5", is refused, not dropped)."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.removeprefix("-").isdecimal():
        raise DomainError("minutes_not_whole", _l("Enter the minutes attended as a whole "
                                                  "number."), field="minutes")
    return int(text)


def shown_mark(attendance):
    """A mark as the register shows it, and as its page sends back what it showed: (status,
    minutes) as text, empty for none."""
    if attendance is None:
        return "", ""
    return attendance.status.value, "" if attendance.minutes is None else str(attendance.minutes)


def register_entries(rows, marks, wanted=None, shown=None, refusal=None):
    """What the register shows in each row, by registration id: the (status, minutes) of its
    fields, and the mark its save is judged against (sent back hidden). Shown again after a
    refusal, a row the host changed keeps their entry, judged against the mark their page
    showed, or the mark now once the refusal named it as changed since; any other row shows
    its mark as it is now."""
    entries = {}
    for row in rows:
        current = shown_mark(marks.get(row.id))
        status, typed = (wanted or {}).get(row.id, (None, None))
        sent, seen = (status or "", (typed or "").strip()), (shown or {}).get(row.id, current)
        if wanted is None or sent == seen:
            entries[row.id] = current, current
        else:
            named = row.id in getattr(refusal, "crossed", ())
            entries[row.id] = (status or "", typed or ""), current if named else seen
    return entries


def _marks_now(rows):
    """The marks of `rows` by registration id, read again: as they are under the register's
    hold, not as loaded before it."""
    return {a.registration_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.registration_id.in_([row.id for row in rows]))
        .execution_options(populate_existing=True))}


def mark_register(session, rows, wanted, *, shown=None, actor, reason=None, now=None):
    """Record the register's marks: `wanted` gives (status, minutes as typed) by registration
    id, `shown` the marks its page showed (as shown_mark gives them; a row missing is judged
    against its mark as it is now). A row left as the page showed it, with no status, or with
    the mark it already has is left as it is. A row the host changed whose mark changed since
    the page was shown is refused ("crossed", the rows in the error's `crossed`), and nothing is
    recorded: it would undo that change unseen. A refusal of one row names it in its
    `registration_id`, so that the register marks it. Returns how many were recorded."""
    now = now or utcnow()
    refuse_if_cancelled(session)
    # Two saves of one register are judged one after the other, each on the marks the other
    # left.
    hold(f"{session.__tablename__}:{session.id}:register")
    marks, changes, crossed = _marks_now(rows), [], []
    for row in rows:
        status, typed = wanted.get(row.id, (None, None))
        current = shown_mark(marks.get(row.id))
        seen = (shown or {}).get(row.id, current)
        if not status or (status, (typed or "").strip()) == seen:
            continue
        try:
            minutes = _typed_minutes(typed)
        except DomainError as error:
            error.registration_id = row.id
            raise
        if row.id in marks and (marks[row.id].status.value, marks[row.id].minutes) == \
                (status, minutes):
            continue
        if current != seen:
            crossed.append(row)
        changes.append((row, status, minutes))
    if crossed:
        error = DomainError("crossed", LazyString(_crossed, [
            (row.person.full_name, marks[row.id].status.title if row.id in marks else "—",
             _recorder(marks.get(row.id), row)) for row in crossed]))
        error.crossed = [row.id for row in crossed]
        raise error
    for row, status, minutes in changes:
        try:
            mark(row, status, minutes=minutes, actor=actor, reason=reason, now=now)
        except DomainError as error:
            error.registration_id = row.id
            raise
    return len(changes)


def _recorder(attendance, row):
    """Who recorded the mark of `row` (None: an automatic task), named as the register names
    them."""
    if attendance is None:
        return None
    if attendance.source == AttendanceSource.self_check_in:
        return row.person.full_name
    return attendance.recorded_by.display_name if attendance.recorded_by else None


def _crossed(rows):
    """Who changed whose attendance to what since the register's page was shown: `rows` of
    (name, status now, who recorded it)."""
    people = dict.fromkeys(isolated(who) if who else str(_l("an automatic task"))
                           for _name, _status, who in rows)
    return crossed_message(people, [
        field_now(str(_l("Attendance of %(name)s", name=isolated(name))), status)
        for name, status, _who in rows])


def unmarked(session):
    """The registrations of the people registered for the session who have no mark yet."""
    return db.session.scalars(select(Registration).where(
        Registration.session_id == session.id,
        Registration.status == RegistrationStatus.registered,
        ~exists().where(Attendance.registration_id == Registration.id))
        .order_by(Registration.id)).all()


def check_all_present(session):
    """How many people marking everyone present would record; refused when everyone
    registered already has a mark, or the session is cancelled."""
    refuse_if_cancelled(session)
    count = len(unmarked(session))
    if not count:
        raise DomainError("nobody_unmarked", _l("Everyone registered already has a mark."))
    return count


def mark_all_present(session, *, actor, now=None):
    """Everyone registered and not yet marked becomes present for the whole session (then
    mark the exceptions)."""
    refuse_if_cancelled(session)
    rows = unmarked(session)
    for row in rows:
        mark(row, AttendanceStatus.present, minutes=session.duration_minutes, actor=actor,
             now=now)
    return len(rows)
