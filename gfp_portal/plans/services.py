"""The rules of implementation plans: periods, plans, their status, responsible focal points,
document versions, targets and the Office's review notes. Each change is audited."""
import re

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gfp_portal.core import storage
from gfp_portal.core.audit import log_action, log_changes, log_creation
from gfp_portal.core.db import savepoint, utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.search import order_key
from gfp_portal.extensions import db
from gfp_portal.plans import notices, queries
from gfp_portal.plans.models import (
    ImplementationPlan,
    PlanDocument,
    PlanNote,
    PlanPeriod,
    PlanStatus,
    PlanTarget,
    plan_responsibles,
)
from gfp_portal.registry.signals import appointment_ended

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PERIOD_YEARS = 10
# A grade or staff category as the UN writes it: P-4, D-1, NO-C, G-6, USG, General Service.
GRADE = re.compile(r"^[A-Za-z][A-Za-z0-9 /+-]{0,15}$")


def may_manage(user):
    return user.is_staff


def may_work_on(user, plan, *, today=None):
    """The Office, and the focal points responsible for the plan who still hold an active
    appointment for its entity (or one whose end was entered ahead, until its last day:
    queries.acting_ids), upload its documents."""
    return user.is_staff or (user.has_role("focal_point") and plan.is_responsible(
        user.person_id) and bool(queries.acting_ids(plan, [user.person_id], today=today)))


def may_view(user, plan):
    """The Office; a focal point responsible for the plan, or of the plan's entity."""
    if user.is_staff:
        return True
    if not user.has_role("focal_point") or user.person is None:
        return False
    return user.person.entity_id == plan.entity_id or may_work_on(user, plan)


@appointment_ended.connect
def release_plans_when_term_ends(appointment, *, followed, now, **_extra):
    """A person who no longer holds an appointment for an entity is taken off its plans'
    responsible people (audited, without an actor: the registry's change did it). A term
    whose end was entered ahead is still held until its last day, after which the daily run
    takes its holder off (release_plans_after_last_days)."""
    person = appointment.person
    today = now.date()
    if followed or any(a.lasts_until(today) and a.entity_id == appointment.entity_id
                       for a in person.appointments):
        return
    for plan in db.session.scalars(select(ImplementationPlan).join(
            plan_responsibles, plan_responsibles.c.plan_id == ImplementationPlan.id).where(
            plan_responsibles.c.person_id == person.id,
            ImplementationPlan.entity_id == appointment.entity_id)):
        _set_responsible(plan, [p for p in plan.responsible if p.id != person.id],
                         actor=None, now=now)


def release_plans_after_last_days(*, today, now=None):
    """Take off the plans the responsible people whose last term of the plan's entity is over
    by `today`: its end was entered ahead and its last day has passed. The daily run does it
    (plans.remind): nothing else happens when a last day passes. Audited without an actor,
    as when the term ends; returns how many people were taken off a plan."""
    now = now or utcnow()
    leaving = {}
    for plan_id, person_id in queries.responsibles_past_last_day(today):
        leaving.setdefault(plan_id, set()).add(person_id)
    for plan_id, people in leaving.items():
        plan = db.session.get(ImplementationPlan, plan_id)
        _set_responsible(plan, [p for p in plan.responsible if p.id not in people],
                         actor=None, now=now)
    return sum(len(people) for people in leaving.values())


def _require_staff(actor):
    if not actor.is_staff:
        raise DomainError("not_coordinator",
                          _l("Only the Office of the Focal Point for Women can do this."))


def period_state(period):
    return {"name": period.name, "first_year": period.first_year,
            "last_year": period.last_year, "deadline": period.deadline.isoformat()}


def plan_state(plan):
    return {"entity": plan.entity.acronym, "period": plan.period.name,
            "status": plan.status.value,
            "responsible": [p.full_name for p in plan.responsible]}


