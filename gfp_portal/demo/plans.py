"""Demo implementation plans, made through the plans' own services (so each has its history):
the 2022–2024 period, its deadline passed, most entities' plans updated and some overdue; the
2025–2027 period, its deadline ahead, under way. The demo focal point, fp@demo.gfp, is
responsible for UNDP's plans."""
import io
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from gfp_portal.accounts.services import find_user_by_email
from gfp_portal.demo.library import demo_pdf
from gfp_portal.demo.nominations import email_links
from gfp_portal.extensions import db
from gfp_portal.plans import services
from gfp_portal.plans.models import PlanPeriod, PlanStatus
from gfp_portal.reference.models import Entity, EntityType
from gfp_portal.registry.models import Appointment, AppointmentRole, AppointmentStatus

PAST = ("2022–2024", 2022, 2024, date(2022, 6, 30))
# When the Office recorded the 2022–2024 plans, and the moments after it that things happened.
PAST_OPENED = datetime(2022, 1, 17, 9, 0, tzinfo=UTC)
NEXT_NAME, NEXT_YEARS = "2025–2027", (2025, 2027)
# The entity types that report on a parity implementation plan.
REPORTING = (EntityType.secretariat, EntityType.fund_programme, EntityType.specialized_agency,
             EntityType.related_organization, EntityType.research_training)
# How the 2022–2024 plans stand (weights): most updated, some submitted, a few late.
PAST_MIX = ((PlanStatus.updated, 78), (PlanStatus.submitted, 10),
            (PlanStatus.in_preparation, 7), (PlanStatus.not_started, 5))
NEXT_MIX = ((PlanStatus.submitted, 15), (PlanStatus.in_preparation, 55),
            (PlanStatus.not_started, 30))
NEXT_SHARE = 0.6  # of the entities, already with a 2025–2027 plan
UNDP_TARGETS = [("P-4", 48), ("P-5", 45), ("D-1", 42), ("D-2", 40)]
NOTES = (
    "Thank you for the updated plan. The targets for P-5 and D-1 are consistent with the "
    "system-wide strategy; please add the measures planned for field duty stations.",
    "The Office has reviewed the Spanish version: the targets table matches the English one.",
)


def _focal_points(entity_ids):
    """{entity id: the person holding its headquarters focal-point appointment}."""
    rows = db.session.scalars(select(Appointment).where(
        Appointment.entity_id.in_(entity_ids), Appointment.unct_id.is_(None),
        Appointment.role == AppointmentRole.focal_point,
        Appointment.status == AppointmentStatus.active))
    return {a.entity_id: a.person for a in rows}


def _upload(label, name):
    return FileStorage(stream=io.BytesIO(demo_pdf(label)), filename=name)


def _undp_plans(past, upcoming, office, fp, now):
    undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
    opened = PAST_OPENED
    plan = services.create_plan(undp, past, responsible=[fp.person], actor=office, now=opened)
    services.add_document(plan, "en", _upload("UNDP gender parity implementation plan 2022-2024",
                                              "UNDP-parity-plan-2022-2024.pdf"),
                          actor=fp, now=opened + timedelta(days=120))
    services.change_status(plan, PlanStatus.submitted, actor=fp, now=opened + timedelta(days=121))
    services.set_targets(plan, [
        {"grade": grade, "year": year, "women_percent": share + (year - 2022) * 2}
        for grade, share in UNDP_TARGETS for year in (2022, 2023, 2024)],
        actor=office, now=opened + timedelta(days=130))
    services.add_note(plan, NOTES[0], actor=office, now=opened + timedelta(days=131))
    services.add_document(plan, "es", _upload("PNUD plan de aplicacion 2022-2024",
                                              "PNUD-plan-paridad-2022-2024.pdf"),
                          actor=fp, now=opened + timedelta(days=150))
    services.add_note(plan, NOTES[1], actor=office, now=opened + timedelta(days=158))
    services.change_status(plan, PlanStatus.updated, actor=office,
                           now=opened + timedelta(days=160))
    plan = services.create_plan(undp, upcoming, responsible=[fp.person], actor=office, now=now)
    services.change_status(plan, PlanStatus.in_preparation, actor=office, now=now)
    services.add_note(plan, "Please share a first draft of the 2025–2027 targets before the "
                      "deadline.", actor=office, now=now)


def seed_plans(*, rng=None, now):
    """The two periods and their plans; nothing when the 2022–2024 period exists. Returns the
    number of plans added."""
    if db.session.scalar(select(PlanPeriod.id).where(PlanPeriod.name == PAST[0])):
        return 0
    rng = rng or random.Random(2022)
    office = find_user_by_email("coordinator@demo.gfp")
    fp = find_user_by_email("fp@demo.gfp")
    past = services.create_period({"name": PAST[0], "first_year": PAST[1],
                                   "last_year": PAST[2], "deadline": PAST[3]},
                                  actor=office, now=now)
    upcoming = services.create_period({"name": NEXT_NAME, "first_year": NEXT_YEARS[0],
                                       "last_year": NEXT_YEARS[1],
                                       "deadline": now.date() + timedelta(days=40)},
                                      actor=office, now=now)
    with email_links():  # the review notes are emailed to the responsible focal points
        _undp_plans(past, upcoming, office, fp, now)
    entities = db.session.scalars(
        select(Entity).where(Entity.type.in_(REPORTING), Entity.active_to.is_(None),
                             Entity.acronym != "UNDP")
        .order_by(func.lower(Entity.acronym))).all()
    holders = _focal_points([e.id for e in entities])
    added = 2
    for entity in entities:
        for period, mix, share, opened in ((past, PAST_MIX, 1.0, PAST_OPENED),
                                           (upcoming, NEXT_MIX, NEXT_SHARE, now)):
            if rng.random() > share:
                continue
            status = rng.choices([s for s, _w in mix], weights=[w for _s, w in mix])[0]
            people = [holders[entity.id]] if entity.id in holders else []
            plan = services.create_plan(entity, period, responsible=people, actor=office,
                                        now=opened)
            if status != PlanStatus.not_started:
                changed = opened + timedelta(days=rng.randint(30, 200)) if period is past \
                    else now
                services.change_status(plan, status, actor=office, now=changed)
            added += 1
    return added
