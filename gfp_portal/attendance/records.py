"""Each person's learning record, and the Office's attendance figures per session, entity,
UN Country Team and region."""
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gfp_portal.attendance.models import (
    Attendance,
    AttendanceStatus,
    Certificate,
    EvaluationResponse,
)
from gfp_portal.extensions import db
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.sessions.models import Registration, RegistrationStatus, TrainingSession


@dataclass
class RecordLine:
    session: TrainingSession
    registration: Registration
    attendance: Attendance | None
    evaluated: bool
    certificate: Certificate | None


def learning_record(person):
    """Every session the person registered for, newest first, with what came of it."""
    rows = db.session.scalars(
        select(Registration).join(Registration.session)
        .where(Registration.person_id == person.id)
        .options(selectinload(Registration.session))
        .order_by(TrainingSession.starts_at.desc())).all()
    ids = [r.id for r in rows]
    marks = {a.registration_id: a for a in db.session.scalars(
        select(Attendance).where(Attendance.registration_id.in_(ids)))}
    evaluated = set(db.session.scalars(select(EvaluationResponse.session_id).where(
        EvaluationResponse.person_id == person.id)))
    certificates = {c.registration_id: c for c in db.session.scalars(
        select(Certificate).where(Certificate.registration_id.in_(ids)))}
    return [RecordLine(r.session, r, marks.get(r.id), r.session_id in evaluated,
                       certificates.get(r.id)) for r in rows]


GROUPS = ("session", "entity", "unct", "region")


def _group_labels(person_ids, by):
    """person id -> group labels (a person with appointments in two teams counts in both)."""
    labels = defaultdict(set)
    if by == "entity":
        for person in db.session.scalars(select(Person).where(Person.id.in_(person_ids))
                                         .options(selectinload(Person.entity))):
            labels[person.id].add(person.entity.acronym if person.entity else "—")
        return labels
    appointments = db.session.scalars(select(Appointment).where(
        Appointment.person_id.in_(person_ids), Appointment.status == AppointmentStatus.active)
        .options(selectinload(Appointment.unct))).all()
    for appointment in appointments:
        unct = appointment.unct
        if by == "unct":
            labels[appointment.person_id].add(unct.name if unct else _("Headquarters"))
        else:
            labels[appointment.person_id].add(str(unct.region.title) if unct else
                                              _("Headquarters"))
    for person_id in person_ids:
        labels.setdefault(person_id, {"—"})
    return labels


def figures(by="session", *, session_ids=None):
    """Header and rows: per group, people registered, attended (present or partly) and
    marked absent, and the minutes attended."""
    stmt = (select(Registration, Attendance)
            .outerjoin(Attendance, Attendance.registration_id == Registration.id)
            .where(Registration.status == RegistrationStatus.registered)
            .options(selectinload(Registration.session)))
    if session_ids is not None:
        stmt = stmt.where(Registration.session_id.in_(session_ids))
    pairs = db.session.execute(stmt).all()
    labels = {} if by == "session" else _group_labels(list({r.person_id for r, _a in pairs}),
                                                       by)
    totals = defaultdict(lambda: {"registered": 0, "attended": 0, "absent": 0, "minutes": 0,
                                  "people": set()})
    for registration, attendance in pairs:
        keys = [registration.session.title_en] if by == "session" else \
            labels[registration.person_id]
        for key in keys:
            row = totals[key]
            row["registered"] += 1
            if attendance and attendance.status.attended:
                row["attended"] += 1
                row["people"].add(registration.person_id)
                row["minutes"] += attendance.minutes or 0
            elif attendance and attendance.status == AttendanceStatus.absent:
                row["absent"] += 1
    header = [{"session": _("Session"), "entity": _("Entity"), "unct": _("UN Country Team"),
               "region": _("Region")}[by], _("Registered"), _("Attended"), _("Absent"),
              _("People trained"), _("Minutes attended")]
    rows = [[key, v["registered"], v["attended"], v["absent"], len(v["people"]),
             v["minutes"]] for key, v in sorted(totals.items(), key=lambda kv: str(kv[0]))]
    return [header, *rows]