def create_period(data, *, actor, now=None):
    """A new period. `data`: name, first_year, last_year, deadline."""
    now = now or utcnow()
    _require_staff(actor)
    name = " ".join((data.get("name") or "").split())
    if not name:
        raise DomainError("name_required", _l("Please enter the name of the period."),
                          field="name")
    first, last = data.get("first_year"), data.get("last_year")
    for field, year in (("first_year", first), ("last_year", last)):
        if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
            raise DomainError("bad_year", _l("Enter a year from %(low)s to %(high)s.",
                                             low=FIRST_YEAR, high=LAST_YEAR), field=field)
    if last < first:
        raise DomainError("years_out_of_order",
                          _l("The last year cannot be before the first year."),
                          field="last_year")
    if last - first + 1 > MAX_PERIOD_YEARS:
        raise DomainError("period_too_long", lazy_ngettext(
            "A period covers at most %(num)s year.", "A period covers at most %(num)s years.",
            MAX_PERIOD_YEARS), field="last_year")
    if data.get("deadline") is None:
        raise DomainError("deadline_required", _l("Please enter the submission deadline."),
                          field="deadline")
    if db.session.scalar(select(PlanPeriod.id).where(PlanPeriod.name == name)) is not None:
        raise DomainError("duplicate_period", _l("A period with this name already exists."),
                          field="name")
    period = PlanPeriod(name=name, first_year=first, last_year=last,
                        deadline=data["deadline"], created_at=now)
    log_creation("plan_period.create", period, period_state, actor=actor, now=now)
    return period


def create_plan(entity, period, *, responsible=(), actor, now=None):
    """The plan of `entity` for `period`, not started, with its `responsible` people."""
    now = now or utcnow()
    _require_staff(actor)
    existing = db.session.scalar(select(ImplementationPlan.id).where(
        ImplementationPlan.entity_id == entity.id, ImplementationPlan.period_id == period.id))
    if existing is not None:
        raise DomainError("duplicate_plan", _l(
            "%(entity)s already has a plan for %(period)s.", entity=entity.acronym,
            period=period.label), field="entity")
    plan = ImplementationPlan(entity=entity, period=period, status=PlanStatus.not_started,
                              created_at=now, responsible=list(responsible))
    try:
        with savepoint():
            log_creation("plan.create", plan, plan_state, actor=actor, now=now)
    except IntegrityError:  # the same plan created at the same moment
        raise DomainError("duplicate_plan", _l(
            "%(entity)s already has a plan for %(period)s.", entity=entity.acronym,
            period=period.label), field="entity") from None
    return plan


def change_status(plan, status, *, actor, now=None):
    """Set the plan's status: the Office sets any; a responsible focal point marks it
    submitted. Returns False when the plan already had that status."""
    now = now or utcnow()
    status = PlanStatus(status)
    if not actor.is_staff:
        if not may_work_on(actor, plan, today=now.date()):
            raise DomainError("not_responsible", _l(
                "Only the focal points responsible for this plan and the Office can change "
                "it."))
        if status != PlanStatus.submitted:
            raise DomainError("status_for_coordinators", _l(
                "You can mark the plan submitted; the Office sets the other statuses."),
                field="status")
        if plan.status == PlanStatus.updated:
            raise DomainError("already_updated", _l(
                "The Office has already recorded this plan as updated."), field="status")
    if plan.status == status:
        return False
    before = plan.status.value
    plan.status = status
    plan.status_changed_at = now
    db.session.flush()
    log_action("plan.status", plan, actor=actor, now=now,
               changes={"status": [before, status.value]})
    return True


def set_responsible(plan, people, *, actor, now=None):
    """Replace the plan's responsible focal points with `people`; returns the changes."""
    _require_staff(actor)
    return _set_responsible(plan, people, actor=actor, now=now or utcnow())


def _set_responsible(plan, people, *, actor, now):
    before = plan_state(plan)
    plan.responsible = sorted(set(people), key=lambda p: (order_key(p.family_name,
                                                                    p.given_name), p.id))
    db.session.flush()
    return log_changes("plan.responsible", plan, {"responsible": before["responsible"]},
                       {"responsible": [p.full_name for p in plan.responsible]},
                       actor=actor, now=now)


