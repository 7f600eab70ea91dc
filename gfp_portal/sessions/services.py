"""Session lifecycle: create, edit (material changes re-invite everyone), publish, duplicate,
cancel; the series; reminders."""
from datetime import timedelta
from typing import NamedTuple

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, ngettext
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from gfp_portal.core.audit import diff, log_action, log_creation
from gfp_portal.core.db import utcnow
from gfp_portal.core.errors import DomainError, required_text
from gfp_portal.core.i18n import LANGUAGES, language_fields
from gfp_portal.core.jobs import enqueue, hold_lock
from gfp_portal.core.settings import get_setting
from gfp_portal.core.text import given, is_blank
from gfp_portal.core.timezones import is_timezone
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.registry.queries import signing_in
from gfp_portal.sessions import notices, signals
from gfp_portal.sessions.models import (
    Audience,
    Format,
    Registration,
    RegistrationStatus,
    SessionStatus,
    TrainingSeries,
    TrainingSession,
    WaitlistPolicy,
)
from gfp_portal.sessions.registration import lock_seats, promote, registered_count
from gfp_portal.sessions.topics import topic_by_key

DEFAULT_SETTINGS = {"sessions.reminder_hours": 24}

TEXT_FIELDS = language_fields("title", "description")
FIELDS = (*TEXT_FIELDS, "topic", "format", "starts_at", "ends_at", "time_zone", "join_url",
          "venue", "languages", "capacity", "registration_opens_at", "registration_closes_at",
          "audience", "waitlist_policy", "series_id")
# What changes the calendar event: a new REQUEST goes to everyone registered (RFC 5546).
MATERIAL = ("title_en", "title_fr", "title_es", "title_ar", "starts_at", "ends_at",
            "time_zone", "join_url", "venue")


def state_of(session):
    state = {field: getattr(session, field) for field in FIELDS}
    state["status"] = session.status.value if session.status else None
    for key in ("format", "audience", "waitlist_policy"):
        state[key] = state[key].value if state[key] else None
    return state


def _apply(session, data):
    # A session keeps a topic since deactivated; a new one or a change takes an active one.
    before_topic = session.topic
    for field in FIELDS:
        if field in data:
            setattr(session, field, given(data[field]))
    session.format = Format(session.format)
    topic = topic_by_key(session.topic) if session.topic else None
    if topic is None:
        raise DomainError("unknown_topic", _l("Choose one of the topics."), field="topic")
    if not topic.is_active and session.topic != before_topic:
        raise DomainError("inactive_topic", _l("The topic %(topic)s is no longer offered for "
                                               "new sessions.", topic=topic.title),
                          field="topic")
    session.audience = Audience(session.audience or Audience.both)
    session.waitlist_policy = WaitlistPolicy(session.waitlist_policy or WaitlistPolicy.first_come)
    session.languages = " ".join(code for code in (session.languages or "en").split()
                                 if code in LANGUAGES) or "en"
    if is_blank(session.title_en):
        raise DomainError("title_required", _l("Give the session a title in English; the other "
                                               "languages fall back to it."), field="title_en")
    if not is_timezone(session.time_zone):
        raise DomainError("unknown_time_zone", _l("%(zone)s is not a known time zone.",
                                                  zone=session.time_zone), field="time_zone")
    if session.ends_at <= session.starts_at:
        raise DomainError("ends_before_start", _l("The session must end after it starts."),
                          field="ends_at")
    if session.capacity is None or session.capacity < 0:
        raise DomainError("bad_capacity", _l("The number of seats cannot be negative."),
                          field="capacity")
    if session.format != Format.in_person and not session.join_url and \
            session.status == SessionStatus.published:
        raise DomainError("join_url_required", _l("An online or hybrid session needs its "
                                                  "join link before it is published."),
                          field="join_url")
    if session.format == Format.virtual and session.venue:
        # Its invitations would still name the place: people could go there.
        raise DomainError("venue_of_online_session", _l(
            "A session held online has no venue: clear the venue, or choose a format held in "
            "person."), field="venue")
    if session.format != Format.virtual and not session.venue and \
            session.status == SessionStatus.published:
        raise DomainError("venue_required", _l("A session held in person needs its venue "
                                               "before it is published."), field="venue")
    opens, closes = session.registration_opens_at, session.registration_closes_at
    if opens and closes and closes <= opens:
        raise DomainError("window_reversed", _l("Registration must close after it opens."),
                          field="registration_closes_at")
    if opens and session.starts_at and opens >= session.starts_at:
        raise DomainError("window_after_start", _l(
            "Registration must open before the session starts."),
            field="registration_opens_at")


