"""Demo data: one focal point who left long ago is anonymised, as the Office would do, so
that the registry shows what remains of an anonymised person (appointments, no name)."""
from datetime import timedelta

from sqlalchemy import func, select

from gfp_portal.extensions import db
from gfp_portal.privacy.anonymise import anonymise_people
from gfp_portal.privacy.retention import people_past_contact_retention
from gfp_portal.registry.models import Person

LEFT_BEFORE = timedelta(days=730)


def seed_privacy(*, now):
    """Anonymise the first person whose last term ended more than two years ago, unless one
    already is; returns how many were anonymised (0 or 1)."""
    if db.session.scalar(select(func.count(Person.id)).where(Person.anonymised_at.is_not(None))):
        return 0
    leavers = people_past_contact_retention(now - LEFT_BEFORE)[:1]
    anonymise_people(leavers, now=now)
    return len(leavers)
