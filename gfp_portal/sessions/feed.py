"""A person's calendar subscription (/calendar/<token>.ics): the sessions they are registered
for, in their language; cancelled sessions stay listed as cancelled."""
import hashlib

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

# Raised when the feed's layout changes, so that clients holding an old validator refetch.
FORMAT = 1


def feed_sessions(person):
    return db.session.scalars(
        select(TrainingSession).join(Registration).where(
            Registration.person_id == person.id,
            Registration.status == RegistrationStatus.registered,
            TrainingSession.status != SessionStatus.draft)
        .options(selectinload(TrainingSession.series))
        .order_by(TrainingSession.starts_at)).all()


def feed_for(user, *, now=None):
    """(etag, render): the feed's validator, taken from everything the feed says except its
    time stamps, and a function that builds the feed. A calendar client that polls with the
    validator it has can be answered 304 before any iCalendar is built."""
    language = mail_locale(user.locale)
    zone = user.time_zone or "UTC"
    sessions = feed_sessions(user.person) if user.person else []
    with force_locale(language):
        items = [(session, notices.texts(session, language, zone)) for session in sessions]
        name = _("GFP Portal: my sessions")
        host, organizer = notices.uid_host(), notices.organizer()
    said = repr((FORMAT, name, host, organizer, [
        (session.id, session.ical_sequence, str(session.status), session.starts_at.isoformat(),
         session.ends_at.isoformat(), session.zone.key, session.join_url, texts)
        for session, texts in items]))
    etag = hashlib.blake2b(said.encode(), digest_size=16).hexdigest()

    def render():
        return ical.feed(items, name=name, host=host, organizer=organizer,
                         now=now or utcnow())
    return etag, render
