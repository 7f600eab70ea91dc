"""A person's calendar subscription (/calendar/<token>.ics): the sessions they are registered
for, in their language; cancelled sessions stay listed as cancelled."""
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gfp_portal.core.db import utcnow
from gfp_portal.core.i18n import mail_locale
from gfp_portal.extensions import db
from gfp_portal.sessions import ical, notices
from gfp_portal.sessions.models import (
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSession,
)


def feed_sessions(person):
    return db.session.scalars(
        select(TrainingSession).join(Registration).where(
            Registration.person_id == person.id,
            Registration.status == RegistrationStatus.registered,
            TrainingSession.status != SessionStatus.draft)
        .options(selectinload(TrainingSession.series))
        .order_by(TrainingSession.starts_at)).all()


def feed_for(user, *, now=None):
    language = mail_locale(user.locale)
    zone = user.time_zone or "UTC"
    sessions = feed_sessions(user.person) if user.person else []
    with force_locale(language):
        items = [(session, notices.texts(session, language, zone)) for session in sessions]
        return ical.feed(items, name=_("GFP Portal: my sessions"), host=notices.uid_host(),
                         organizer=notices.organizer(), now=now or utcnow())