def _check_seats_held(session):
    """Capacity is never exceeded: fewer seats than people holding one are refused (the
    Office removes people on the roster first)."""
    held = registered_count(session)
    if session.capacity is not None and session.capacity < held:
        raise DomainError("capacity_below_registered", lazy_ngettext(
            "%(num)s person holds a seat: keep at least %(num)s seat, or remove people on the "
            "roster first.",
            "%(num)s people hold a seat: keep at least %(num)s seats, or remove people on the "
            "roster first.", held), field="capacity")


def create_session(data, *, actor, now=None):
    now = now or utcnow()
    session = TrainingSession(status=SessionStatus.draft, created_at=now, updated_at=now,
                              ical_sequence=0)
    _apply(session, data)
    log_creation("session.create", session, state_of, actor=actor, now=now)
    return session


def _reached(session):
    """The places whose holders the notices of `session` reach: registered, by someone not
    anonymised since (their place stays, for the session's figures; nobody is left to write
    to)."""
    return (Registration.session_id == session.id,
            Registration.status == RegistrationStatus.registered,
            Person.anonymised_at.is_(None))


def registered(session):
    """The places of the people the notices of `session` reach (_reached)."""
    return db.session.scalars(
        select(Registration).join(Person, Person.id == Registration.person_id)
        .where(*_reached(session))
        .options(selectinload(Registration.person)).order_by(Registration.id)).all()


def reached_count(session):
    """How many people the notices of `session` reach (_reached)."""
    return db.session.scalar(select(func.count(Registration.id))
                             .join(Person, Person.id == Registration.person_id)
                             .where(*_reached(session)))


class Notified(NamedTuple):
    """Whom the notice of a change of a session reaches: the people registered, and the
    guests the domains built on sessions send it to (signals.session_notified)."""
    people: int = 0
    guests: int = 0

    def counted(self):
        """{"people": "N registered people", "guests": "M guests"}: the placeholders of the
        sentences that say whom a notice reaches, when it reaches guests too."""
        return {"people": ngettext("%(num)s registered person", "%(num)s registered people",
                                   self.people),
                "guests": ngettext("%(num)s guest", "%(num)s guests", self.guests)}


def _guests(answers):
    """The number of guests the receivers of a signal answer."""
    return sum(count or 0 for _receiver, count in answers)


def notified_by_change(session):
    """Whom a material change or the cancellation would notify now: the registered (never
    the waitlisted) and the guests holding a place."""
    if session.status != SessionStatus.published:
        return Notified()
    return Notified(reached_count(session), _guests(signals.notice_reach.send(session)))


def send_notices(session, kind, *, now, since=None, progress=None):
    """Queue the notice of `kind` ("updated" or "cancelled") to everyone registered, with
    the session's current SEQUENCE, but not to whoever already holds the calendar entry of
    the change's SEQUENCE (`since`; the current one when not given) or a later one: given a
    seat since the change, invited again above a cancellation of their place, or told by an
    earlier job; the guests are told through signals.session_notified. Returns how many
    (Notified)."""
    people = notices.not_yet_invited(registered(session), since)
    notices.keep_invitations(people)
    settings, memo = notices.recipients([r.person_id for r in people]), {}
    signers = signing_in({r.person_id for r in people})
    for done, registration in enumerate(people, start=1):
        notices.send(registration, kind, now=now, settings=settings, signers=signers,
                     memo=memo)
        if progress is not None:
            progress(done, len(people))
    guests = _guests(signals.session_notified.send(session, kind=kind, now=now, since=since))
    return Notified(len(people), guests)


def _notify_all(session, kind, *, actor, now):
    """The notices of a change: sent here to a few people, else by a job once the change has
    committed. Returns (how many it notifies: Notified, the job or None)."""
    count = reached_count(session)
    if count > current_app.config["SESSION_NOTICES_INLINE_MAX"]:
        return Notified(count, _guests(signals.notice_reach.send(session))), enqueue(
            "sessions.notify-change", {
                "session_id": session.id, "kind": kind, "since": session.ical_sequence},
            actor=actor, now=now)
    return send_notices(session, kind, now=now), None


def update_session(session, data, *, actor, now=None):
    """Save the changes; a material change raises SEQUENCE and sends the new invitation to
    everyone registered; more seats promote from the waiting list. Returns (changes, how
    many are notified: Notified, the job sending the invitations or None)."""
    now = now or utcnow()
    if session.is_cancelled:
        raise DomainError("cancelled", _l("A cancelled session cannot be changed."))
    lock_seats(session)
    before = state_of(session)
    _apply(session, data)
    _check_seats_held(session)
    changes = diff(before, state_of(session))
    if not changes:
        return changes, Notified(), None
    if "starts_at" in changes or "ends_at" in changes:
        signals.session_moved.send(session, starts_before=before["starts_at"], actor=actor, now=now)
    if "starts_at" in changes:
        # A reminder is of the start it announced: the new start is reminded in its turn.
        db.session.execute(update(Registration).where(Registration.session_id == session.id)
                           .values(reminder_sent_at=None))
    session.updated_at = now
    material = any(field in changes for field in MATERIAL)
    if material:
        session.ical_sequence += 1
    db.session.flush()
    log_action("session.update", session, actor=actor, now=now, changes=changes)
    notified, job = Notified(), None
    if material and session.status == SessionStatus.published:
        notified, job = _notify_all(session, "updated", actor=actor, now=now)
    if "capacity" in changes and session.status == SessionStatus.published:
        promote(session, actor=actor, now=now)
    return changes, notified, job