def add_document(plan, language, upload, *, actor, now=None):
    """A new version of the plan's document in `language`; earlier versions stay."""
    now = now or utcnow()
    if not may_work_on(actor, plan, today=now.date()):
        raise DomainError("not_responsible", _l(
            "Only the focal points responsible for this plan and the Office can change it."))
    if language not in current_app.config["LANGUAGES"]:
        raise DomainError("bad_language", _l("Choose one of the languages offered."),
                          field="language")
    stored = storage.store_upload(upload, kinds=storage.LETTER_KINDS,
                                  max_bytes=current_app.config["PLAN_DOCUMENT_MAX_BYTES"],
                                  field="file")
    document = PlanDocument(plan=plan, language=language, file_key=stored.key,
                            filename=stored.filename, content_type=stored.content_type,
                            size=stored.size, sha256=stored.sha256, uploaded_by_id=actor.id,
                            uploaded_at=now)
    db.session.add(document)
    db.session.flush()
    log_action("plan.document", plan, actor=actor, now=now,
               changes={"document": [None, f"{language}: {stored.filename}"]})
    return document


def check_targets(plan, rows):
    """The targets `rows` ({grade, year, women_percent}) made clean, or the first refusal."""
    period, seen, clean = plan.period, set(), []
    for number, row in enumerate(rows, start=1):
        grade = " ".join(str(row.get("grade") or "").split())
        year, percent = row.get("year"), row.get("women_percent")
        if not GRADE.match(grade):
            raise DomainError("bad_grade", _l(
                "Row %(row)s: “%(grade)s” is not a grade or staff category (for example "
                "P-4, D-1 or G-6).", row=number, grade=grade), field="targets")
        if not isinstance(year, int) or not period.first_year <= year <= period.last_year:
            raise DomainError("year_outside_period", _l(
                "Row %(row)s: the year must be within the period (%(first)s–%(last)s).",
                row=number, first=period.first_year, last=period.last_year), field="targets")
        if not isinstance(percent, int) or not 0 <= percent <= 100:
            raise DomainError("bad_percent", _l(
                "Row %(row)s: the share of women is a percentage from 0 to 100.",
                row=number), field="targets")
        key = (grade.upper(), year)
        if key in seen:
            raise DomainError("duplicate_target", _l(
                "Row %(row)s: %(grade)s in %(year)s is given twice.", row=number, grade=grade,
                year=year), field="targets")
        seen.add(key)
        clean.append({"grade": grade, "year": year, "women_percent": percent})
    return clean


def _targets_state(targets):
    return [f"{t['grade']} {t['year']}: {t['women_percent']}" for t in targets]


def set_targets(plan, rows, *, actor, now=None):
    """Replace the plan's targets with `rows` (the Office); returns the changes."""
    now = now or utcnow()
    _require_staff(actor)
    clean = check_targets(plan, rows)
    before = _targets_state([{"grade": t.grade, "year": t.year,
                              "women_percent": t.women_percent} for t in plan.targets])
    plan.targets.clear()
    db.session.flush()  # the old rows go before the new ones meet the unique constraint
    plan.targets.extend(PlanTarget(**row) for row in clean)
    db.session.flush()
    return log_changes("plan.targets", plan, {"targets": before},
                       {"targets": _targets_state(clean)}, actor=actor, now=now)


def add_note(plan, text, *, actor, now=None):
    """A review note of the Office; the responsible focal points are told by email. Returns
    (the note, how many were told)."""
    now = now or utcnow()
    _require_staff(actor)
    text = required_text(text, "note_required", _l("Please write the note."), field="text")
    note = PlanNote(plan=plan, text=text, author_id=actor.id, created_at=now)
    db.session.add(note)
    db.session.flush()
    log_action("plan.note", plan, actor=actor, now=now, changes={"note": [None, note.id]})
    return note, notices.review_note(plan, note, now=now)
