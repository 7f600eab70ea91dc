"""Demo induction: a few recently appointed people on the induction path, in every state (the
demo focal point among them, part of the way), so that the checklist and the Office's page
have something to show. The rest of the demo registry was appointed before the path existed."""
from datetime import timedelta

from sqlalchemy import select

from gfp_portal.extensions import db
from gfp_portal.induction.models import InductionOpening, InductionPath
from gfp_portal.registry.models import Appointment, AppointmentStatus, Person
from gfp_portal.resources.models import Resource

# What each person has done: (terms opened, terms ticked, guidelines opened, completed).
STATES = (
    (False, False, 1, False),  # the demo focal point: one guideline opened
    (False, False, 0, False),
    (True, False, 0, False),
    (True, True, 2, False),
    (True, True, 2, True),
    (False, False, 0, False),
)


def seed_induction(*, now):
    """Put a few people on the induction path once; returns how many."""
    if db.session.scalar(select(InductionPath.id).limit(1)) is not None:
        return 0
    documents = {r.slug: r for r in db.session.scalars(select(Resource).where(Resource.slug.in_(
        ["terms-of-reference", "enabling-environment-guidelines",
         "field-specific-enabling-environment-guidelines"])))}
    lucia = db.session.scalars(select(Person).filter_by(email="fp@demo.gfp")).first()
    recent = db.session.execute(
        select(Appointment.person_id, Appointment.id)
        .where(Appointment.status == AppointmentStatus.active,
               Appointment.person_id != getattr(lucia, "id", 0))
        .order_by(Appointment.start_date.desc(), Appointment.id)
        .limit(40)).all()
    chosen, seen = [], set()
    if lucia is not None and lucia.active_appointments:
        chosen.append((lucia.id, lucia.active_appointments[0].id))
        seen.add(lucia.id)
    for person_id, appointment_id in recent:
        if person_id not in seen and len(chosen) < len(STATES):
            chosen.append((person_id, appointment_id))
            seen.add(person_id)
    guidelines = [documents.get(s) for s in ("enabling-environment-guidelines",
                                             "field-specific-enabling-environment-guidelines")]
    terms = documents.get("terms-of-reference")
    for n, ((person_id, appointment_id), state) in enumerate(zip(chosen, STATES, strict=False)):
        opened_terms, ticked, guides, completed = state
        started = now - timedelta(days=5 + 9 * n)
        path = InductionPath(person_id=person_id, appointment_id=appointment_id,
                             started_at=started, reminded_at=started,
                             terms_read_at=started + timedelta(days=2) if ticked else None,
                             completed_at=started + timedelta(days=20) if completed else None)
        db.session.add(path)
        opened = ([terms] if opened_terms else []) + guidelines[:guides]
        for day, resource in enumerate(r for r in opened if r is not None):
            db.session.add(InductionOpening(path=path, resource_id=resource.id, language="en",
                                            opened_at=started + timedelta(days=1 + day)))
    db.session.flush()
    return len(chosen)
