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
    """(etag, render): the feed's validator and a function that builds the feed. The validator
    is taken from everything the feed is made of (each session's stored fields in the reader's
    language and zone, the feed's name, organizer and format), so that a calendar client that
    polls with the validator it has is answered 304 before any text or iCalendar is built."""
    language = mail_locale(user.locale)
    zone = user.time_zone or "UTC"
    sessions = feed_sessions(user.person) if user.person else []
    with force_locale(language):
        name = _("GFP Portal: my sessions")
        host, organizer = notices.uid_host(), notices.organizer()
    said = repr((FORMAT, language, zone, name, host, organizer, [
        (session.id, session.ical_sequence, str(session.status), session.starts_at.isoformat(),
         session.ends_at.isoformat(), session.zone.key, session.join_url, session.venue,
         session.text("title", language), session.text("description", language))
        for session in sessions]))
    etag = hashlib.blake2b(said.encode(), digest_size=16).hexdigest()

    def render():
        with force_locale(language):
            items = [(session, notices.texts(session, language, zone)) for session in sessions]
        return ical.feed(items, name=name, host=host, organizer=organizer,
                         now=now or utcnow())
    return etag, render
