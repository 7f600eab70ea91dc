"""Importing a meeting report into the attendance register: preview, then apply.

People are matched by email (whatever its case); a row without a known email gets name
suggestions that a coordinator confirms, and an unregistered person of the registry may be
added as a walk-in. The same file twice changes nothing (its checksum is
kept with the file name, who and when).
"""
import hashlib
from dataclasses import dataclass, field

from flask_babel import LazyString, format_date
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from gfp_portal.attendance import reports
from gfp_portal.attendance.models import (
    Attendance,
    AttendanceImport,
    AttendanceSource,
    AttendanceStatus,
)
from gfp_portal.attendance.services import mark, refuse_if_cancelled, refuse_unless_held
from gfp_portal.attendance.walk_ins import add_walk_in
from gfp_portal.core.audit import log_action
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError
from gfp_portal.core.jobs import enqueue
from gfp_portal.core.search import fold
from gfp_portal.core.settings import get_setting
from gfp_portal.core.timezones import wall_time
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.sessions.models import Registration, RegistrationStatus


@dataclass
class Line:
    number: int
    attendee: reports.Attendee
    minutes: int
    status: str
    registration: Registration | None = None
    suggestions: list = field(default_factory=list)
    walk_in: Person | None = None  # in the registry, not registered: may be added


def _folded(text):
    """A name as compared: its words in any order, folded as the portal's search folds them
    (case, accents and vowel marks, apostrophes, hyphens, tatweel, Arabic letter variants)."""
    return " ".join(sorted(fold(text).split()))


def _candidates(session):
    return db.session.scalars(select(Registration).where(
        Registration.session_id == session.id,
        Registration.status != RegistrationStatus.cancelled)
        .options(selectinload(Registration.person))).all()


def checksum(data):
    return hashlib.sha256(data).hexdigest()


def previous_import(session, data):
    return db.session.scalars(select(AttendanceImport).where(
        AttendanceImport.session_id == session.id,
        AttendanceImport.sha256 == checksum(data))).first()


def plan(session, data):
    """Read the file and match its people: the lines of the preview (nothing written). Not
    for a cancelled session, which records no attendance, nor for a draft, not held."""
    refuse_if_cancelled(session)
    refuse_unless_held(session)
    report = reports.parse(data, session.zone)
    scheduled = session.duration_minutes
    thresholds = {"present_percent": int(get_setting("attendance.present_percent")),
                  "partial_percent": int(get_setting("attendance.partial_percent"))}
    candidates = _candidates(session)
    by_email = {r.person.email.lower(): r for r in candidates}
    by_name = {}
    for row in candidates:
        by_name.setdefault(_folded(row.person.full_name), []).append(row)
    lines = []
    for number, attendee in enumerate(report.attendees, start=1):
        minutes = min(attendee.minutes, scheduled)
        line = Line(number, attendee, minutes,
                    reports.status_for(minutes, scheduled, **thresholds))
        line.registration = by_email.get((attendee.email or "").lower())
        if line.registration is None:
            names = {attendee.name, *attendee.other_names}
            line.suggestions = [r for name in names for r in by_name.get(_folded(name), [])]
        lines.append(line)
    _offer_walk_ins(lines)
    return report, lines


def _offer_walk_ins(lines):
    """Unregistered people who attended and whose email is in the registry may be added as
    walk-ins (the coordinator ticks them); one query for the whole report."""
    open_lines = [line for line in lines if line.registration is None and line.attendee.email
                  and line.status != AttendanceStatus.absent]
    emails = {line.attendee.email.lower() for line in open_lines}
    people = {p.email.lower(): p for p in db.session.scalars(select(Person).where(
        func.lower(Person.email).in_(emails)))} if emails else {}
    for line in open_lines:
        line.walk_in = people.get(line.attendee.email.lower())


def queue_apply(session, token, *, filename, confirmed, walk_ins, actor, now=None):
    """Record the job that applies the report kept under `token` (see apply and
    attendance/jobs.py), with the coordinator's choices; returns the Job."""
    return enqueue("attendance.import-report", {
        "session_id": session.id, "token": token, "filename": (filename or "report")[:200],
        "confirmed": {str(line): int(value) for line, value in confirmed.items()},
        "walk_ins": {str(line): int(value) for line, value in walk_ins.items()}},
        actor=actor, now=now)


def apply(session, data, *, filename, confirmed, walk_ins=None, actor, now=None,
          progress=None):
    """Write the attendance of the matched lines, of the name matches a coordinator
    confirmed ({line number: registration id}) and of the walk-ins they ticked ({line number:
    person id}, as offered by the preview). Returns (import row, number marked);
    `progress(done, total)` hears how many lines are done."""
    now = now or utcnow()
    refuse_if_cancelled(session)
    refuse_unless_held(session)
    earlier = previous_import(session, data)
    if earlier is not None:
        # The day in the time zone of whoever imports, in the language the message is read in.
        day = wall_time(earlier.created_at, getattr(actor, "time_zone", None) or "UTC").date()
        raise DomainError("already_imported", _l(
            "This report was already imported on %(date)s; nothing was changed.",
            date=LazyString(format_date, day, "long")))
    report, lines = plan(session, data)
    allowed = {r.id: r for r in _candidates(session)}
    record = AttendanceImport(session_id=session.id, filename=(filename or "report")[:200],
                              sha256=checksum(data), report_format=report.format,
                              imported_by_id=getattr(actor, "id", None), created_at=now)
    db.session.add(record)
    db.session.flush()
    marked = 0
    walk_ins = walk_ins or {}
    matched = {line.number: line.registration or allowed.get(confirmed.get(line.number))
               for line in lines}
    # One person on several lines (their address, and a phone line confirmed as theirs) is
    # marked once, from the line with the most minutes: two devices at once count once, and
    # a shorter line read later does not undo a longer one.
    longest = {}
    for line in lines:
        registration = matched[line.number]
        if registration is not None and (registration.id not in longest or
                                         line.minutes > longest[registration.id].minutes):
            longest[registration.id] = line
    for done, line in enumerate(lines, start=1):
        if progress is not None:
            progress(done, len(lines))
        registration = matched[line.number]
        if registration is not None and longest[registration.id] is not line:
            continue
        if registration is None:
            if line.walk_in is not None and walk_ins.get(line.number) == line.walk_in.id:
                add_walk_in(session, line.walk_in, status=line.status, minutes=line.minutes,
                            source=AttendanceSource.import_, report=record, actor=actor,
                            now=now)
                marked += 1
            continue
        existing = db.session.scalars(select(Attendance).filter_by(
            registration_id=registration.id)).first()
        # A report does not overrule what the host or the person recorded as attended.
        if existing is not None and existing.source != AttendanceSource.import_ and \
                existing.status.attended and line.status != AttendanceStatus.present:
            continue
        mark(registration, line.status, minutes=line.minutes, source=AttendanceSource.import_,
             actor=actor, now=now, report=record)
        marked += 1
    log_action("attendance.import", record, actor=actor, now=now,
               changes={"file": [None, record.filename], "sha256": [None, record.sha256],
                        "marked": [None, marked]})
    return record, marked


def imports_of(session):
    return db.session.scalars(select(AttendanceImport).where(
        AttendanceImport.session_id == session.id).order_by(
        AttendanceImport.created_at.desc())).all()


def count_marked(record):
    return db.session.scalar(select(func.count(Attendance.id)).where(
        Attendance.import_id == record.id))
