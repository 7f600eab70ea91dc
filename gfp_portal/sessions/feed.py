"""A person's calendar subscription (/calendar/<token>.ics): the sessions they are registered
for, in their language; cancelled sessions stay listed as cancelled."""
import functools
import hashlib
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import vDDDTypes
from sqlalchemy import bindparam, select

from gfp_portal.core.db import Digested, utcnow
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

# Each event of a feed, written out once per process for what it says (the session's stored
# fields, the reader's language and zone): calendar clients poll every hour, and most of what
# they fetch has not changed. Only DTSTAMP, the time of the answer, is written in each time.
_EVENTS = {}
_EVENTS_KEPT = 4096
_EVENTS_LOCK = threading.Lock()
_STAMP = datetime(2000, 1, 1, tzinfo=UTC)
_STAMP_LINE = b"DTSTAMP:20000101T000000Z\r\n"


def _in_feed(person_id, *columns):
    """`columns` of the sessions in a person's feed: those they are registered for, drafts
    left out."""
    return select(*columns).join(Registration).where(
        Registration.person_id == person_id,
        Registration.status == RegistrationStatus.registered,
        TrainingSession.status != SessionStatus.draft)


_IN_TIME_ORDER = (TrainingSession.starts_at, TrainingSession.id)


def feed_sessions(person_id, ids=None):
    stmt = _in_feed(person_id, TrainingSession).order_by(*_IN_TIME_ORDER)
    if ids is not None:
        stmt = stmt.where(TrainingSession.id.in_(ids))
    return db.session.scalars(stmt).all()


def _event_facts(person_id, language):
    """The statement of what each event of the feed says, as stored: one row per session
    (id, sequence, status, start, end, zone, then the texts)."""
    columns = [TrainingSession.id, TrainingSession.ical_sequence, TrainingSession.status,
               TrainingSession.starts_at, TrainingSession.ends_at, TrainingSession.time_zone,
               TrainingSession.join_url, TrainingSession.venue]
    columns += [getattr(TrainingSession, f"{field}_{code}")
                for field in ("title", "description") for code in dict.fromkeys((language, "en"))]
    return _in_feed(person_id, *columns)


@functools.cache
def _facts(language):
    """The event facts in `language` of the person bound as `person_id`, in time order, with
    their digest: built once per language (calendar clients poll every hour)."""
    return Digested(_event_facts(bindparam("person_id"), language), *_IN_TIME_ORDER)


def _fact_key(row):
    return (row[0], row[1], str(row[2]), row[3].isoformat(), row[4].isoformat(), *row[5:])


def feed_for(user, *, polled=False, now=None):
    """(etag, render): the feed's validator and a function that builds the feed. The validator
    is taken from everything the feed is made of (each session's stored fields in the reader's
    language and zone, the feed's name, organizer and format), so that a calendar client that
    polls with the validator it has (`polled`) is answered 304 before any text or iCalendar is
    built: the database digests the sessions' fields, and a poll reads no session row. A
    fetch without a validator reads the rows and their digest in one statement."""
    language = mail_locale(user.locale)
    zone = user.time_zone or "UTC"
    with force_locale(language):
        name = _("GFP Portal: my sessions")
        host, organizer = notices.uid_host(), notices.organizer()
    reader = (FORMAT, language, zone, host, organizer)
    facts, person = _facts(language), {"person_id": user.person_id}
    if user.person_id is None:
        rows, sessions = [], ""
    elif polled:
        rows, sessions = None, facts.digest(person)
    else:
        rows, sessions = facts.rows_and_digest(person)
    said = repr((reader, name, sessions))
    etag = hashlib.blake2b(said.encode(), digest_size=16).hexdigest()

    def render():
        read = rows if rows is not None else facts.rows_and_digest(person)[0]
        keys = [(reader, _fact_key(row)) for row in read]
        events = _written_events(user.person_id, keys, language, zone, host, organizer)
        stamp = b"DTSTAMP:" + vDDDTypes(now or utcnow()).to_ical() + b"\r\n"
        starts = [starts_at.astimezone(ZoneInfo(time_zone))
                  for __, __, __, starts_at, __, time_zone, *__ in read]
        return ical.assemble([before + stamp + after for before, after in events], starts,
                             name=name, refresh_hours=1)
    return etag, render


def _written_events(person_id, keys, language, zone, host, organizer):
    """Each event's bytes, split around its DTSTAMP line: from the process's store, the
    missing ones written now (their sessions loaded in one query)."""
    with _EVENTS_LOCK:
        found = {key: _EVENTS.get(key) for key in keys}
    missing = {key[1][0]: key for key, written in found.items() if written is None}
    if missing:
        with force_locale(language):
            for session in feed_sessions(person_id, ids=list(missing)):
                key = missing.get(session.id)
                if key is None:
                    continue
                cancelled = session.is_cancelled
                item = ical.event(session, notices.texts(session, language, zone,
                                                         join_link=not cancelled),
                                  host=host, organizer=organizer, now=_STAMP,
                                  cancelled=cancelled)
                before, after = item.to_ical().split(_STAMP_LINE)
                found[key] = (before, after)
        with _EVENTS_LOCK:
            if len(_EVENTS) > _EVENTS_KEPT:
                _EVENTS.clear()
            _EVENTS.update((key, found[key]) for key in missing.values() if found.get(key))
    return [found[key] for key in keys if found.get(key)]