def publish_session(session, *, actor, now=None):
    now = now or utcnow()
    if session.status != SessionStatus.draft:
        raise DomainError("not_draft", _l("Only a draft can be published."))
    session.status = SessionStatus.published
    _apply(session, {})  # the checks a published session must pass
    session.updated_at = now
    db.session.flush()
    log_action("session.publish", session, actor=actor, now=now,
               changes={"status": ["draft", "published"]})


def cancel_session(session, *, reason=None, actor, now=None):
    """Cancelled for everyone: a CANCEL (STATUS:CANCELLED, SEQUENCE+1) to each registered
    person and guest; the waiting list is closed. Returns (how many are notified: Notified,
    the job sending the notices or None)."""
    now = now or utcnow()
    # Its SEQUENCE is raised from the stored one, under the lock that every other raise
    # takes or waits for: none is lost, nor given twice.
    lock_seats(session)
    if session.is_cancelled:
        raise DomainError("cancelled", _l("This session is already cancelled."))
    reason = required_text(reason, "reason_required",
                           _l("Give the reason for the cancellation."), field="reason")
    was_published = session.status == SessionStatus.published
    session.status = SessionStatus.cancelled
    session.cancellation_reason = reason
    session.ical_sequence += 1
    session.updated_at = now
    db.session.flush()
    log_action("session.cancel", session, actor=actor, now=now, reason=reason,
               changes={"status": ["published" if was_published else "draft", "cancelled"]})
    if not was_published:
        return Notified(), None
    return _notify_all(session, "cancelled", actor=actor, now=now)


def check_deletable(session):
    """Only a draft nobody is registered for may be deleted; anything else is cancelled."""
    if session.status != SessionStatus.draft or session.registrations:
        raise DomainError("not_deletable", _l(
            "Only a draft with nobody registered can be deleted."))


def delete_draft(session, *, actor, now=None):
    """The draft and, through the domains built on sessions, what they keep of it."""
    now = now or utcnow()
    check_deletable(session)
    signals.draft_deleting.send(session, actor=actor, now=now)
    log_action("session.delete", session, actor=actor, now=now,
               changes={"status": ["draft", None]})
    db.session.delete(session)
    db.session.flush()


def duplicate_session(session, data, *, actor, now=None):
    """The same training in another language or time slot: a new draft from `data` (the
    form prefilled with the original)."""
    copy = create_session(data, actor=actor, now=now)
    log_action("session.duplicate", copy, actor=actor, now=now,
               changes={"duplicate_of": [None, session.id]})
    return copy


def create_series(data, *, actor, now=None):
    now = now or utcnow()
    required_text(data.get("title_en"), "title_required",
                  _l("Give the series a title in English."), field="title_en")
    series = TrainingSeries(created_at=now, **{f"title_{lang}": (data.get(f"title_{lang}")
                                                                  or "").strip() or None
                                               for lang in LANGUAGES})
    db.session.add(series)
    db.session.flush()
    log_action("series.create", series, actor=actor, now=now,
               changes={"title_en": [None, series.title_en]})
    return series


def send_reminders(*, now=None):
    """Email everyone registered for a session starting within the reminder period, once
    (but those anonymised since: a session moved ahead keeps their place); the guests through
    signals.reminders_due. Returns the number of reminders queued."""
    now = now or utcnow()
    hold_lock("sessions.send-reminders", now=now)
    hours = int(get_setting("sessions.reminder_hours"))
    due = db.session.scalars(
        select(Registration).join(Registration.session).where(
            TrainingSession.status == SessionStatus.published,
            TrainingSession.starts_at > now,
            TrainingSession.starts_at <= now + timedelta(hours=hours),
            Registration.status == RegistrationStatus.registered,
            Registration.reminder_sent_at.is_(None),
            Registration.person.has(Person.anonymised_at.is_(None)))
        .options(selectinload(Registration.person), selectinload(Registration.session))
        .order_by(Registration.id)).all()
    settings = notices.recipients([r.person_id for r in due])
    signers = signing_in({r.person_id for r in due})
    for registration in due:
        notices.send(registration, "reminder", now=now, settings=settings, signers=signers)
        registration.reminder_sent_at = now
    db.session.flush()
    guests = _guests(signals.reminders_due.send(None, now=now,
                                                until=now + timedelta(hours=hours)))
    return len(due) + guests
